/**
 * `vrrp_sync_group` at run time, end to end on the real kernel, runnable against tsvrrpd
 * (default) or keepalived 2.2.7 (`TSV_E2E_IMPL=keepalived`), which validated every expectation
 * here. Two LANs (bridges): VI_1 (VRID 61) on eth0 and VI_2 (VRID 62) on eth1, in
 * `vrrp_sync_group G1 { group { VI_1 VI_2 } }` on A (priority 150) and B (priority 100):
 *  1. both MASTER on A; eth1 down on A → VI_2 FAULT and VI_1 follows it into FAULT (both VIPs
 *     leave A, B holds both); eth1 up → both BACKUP, then A takes both back together;
 *  2. a track_script (weight 0) failure on one member (VI_1) takes both to FAULT; recovery →
 *     both back on A.
 * Each scenario has its own lab (namespaces tsv-sg-<n>-*-<pid>), always removed.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EPS, SCRIPT_SECURITY, SLACK, ScenarioLabs, e2eImpl, e2eSkipReason, entered, masterDownMs, note, skewMs, vrrpInstance, vrrpScript } from '../support/e2e-lab';
import type { AdvertCapture, E2eDaemon, E2eLab } from '../support/e2e-lab';

const IMPL = e2eImpl();
const skip = e2eSkipReason(IMPL);
const LAN0 = { a: '10.79.0.1', b: '10.79.0.2', c: '10.79.0.50' };
const LAN1 = { a: '10.79.1.1', b: '10.79.1.2', c: '10.79.1.50' };
const VIP1 = '10.79.0.100';
const VIP2 = '10.79.1.100';

const labs = new ScenarioLabs('tsv-sg', IMPL);

interface Lab {
  lab: E2eLab;
  cap0: AdvertCapture;
  cap1: AdvertCapture;
}
async function newLab(t: TestContext, n: number): Promise<Lab> {
  const lab = await labs.create(t, n, LAN0);
  await lab.addLan('lan1', 'eth1', LAN1);
  return { lab, cap0: await lab.capture('lan0'), cap1: await lab.capture('lan1') };
}

/** The sync group config; `track` adds lines to VI_1 (and `script` a vrrp_script). */
function conf(prio: number, script = '', track = ''): string {
  return (
    SCRIPT_SECURITY +
    script +
    'vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n}\n' +
    vrrpInstance({ name: 'VI_1', iface: 'eth0', vrid: 61, prio, vips: [VIP1], extra: track }) +
    vrrpInstance({ name: 'VI_2', iface: 'eth1', vrid: 62, prio, vips: [VIP2] })
  );
}
const holds = (lab: E2eLab, node: string): boolean => lab.hasVip(node, VIP1) && lab.hasVip(node, VIP2);
const holdsNone = (lab: E2eLab, node: string): boolean => !lab.hasVip(node, VIP1) && !lab.hasVip(node, VIP2);

/** A then B; A (150) becomes master of both, B (100) of neither. */
async function startPair(lab: E2eLab, tag: string, confA: string, confB: string): Promise<{ a: E2eDaemon; b: E2eDaemon }> {
  const { a, b } = await lab.startAThenB(tag, confA, confB);
  await lab.waitFor('A to become master of VI_1 and VI_2', () => holds(lab, 'a'), masterDownMs(150) + SLACK);
  assert.ok(holdsNone(lab, 'b'), 'B holds no VIP');
  for (const inst of ['VI_1', 'VI_2']) {
    assert.equal(entered(a, 'MASTER', inst), 1, `A: ${inst} MASTER`);
    assert.equal(entered(b, 'MASTER', inst), 0, `B: ${inst} never MASTER`);
  }
  for (const d of [a, b]) assert.deepEqual(d.lines(/entering FAULT state/i), [], `${d.name} started without FAULT`);
  return { a, b };
}

