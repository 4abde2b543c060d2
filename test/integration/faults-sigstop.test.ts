/**
 * Fault 3, the MASTER's process stopped: SIGSTOP of A's VRRP process (tsvrrpd; keepalived's
 * VRRP child) for 5 s, longer than B's Master_Down_Interval, so B (100) takes over while A
 * still holds its VIP (both hold it: A is frozen, not gone). Then SIGCONT: A resumes as
 * MASTER with its advert long overdue; within one advert interval + 100 ms exactly one MASTER
 * is left, the higher priority A (preempting), the VIP only on it (`ip addr` on both), B silent
 * on the wire. Run with tsvrrpd as A and keepalived 2.2.7 as B, then with the roles swapped.
 * Labs tsv-fs-<n>-*-<pid>, removed even on failure (and A is always continued).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SLACK, ScenarioLabs, e2eSkipReason, entered, masterDownMs, note } from '../support/e2e-lab';
import { sleep } from '../support/netns';
import { Checks, HEAL_BOUND_MS, PRIO_B, TSV_BACKUP, TSV_MASTER, alive, converge, holders, masterPair, rolesName, signalVrrp } from './faults-common';

const skip = e2eSkipReason(['tsvrrpd', 'keepalived']);
const labs = new ScenarioLabs('tsv-fs', 'tsvrrpd');
const STOP_MS = 5_000;

describe('fault: the MASTER stopped (SIGSTOP) and continued', { concurrency: 1 }, () => {
  for (const [i, roles] of [TSV_MASTER, TSV_BACKUP].entries()) {
    it(`${i + 1}. ${rolesName(roles)}: A stopped ${STOP_MS} ms → B takes over; SIGCONT → one MASTER (A) within ${HEAL_BOUND_MS} ms`, { skip, timeout: 60_000 }, async (t) => {
      const p = await masterPair(labs, t, i + 1, 63 + i, roles);
      const checks = new Checks(p);
      const bMasters = entered(p.b, 'MASTER');
      const aMasters = entered(p.a, 'MASTER');
      const stopAt = Date.now();
      signalVrrp(p.a, 'SIGSTOP');
      let during = '';
      try {
        await sleep(STOP_MS);
        during = holders(p);
      } finally {
        signalVrrp(p.a, 'SIGCONT');
      }
      const contAt = Date.now();
      // The takeover happened during the stop: B advertised as master, A was silent.
      const fromA = p.cap.find({ src: p.ipA, vrid: p.vrid }, stopAt + 50).filter((x) => x.time * 1000 < contAt);
      const firstB = p.cap.find({ src: p.ipB, vrid: p.vrid, prio: PRIO_B }, stopAt)[0];
      assert.equal(during, 'a+b', `during the stop B took over and A (frozen) kept its VIP\n${p.cap.tail()}\n${p.b.tail()}`);
      assert.ok(firstB !== undefined && firstB.time * 1000 < contAt, 'B advertised as master during the stop');
      assert.deepEqual(fromA, [], 'A sent nothing while stopped');
      const lastA = p.cap.find({ src: p.ipA, vrid: p.vrid }).filter((x) => x.time < firstB.time).pop();
      const gap = lastA ? (firstB.time - lastA.time) * 1000 : NaN;
      note(`stopped: B's first advert ${gap.toFixed(0)} ms after A's last (Master_Down_Interval ${masterDownMs(PRIO_B).toFixed(0)} ms)`);
      checks.check(gap >= masterDownMs(PRIO_B) - 50 && gap <= masterDownMs(PRIO_B) + 1_000, `§6.4.2 B took over ${gap.toFixed(0)} ms after A's last advert (Master_Down_Interval ${masterDownMs(PRIO_B).toFixed(0)} ms, −50/+1000)`);
      await converge(p, checks, { winner: 'a', t0: contAt, boundMs: HEAL_BOUND_MS, windowMs: masterDownMs(PRIO_B) + SLACK, holdMs: 3_000, what: 'continued' });
      const first = p.cap.find({ src: p.ipA, vrid: p.vrid }, contAt)[0];
      checks.check(first !== undefined && first.prio === 150, `A's first advert after SIGCONT has priority 150 (got ${first?.prio})`);
      checks.check(entered(p.a, 'MASTER') === aMasters, `A stayed MASTER (entered MASTER ${entered(p.a, 'MASTER') - aMasters} more times)`);
      checks.check(entered(p.b, 'MASTER') === bMasters + 1, `B became MASTER exactly once (${entered(p.b, 'MASTER') - bMasters})`);
      const a = alive(p.a);
      checks.check(a.ok, a.why);
      checks.done();
    });
  }
});
