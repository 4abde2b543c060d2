/**
 * Fault 1, partition and heal, on the real kernel: A (MASTER, 150) is cut off the LAN on the
 * bridge side — its bridge port `swa` put in STP state disabled, so the bridge drops every
 * frame from and to A (VRRP, ARP, all of it) in both directions while A keeps its carrier
 * (faults-common.ts partition()). B (BACKUP, 100) stops hearing A and takes over at
 * Master_Down_Interval: both are MASTER during the partition, both hold the VIP, as expected.
 * The port is then put back to forwarding: within one advert interval + 100 ms exactly one
 * MASTER is left, the higher priority (A), the VIP only on it (`ip addr` on both nodes), and B
 * no longer advertises (tshark on the bridge). Run with tsvrrpd as A and keepalived 2.2.7 as B,
 * then with the roles swapped (tsvrrpd the BACKUP that takes over and must yield on the heal).
 * Labs tsv-fp-<n>-*-<pid>, removed even on failure.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SLACK, ScenarioLabs, e2eSkipReason, entered, masterDownMs, note } from '../support/e2e-lab';
import { Checks, HEAL_BOUND_MS, PRIO_B, TSV_BACKUP, TSV_MASTER, converge, holders, masterPair, partition, pollUntil, rolesName } from './faults-common';

const skip = e2eSkipReason(['tsvrrpd', 'keepalived']);
const labs = new ScenarioLabs('tsv-fp', 'tsvrrpd');

describe('fault: partition and heal', { concurrency: 1 }, () => {
  for (const [i, roles] of [TSV_MASTER, TSV_BACKUP].entries()) {
    it(`${i + 1}. ${rolesName(roles)}: cut off on the bridge → both MASTER; healed → one MASTER (A) within ${HEAL_BOUND_MS} ms`, { skip, timeout: 60_000 }, async (t) => {
      const p = await masterPair(labs, t, i + 1, 61 + i, roles);
      const checks = new Checks(p);
      const bMasters = entered(p.b, 'MASTER');
      const aMasters = entered(p.a, 'MASTER');
      const cutAt = Date.now();
      partition(p, true);
      try {
        // B hears nothing from A any more: it takes over while A stays MASTER (both hold the VIP).
        const took = await pollUntil(() => holders(p) === 'a+b', masterDownMs(PRIO_B) + SLACK);
        assert.ok(took !== null, `B took over during the partition (VIP held by ${holders(p)})\n${p.a.tail()}\n${p.b.tail()}`);
        assert.ok(entered(p.b, 'MASTER') > bMasters, 'B logged entering MASTER during the partition');
        assert.ok(p.lab.operUp('a', 'eth0'), "A's eth0 keeps its carrier during the partition");
        const firstB = await p.lab.waitAdvert(p.cap, 'B advertising as master during the partition', { src: p.ipB, vrid: p.vrid, prio: PRIO_B }, cutAt, 2_000);
        const lastA = p.cap.find({ src: p.ipA, vrid: p.vrid }).filter((x) => x.time < firstB.time).pop();
        const gap = lastA ? (firstB.time - lastA.time) * 1000 : NaN;
        note(`partition: both MASTER ${took} ms after the cut (polled); B's first advert ${(firstB.time * 1000 - cutAt).toFixed(0)} ms after the cut, ${gap.toFixed(0)} ms after A's last one (Master_Down_Interval ${masterDownMs(PRIO_B).toFixed(0)} ms)`);
        checks.check(gap >= masterDownMs(PRIO_B) - 50 && gap <= masterDownMs(PRIO_B) + 1_000, `§6.4.2 B took over ${gap.toFixed(0)} ms after A's last advert (Master_Down_Interval ${masterDownMs(PRIO_B).toFixed(0)} ms, −50/+1000)`);
        await p.lab.holdsFor('both MASTER during the partition', () => holders(p) === 'a+b', 2_000);
        assert.deepEqual(p.a.lines(/entering FAULT state/i), [], 'A never went to FAULT (its carrier stayed up)');
      } finally {
        partition(p, false);
      }
      const healAt = Date.now();
      await converge(p, checks, { winner: 'a', t0: healAt, boundMs: HEAL_BOUND_MS, windowMs: masterDownMs(PRIO_B) + SLACK, holdMs: 3_000, what: 'healed' });
      checks.check(entered(p.a, 'MASTER') === aMasters, `A stayed MASTER throughout (entered MASTER ${entered(p.a, 'MASTER') - aMasters} more times)`);
      checks.check(entered(p.b, 'MASTER') === bMasters + 1, `B became MASTER exactly once (${entered(p.b, 'MASTER') - bMasters})`);
      checks.check(entered(p.a, 'FAULT') + entered(p.b, 'FAULT') === 0, 'no FAULT on either side');
      checks.done();
    });
  }
});