/** Both VIPs move to B, and the A → B handover of each is reported. */
async function bothMoveToB(lab: Lab, a: E2eDaemon, b: E2eDaemon, since: number, why: string): Promise<void> {
  // Both members of A are in FAULT (a member's FAULT drags the group along).
  await a.waitLog(/\(VI_1\) Entering FAULT STATE/i, 1_000 + SLACK);
  await a.waitLog(/\(VI_2\) Entering FAULT STATE/i, 1_000 + SLACK);
  const left = await lab.lab.waitFor('both VIPs to leave A', () => holdsNone(lab.lab, 'a'), 1_000);
  note(`${why}: both members of A in FAULT and both VIPs gone ${Date.now() - since} ms after the trigger (polled ${left} ms after the FAULT lines)`);
  const took = await lab.lab.waitFor('B to hold both VIPs', () => holds(lab.lab, 'b'), masterDownMs(100) + SLACK);
  note(`${why}: B holds both VIPs ${Date.now() - since} ms after the trigger (waited ${took} ms more)`);
  const firstOfB: number[] = [];
  for (const [inst, cap, vrid, ip] of [
    ['VI_1', lab.cap0, 61, LAN0],
    ['VI_2', lab.cap1, 62, LAN1],
  ] as const) {
    // (tshark reports a frame a little after the VIP is set: wait for it.)
    const firstB = await lab.lab.waitAdvert(cap, `B's first advert of ${inst}`, { src: ip.b, vrid }, since, SLACK);
    firstOfB.push(firstB.time);
    const zeros = cap.find({ src: ip.a, vrid, prio: 0 }, since);
    const lastA = cap.find({ src: ip.a, vrid }).filter((x) => x.time * 1000 < since).pop();
    const z = zeros[0];
    note(
      `${why}: ${inst}: ${zeros.length} priority-0 advert(s) from A; B's first advert ` +
        (z ? `${((firstB.time - z.time) * 1000).toFixed(1)} ms after A's first priority 0` : lastA ? `${((firstB.time - lastA.time) * 1000).toFixed(1)} ms after A's last advert` : '(no advert of A before)'),
    );
    assert.equal(firstB.prio, 100, `B advertises ${inst} at 100`);
    // After A's priority 0, B takes over in Skew_Time; without one (A's link is down), at
    // Master_Down_Interval after A's last advert, or with its group partner (sooner).
    if (z) assert.ok((firstB.time - z.time) * 1000 >= skewMs(100) - EPS, `${inst}: B waited Skew_Time after the priority-0 advert`);
    else if (lastA) assert.ok((firstB.time - lastA.time) * 1000 <= masterDownMs(100) + 500, `${inst}: B took over within Master_Down_Interval of A's last advert`);
    assert.ok(cap.find({ src: ip.a, vrid }, since).every((x) => x.prio === 0), `${inst}: A sends nothing but priority 0 once in FAULT`);
  }
  const [b1 = 0, b2 = 0] = firstOfB;
  assert.ok(Math.abs(b1 - b2) * 1000 < 500, `B's members became MASTER together (${((b1 - b2) * 1000).toFixed(1)} ms apart)`);
  for (const inst of ['VI_1', 'VI_2']) assert.ok(entered(b, 'MASTER', inst) >= 1, `B: ${inst} MASTER`);
}

/** Both members of A leave FAULT (BACKUP) and A, preempting, takes both VIPs back together. */
async function bothBackToA(lab: Lab, a: E2eDaemon, b: E2eDaemon, since: number, why: string, extraMs: number): Promise<void> {
  await a.waitLog(/\(VI_1\) Entering BACKUP STATE/i, extraMs + SLACK, 2);
  await a.waitLog(/\(VI_2\) Entering BACKUP STATE/i, extraMs + SLACK, 2);
  await lab.lab.waitFor('A to take both VIPs back', () => holds(lab.lab, 'a') && holdsNone(lab.lab, 'b'), extraMs + masterDownMs(150) + SLACK);
  const t1 = await lab.lab.waitAdvert(lab.cap0, 'A advertising VI_1 at 150 again', { src: LAN0.a, vrid: 61, prio: 150 }, since, SLACK);
  const t2 = await lab.lab.waitAdvert(lab.cap1, 'A advertising VI_2 at 150 again', { src: LAN1.a, vrid: 62, prio: 150 }, since, SLACK);
  const after1 = t1.time * 1000 - since;
  note(`${why}: A master of VI_1 ${Math.round(after1)} ms and of VI_2 ${Math.round(t2.time * 1000 - since)} ms after the trigger (MDI(150) ${masterDownMs(150)} ms)`);
  assert.ok(after1 >= masterDownMs(150) - EPS, `A took back at Master_Down_Interval after leaving FAULT, not at once (${Math.round(after1)} ms)`);
  assert.ok(Math.abs(t1.time - t2.time) * 1000 < 500, 'the two members became MASTER together');
  for (const inst of ['VI_1', 'VI_2']) {
    assert.equal(entered(a, 'MASTER', inst), 2, `A: ${inst} MASTER again`);
    await b.waitLog(new RegExp(`\\(${inst}\\) Entering BACKUP STATE`), SLACK, 2);
  }
}

