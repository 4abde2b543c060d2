/**
 * Fault 2, link flapping: the MASTER's link (A's eth0, inside its namespace, administratively)
 * changed state 100 times — down, up, down, … , up: 50 down/up cycles — with a seeded random
 * 20–500 ms between changes (the seed is printed; TSV_FAULT_SEED replays it), then left up.
 * During the flapping A goes to FAULT and B (100) takes over (asserted: the fault was real).
 * Afterwards, within Master_Down_Interval + 1 s (B's, the longer of the two), exactly one MASTER,
 * the higher priority A, the VIP only on it (`ip addr` on both); the daemon alive and not
 * stopped, no new child processes (children of its pid in /proc), and its open descriptors
 * (/proc/PID/fd) back to the count they had before the flapping.
 * tsvrrpd as A, keepalived 2.2.7 as B. Lab tsv-fl-1-*-<pid>, removed even on failure.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SLACK, ScenarioLabs, e2eSkipReason, entered, masterDownMs, note } from '../support/e2e-lab';
import { sleep } from '../support/netns';
import { Checks, PRIO_B, TSV_MASTER, alive, childrenOf, converge, faultSeed, masterPair, openFds, pollUntil, prng, rolesName, steadyFdCount } from './faults-common';

const skip = e2eSkipReason(['tsvrrpd', 'keepalived']);
const labs = new ScenarioLabs('tsv-fl', 'tsvrrpd');
/** Link state changes (even: the link ends up). */
const CHANGES = 100;
const MIN_GAP_MS = 20;
const MAX_GAP_MS = 500;

describe('fault: link flapping', () => {
  it(`1. ${rolesName(TSV_MASTER)}: A's eth0 flapped ${CHANGES} times (${MIN_GAP_MS}–${MAX_GAP_MS} ms) then up → one MASTER (A) within Master_Down_Interval + 1 s, no leaks`, { skip, timeout: 75_000 }, async (t) => {
    const p = await masterPair(labs, t, 1, 62, TSV_MASTER);
    const checks = new Checks(p);
    const pid = p.a.vrrpPid();
    assert.ok(pid !== null);
    const fdBase = await steadyFdCount(pid);
    const fdsBefore = openFds(pid);
    const kidsBefore = childrenOf(pid);
    const faults = entered(p.a, 'FAULT');
    const bMasters = entered(p.b, 'MASTER');
    const rnd = prng(faultSeed());
    const gaps = Array.from({ length: CHANGES - 1 }, () => MIN_GAP_MS + Math.floor(rnd() * (MAX_GAP_MS - MIN_GAP_MS + 1)));
    note(`flapping: ${CHANGES} changes, ${gaps.reduce((x, y) => x + y, 0)} ms of gaps scheduled`);
    const flapAt = Date.now();
    let diedAt: number | null = null;
    try {
      for (let n = 0; n < CHANGES; n++) {
        p.lab.link('a', 'eth0', n % 2 === 0 ? 'down' : 'up');
        if (!p.a.running && diedAt === null) diedAt = Date.now() - flapAt;
        const gap = gaps[n];
        if (gap !== undefined) await sleep(gap);
      }
    } finally {
      p.lab.link('a', 'eth0', 'up');
    }
    const upAt = Date.now();
    assert.equal(diedAt, null, `tsvrrpd exited during the flapping (+${diedAt} ms)\n${p.a.tail()}`);
    // The fault was real: A went to FAULT, B took over at some point during the flapping.
    const bAdverts = p.cap.find({ src: p.ipB, vrid: p.vrid, prio: PRIO_B }, flapAt).filter((x) => x.time * 1000 <= upAt);
    note(`flapping took ${upAt - flapAt} ms: A entered FAULT ${entered(p.a, 'FAULT') - faults} times, B entered MASTER ${entered(p.b, 'MASTER') - bMasters} times and sent ${bAdverts.length} adverts as master`);
    assert.ok(entered(p.a, 'FAULT') > faults, 'A went to FAULT during the flapping');
    assert.ok(bAdverts.length > 0, 'B took over (advertised as master) during the flapping');
    await p.lab.waitOperUp('a', 'eth0');
    const bound = masterDownMs(PRIO_B) + 1_000;
    await converge(p, checks, { winner: 'a', t0: upAt, boundMs: bound, windowMs: bound + SLACK, holdMs: 2_000, what: 'after the flapping' });
    const a = alive(p.a);
    checks.check(a.ok, a.why);
    checks.check(/\(VI_1\) Entering MASTER STATE/.test(p.a.lines(/\(VI_1\) Entering/).pop() ?? ''), `A's last transition is to MASTER (${p.a.lines(/\(VI_1\) Entering/).pop()})`);
    const kids = childrenOf(pid);
    checks.check(kids.filter((k) => !kidsBefore.includes(k)).length === 0, `no new child processes of ${pid} (before: [${kidsBefore.join(', ')}], after: [${kids.join(', ')}])`);
    const settled = await pollUntil(() => openFds(pid).length === fdBase, 3_000);
    const fdsAfter = openFds(pid);
    note(`open descriptors of ${pid}: ${fdBase} before the flapping, ${fdsAfter.length} after (${settled === null ? 'never back' : `back after ${settled} ms more`})`);
    checks.check(
      fdsAfter.length === fdBase,
      `open descriptors back to ${fdBase} (now ${fdsAfter.length}); new: [${fdsAfter.filter((f) => !fdsBefore.includes(f)).join(', ')}], gone: [${fdsBefore.filter((f) => !fdsAfter.includes(f)).join(', ')}]`,
    );
    const failed = p.a.lines(/failed/i);
    note(`A logged ${failed.length} 'failed' lines${failed.length > 0 ? `, e.g. ${failed[0]}` : ''}`);
    checks.done();
  });
});