describe(`vrrp_sync_group end to end (${IMPL})`, { concurrency: 2 }, () => {
  it('1. eth1 down on A: VI_2 FAULT and VI_1 follows, B takes both; eth1 up: both come back to A', { skip, timeout: 60_000 }, async (t) => {
    const l = await newLab(t, 1);
    const { a, b } = await startPair(l.lab, 'sg1', conf(150), conf(100));

    const downAt = Date.now();
    l.lab.link('a', 'eth1', 'down');
    await bothMoveToB(l, a, b, downAt, 'eth1 down');
    // The group follows the member whose interface went down: VI_2's FAULT comes first.
    const faults = a.lines(/\(VI_[12]\) Entering FAULT STATE/i).map((x) => /\(VI_(\d)\)/.exec(x)?.[1]);
    assert.equal(faults[0], '2', `VI_2 enters FAULT first, then VI_1 (${faults.join(', ')})`);
    await l.lab.holdsFor('A stays in FAULT (no VIP) while eth1 is down', () => holdsNone(l.lab, 'a') && holds(l.lab, 'b'), 1_500);

    const upAt = Date.now();
    l.lab.link('a', 'eth1', 'up');
    await bothBackToA(l, a, b, upAt, 'eth1 up', 1_000);
    await l.lab.stopAll([a, b]);
  });

  it('2. a track_script (weight 0) failure on VI_1 takes both members to FAULT; recovery brings both back', { skip, timeout: 60_000 }, async (t) => {
    const l = await newLab(t, 2);
    const chk = l.lab.checkScript('chk');
    const script = vrrpScript('chk', chk.path, 'interval 1; weight 0; fall 1; rise 1');
    const { a, b } = await startPair(l.lab, 'sg2', conf(150, script, ' track_script {\n  chk\n }\n'), conf(100));

    const failAt = Date.now();
    chk.fail();
    await bothMoveToB(l, a, b, failAt, 'VI_1 script failure');
    const faults = a.lines(/\(VI_[12]\) Entering FAULT STATE/i).map((x) => /\(VI_(\d)\)/.exec(x)?.[1]);
    assert.equal(faults[0], '1', `VI_1 (the tracked member) enters FAULT first, then VI_2 (${faults.join(', ')})`);
    // VI_2 was MASTER on a working link: it hands over with a priority-0 advert, like VI_1.
    assert.ok(l.cap1.find({ src: LAN1.a, vrid: 62, prio: 0 }, failAt).length >= 1, 'A sends a priority-0 advert for VI_2 (pulled into FAULT)');
    assert.ok(l.cap0.find({ src: LAN0.a, vrid: 61, prio: 0 }, failAt).length >= 1, 'A sends a priority-0 advert for VI_1');
    await l.lab.holdsFor('A stays in FAULT (no VIP) while the check fails', () => holdsNone(l.lab, 'a') && holds(l.lab, 'b'), 1_500);

    const okAt = Date.now();
    chk.ok();
    await bothBackToA(l, a, b, okAt, 'VI_1 script recovery', 1_000);
    await l.lab.stopAll([a, b]);
  });
});
