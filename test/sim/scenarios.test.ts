/**
 * RFC 3768 checklist sections B (receive validation), C (state machine and timers) and E
 * (reliability) on the in-memory LAN (test/sim/lan.ts), with the real VrrpInstance and the real
 * codec: every item that does not need a kernel. Test names carry the checklist item number and
 * the RFC section (shared/reference/rfc3768-checklist.md), so a grep finds rule and proof.
 *
 * The harness of checklist §2.0, in µs: A = 10.77.0.1 prio 150, B = 10.77.0.2 prio 100, VRID
 * 51, advert_int 1 s, PASS "s3cr3t", VIP 10.77.0.100, both `state BACKUP`, wire delay 0 unless a
 * test says otherwise. Both start at 0, so A becomes MASTER at MDI(150) = 3 414 062 µs and sends
 * every second from there: A's adverts are at 3 414 062 + k × 1 000 000.
 * Forged adverts come from the injector at 10.77.0.60, priority 200, one defect each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstance } from '../../src/protocol/instance';
import type { Action, InstanceParams, ReceivedPacket, StatCounter } from '../../src/protocol/types';
import {
  Lan,
  type LanOptions,
  type ParamsInput,
  SEC_US,
  encodeFor,
  fixChecksum,
  instanceParams,
  mdiUs,
  skewUs,
  toPacket,
} from './lan';

const VRID = 51;
const A_IP = '10.77.0.1';
const B_IP = '10.77.0.2';
const INJECTOR = '10.77.0.60';
/** A's takeover and advert schedule in the two-router harness. */
const A_UP = mdiUs(150); // 3 414 062
const aAdvert = (k: number): number => A_UP + k * SEC_US;

function newLan(opts: Partial<LanOptions> = {}): Lan {
  return new Lan({ factory: (p) => new VrrpInstance(p), ...opts });
}

/** The §2.0 harness: A (150) and B (100), both started at 0. */
function harness(o: { a?: Partial<ParamsInput>; b?: Partial<ParamsInput>; lan?: Partial<LanOptions> } = {}): Lan {
  const lan = newLan(o.lan);
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 150, ...o.a }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100, ...o.b }]);
  lan.start('A', 0);
  lan.start('B', 0);
  return lan;
}

function advertTimes(lan: Lan, router: string, vrid = VRID): number[] {
  return lan.adverts({ router, vrid }).map((a) => a.tUs);
}

function states(lan: Lan, router: string, vrid = VRID): string[] {
  return lan.transitions(router, vrid).map((t) => `${t.state}@${t.tUs}`);
}

/** Actions of one router at exactly one instant, as compact strings, in order. */
function actionsAt(lan: Lan, router: string, tUs: number, vrid = VRID): string[] {
  return lan
    .actions({ router, vrid, fromUs: tUs, toUs: tUs })
    .map((a) => brief(a.action))
    .filter((s) => s !== '');
}

/** Compact action text; Log and CountStat are left out (they are asserted separately). */
function brief(a: Action): string {
  switch (a.type) {
    case 'SendAdvert':
      return `advert:${a.priority}`;
    case 'SendGarp':
      return `garp:${a.count}`;
    case 'Notify':
      return `notify:${a.state}`;
    case 'Log':
    case 'CountStat':
      return '';
    default:
      return a.type;
  }
}

function counters(lan: Lan, router: string, fromUs: number, toUs: number): StatCounter[] {
  return lan
    .actions({ router, vrid: VRID, type: 'CountStat', fromUs, toUs })
    .map((a) => (a.action.type === 'CountStat' ? a.action.counter : 'advert_rcvd'));
}

function logs(lan: Lan, router: string, fromUs = 0, toUs = Number.MAX_SAFE_INTEGER): string[] {
  return lan
    .actions({ router, vrid: VRID, type: 'Log', fromUs, toUs })
    .map((a) => (a.action.type === 'Log' ? a.action.message : ''));
}

interface Forge {
  readonly prio?: number;
  readonly src?: string;
  readonly ttl?: number;
  readonly dstIp?: string;
  /** Change the params the advert is built from (auth, VIPs, vrid...). */
  readonly params?: Partial<ParamsInput>;
  /** Change the encoded message; the checksum is recomputed unless `keepChecksum`. */
  readonly mutate?: (msg: Uint8Array) => void;
  readonly keepChecksum?: boolean;
  /** Cut this many octets off the end (the IP Total Length follows the cut). */
  readonly truncate?: number;
}

/** The injector (checklist §2.0): an advert for VRID 51, prio 200 from 10.77.0.60, one defect. */
function forge(f: Forge = {}): ReceivedPacket {
  const base: InstanceParams = instanceParams({ vrid: VRID, ...f.params });
  const msg = encodeFor(base, f.prio ?? 200).slice();
  if (f.mutate) {
    f.mutate(msg);
    if (!f.keepChecksum) fixChecksum(msg);
  }
  const payload = f.truncate ? msg.subarray(0, msg.length - f.truncate) : msg;
  return toPacket(payload, f.src ?? INJECTOR, {
    ...(f.ttl === undefined ? {} : { ttl: f.ttl }),
    ...(f.dstIp === undefined ? {} : { dstIp: f.dstIp }),
  });
}

function assertMasterKept(lan: Lan, fromUs: number, toUs: number): void {
  assert.equal(lan.stateOf('A', VRID), 'MASTER', lan.dump(30));
  assert.deepEqual(lan.vipHolders(VRID), ['A']);
  assert.equal(lan.stateOf('B', VRID), 'BACKUP');
  const sent = advertTimes(lan, 'A').filter((t) => t >= fromUs && t <= toUs);
  const want: number[] = [];
  for (let k = 0; aAdvert(k) <= toUs; k++) if (aAdvert(k) >= fromUs) want.push(aAdvert(k));
  assert.deepEqual(sent, want, 'A keeps advertising on its 1 s schedule');
  assert.deepEqual(advertTimes(lan, 'B'), [], 'B stays silent');
}

// =============================================================================================
// B. Receive validation (§7.1, §5.3): one forged advert at the master; pass = it does not yield

const T_INJECT = 5_500_000;

test('#18 §6.4.3 control: a valid priority-200 advert makes the master yield at once', () => {
  const lan = harness();
  lan.injectAll(forge(), T_INJECT);
  lan.runUntil(T_INJECT);
  assert.equal(lan.stateOf('A', VRID), 'BACKUP', lan.dump(20));
  assert.deepEqual(actionsAt(lan, 'A', T_INJECT), ['RemoveVips', 'notify:BACKUP']);
  assert.ok(logs(lan, 'A', T_INJECT, T_INJECT).some((l) => /higher priority 200/.test(l)));
  assert.deepEqual(lan.vipHolders(VRID), []);
});

interface Defect {
  readonly id: string;
  readonly name: string;
  readonly packet: () => ReceivedPacket;
  /** The counter the discard must bump (null: only a log line is required). */
  readonly counter: StatCounter | null;
  /** Must the discard be logged? (keepalived is silent for a foreign VRID and for unicast.) */
  readonly logged: boolean;
}

const DEFECTS: readonly Defect[] = [
  { id: '#19 §7.1 §5.2.3', name: 'TTL 254 (T05)', packet: () => forge({ ttl: 254 }), counter: 'ip_ttl_err', logged: true },
  {
    id: '#20 §7.1',
    name: 'version 3 (T06)',
    packet: () => forge({ mutate: (m) => (m[0] = 0x31) }),
    counter: null,
    logged: true,
  },
  { id: '#21 §7.1', name: '8 octets short (T09)', packet: () => forge({ truncate: 8 }), counter: 'packet_len_err', logged: true },
  {
    id: '#21 §7.1',
    name: 'Count 2 with one address (T17)',
    packet: () => forge({ mutate: (m) => (m[3] = 2) }),
    counter: 'packet_len_err',
    logged: true,
  },
  {
    id: '#22 §7.1 §5.3.8',
    name: 'checksum XOR 0x5a5a (T08)',
    packet: () => forge({ mutate: (m) => ((m[6] = (m[6] ?? 0) ^ 0x5a), (m[7] = (m[7] ?? 0) ^ 0x5a)), keepChecksum: true }),
    counter: 'checksum_err',
    logged: true,
  },
  { id: '#24 §5.3.2', name: 'type 2 (T07)', packet: () => forge({ mutate: (m) => (m[0] = 0x22) }), counter: 'invalid_type_rcvd', logged: true },
  {
    id: '#25 §7.1 §5.3.6',
    name: 'auth type 0 when local is PASS (T11)',
    packet: () => forge({ params: { auth: null } }),
    counter: 'authtype_mismatch',
    logged: true,
  },
  {
    id: '#25 §7.1 §5.3.6',
    name: 'auth type 2 (T13)',
    packet: () => forge({ mutate: (m) => (m[4] = 2) }),
    counter: 'authtype_mismatch',
    logged: true,
  },
  {
    id: '#26 §7.1',
    name: 'wrong password (T12)',
    packet: () => forge({ params: { auth: { type: 'PASS', password: new TextEncoder().encode('s3cr3T') } } }),
    counter: 'auth_failure',
    logged: true,
  },
  {
    id: '#27 §7.1 §5.3.7',
    name: 'Adver Int 2 when local is 1 (T14)',
    packet: () => forge({ mutate: (m) => (m[5] = 2) }),
    counter: null,
    logged: true,
  },
  {
    id: '#29 (compat)',
    name: 'unicast destination on a multicast instance (T18)',
    packet: () => forge({ dstIp: A_IP }),
    counter: 'mcast_unicast_mismatch',
    logged: false,
  },
];

for (const d of DEFECTS) {
  test(`${d.id} master keeps the VIP and its schedule after one forged advert: ${d.name} (+#31 logged and counted)`, () => {
    const lan = harness();
    lan.injectAll(d.packet(), T_INJECT);
    lan.runUntil(12 * SEC_US);
    assertMasterKept(lan, A_UP, 12 * SEC_US);
    const got = counters(lan, 'A', T_INJECT, T_INJECT);
    assert.ok(!got.includes('advert_rcvd'), `the defect must not count as a received advert: ${got.join(',')}`);
    if (d.counter !== null) assert.ok(got.includes(d.counter), `counter ${d.counter} in [${got.join(', ')}]`);
    else assert.ok(got.length >= 0);
    if (d.logged) {
      assert.equal(logs(lan, 'A', T_INJECT, T_INJECT).length, 1, 'one log line (RFC 3768 §7.1 SHOULD log)');
    }
    // The backup discards it too: it must not reset its Master_Down_Timer either.
    assert.ok(!counters(lan, 'B', T_INJECT, T_INJECT).includes('advert_rcvd'));
  });
}

test('#23 §7.1 VRID 52 (T10): the driver demux drops it before any core; nothing changes', () => {
  const lan = harness();
  lan.injectAll(forge({ mutate: (m) => (m[1] = 52) }), T_INJECT);
  lan.runUntil(12 * SEC_US);
  assertMasterKept(lan, A_UP, 12 * SEC_US);
  assert.equal(lan.stats.copiesUnclaimed, 2);
  assert.deepEqual(lan.actions({ router: 'A', fromUs: T_INJECT, toUs: T_INJECT }), []);
});

test('#23 §7.1 VRID 52 (T10) handed to the core itself: discarded (vrid_err), master kept', () => {
  const lan = harness({ lan: { demux: 'all' } });
  lan.injectAll(forge({ mutate: (m) => (m[1] = 52) }), T_INJECT);
  lan.runUntil(12 * SEC_US);
  assertMasterKept(lan, A_UP, 12 * SEC_US);
  assert.ok(counters(lan, 'A', T_INJECT, T_INJECT).includes('vrid_err'));
});

test('#28 §7.1 VIP-list mismatch (T15 count 2 with an extra address): counted addr_list_err, accepted (RFC 9568 decision)', () => {
  const lan = harness();
  lan.injectAll(forge({ params: { vips: ['10.77.0.100', '10.77.0.101'] } }), T_INJECT);
  lan.runUntil(T_INJECT);
  const got = counters(lan, 'A', T_INJECT, T_INJECT);
  assert.ok(got.includes('addr_list_err') && got.includes('advert_rcvd'), got.join(','));
  assert.equal(lan.stateOf('A', VRID), 'BACKUP', 'accepted: a valid higher advert, so A yields');
});

test('#28 §7.1 VIP-list mismatch (T16 a different address): counted addr_list_err, accepted (RFC 9568 decision)', () => {
  const lan = harness();
  lan.injectAll(forge({ params: { vips: ['10.77.0.99'] } }), T_INJECT);
  lan.runUntil(T_INJECT);
  assert.ok(counters(lan, 'A', T_INJECT, T_INJECT).includes('addr_list_err'));
  assert.equal(lan.stateOf('A', VRID), 'BACKUP');
});

test('#28 §7.1 a VIP-list mismatch in a backup never makes a second master (the 2.2.7 dual-master cause)', () => {
  const lan = harness({ b: { vips: ['10.77.0.100', '10.77.0.200'] } });
  lan.runUntil(60 * SEC_US);
  assert.deepEqual(lan.masters(VRID), ['A']);
  assert.deepEqual(advertTimes(lan, 'B'), []);
  assert.ok(counters(lan, 'B', 0, 60 * SEC_US).includes('addr_list_err'));
});

test('#31 §7.1 discard logging is rate-limited under a flood, counting stays exact', () => {
  const lan = harness();
  const bad = forge({ ttl: 254 });
  const n = 5000;
  for (let i = 0; i < n; i++) lan.injectAll(bad, 4 * SEC_US + i * 4000); // 250/s for 20 s
  lan.runUntil(25 * SEC_US);
  assertMasterKept(lan, A_UP, 25 * SEC_US);
  const ttlCounts = counters(lan, 'A', 0, 25 * SEC_US).filter((c) => c === 'ip_ttl_err').length;
  assert.equal(ttlCounts, n);
  const lines = logs(lan, 'A').filter((l) => /TTL/.test(l));
  assert.ok(lines.length >= 1 && lines.length <= 4, `${lines.length} TTL log lines for ${n} discards`);
});

/** #32: kill the master, then keep injecting invalid adverts from its address every second. */
function invalidHeartbeats(bad: () => ReceivedPacket, lanOpts: Partial<LanOptions> = {}): Lan {
  const lan = harness({ lan: lanOpts });
  const last = aAdvert(6);
  lan.kill('A', last + 300_000);
  for (let k = 1; k <= 10; k++) lan.inject('B', bad(), last + k * SEC_US - 1);
  lan.runUntil(last + 12 * SEC_US);
  const up = last + mdiUs(100);
  assert.deepEqual(states(lan, 'B').slice(-1), [`MASTER@${up}`], lan.dump(40));
  assert.deepEqual(lan.vipHolders(VRID).sort(), ['A', 'B'], 'A was SIGKILLed: its stale VIP remains (D5)');
  return lan;
}

test('#32 §7.1 invalid adverts (TTL 254) from the dead master never act as heartbeats: takeover at exactly MDI', () => {
  invalidHeartbeats(() => forge({ src: A_IP, prio: 150, ttl: 254 }));
});

test('#32 §7.1 invalid adverts (bad checksum) from the dead master never act as heartbeats', () => {
  invalidHeartbeats(() =>
    forge({ src: A_IP, prio: 150, mutate: (m) => ((m[6] = (m[6] ?? 0) ^ 0x5a), (m[7] = (m[7] ?? 0) ^ 0x5a)), keepChecksum: true }),
  );
});

test('#32 §7.1 invalid adverts (wrong password, adver_int 2, wrong VRID at the core) never act as heartbeats', () => {
  invalidHeartbeats(() => forge({ src: A_IP, prio: 150, params: { auth: { type: 'PASS', password: new TextEncoder().encode('nope') } } }));
  invalidHeartbeats(() => forge({ src: A_IP, prio: 150, mutate: (m) => (m[5] = 2) }));
  invalidHeartbeats(() => forge({ src: A_IP, prio: 150, mutate: (m) => (m[1] = 52) }), { demux: 'all' });
});

test('#33 §7.1 the owner (255) keeps mastership against any non-owner advert, even from a higher address', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 255, wantMaster: true }]);
  lan.start('A', 0);
  for (let k = 0; k < 10; k++) lan.inject('A', forge({ prio: 254, src: '10.77.0.200' }), 500_000 + k * SEC_US);
  lan.runUntil(12 * SEC_US);
  assert.equal(lan.stateOf('A', VRID), 'MASTER');
  assert.deepEqual(lan.vipHolders(VRID), ['A']);
  assert.deepEqual(states(lan, 'A'), ['MASTER@0']);
});

test('#33 §7.1 owner vs owner follows keepalived (D6): "CONFIGURATION ERROR ... reducing local priority" to 254', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 255, wantMaster: true }]);
  lan.start('A', 0);
  lan.inject('A', forge({ prio: 255, src: '10.77.0.200' }), 500_000);
  lan.runUntil(600_000);
  assert.ok(logs(lan, 'A').some((l) => /CONFIGURATION ERROR.*address owner.*reducing local priority/.test(l)), logs(lan, 'A').join('\n'));
  assert.equal(lan.core('A', VRID).effectivePriority, 254);
  // keepalived 2.2.7 vrrp_state_master_rx(): after the drop the 255 advert is simply higher.
  assert.equal(lan.stateOf('A', VRID), 'BACKUP');
});

// =============================================================================================
// C. State machine and timers (§6.1–§6.4)

test('#34 §6.4.1 Initialize → Backup: alone, the first advert and the VIP come exactly MDI after start-up', () => {
  const lan = newLan();
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  const t0 = 1_234;
  lan.start('B', t0);
  lan.runUntil(t0 + mdiUs(100) - 1);
  assert.equal(lan.stateOf('B', VRID), 'BACKUP');
  assert.deepEqual(advertTimes(lan, 'B'), []);
  assert.deepEqual(lan.vipHolders(VRID), []);
  assert.deepEqual(actionsAt(lan, 'B', t0), ['RemoveVips', 'notify:BACKUP'], 'D5: leftover VIPs removed before BACKUP');
  lan.runUntil(t0 + mdiUs(100));
  assert.deepEqual(advertTimes(lan, 'B'), [t0 + 3_609_375]);
  assert.deepEqual(lan.vipHolders(VRID), ['B']);
});

test('#35 §6.4.1 Initialize → Master at once for the owner (prio 255, state MASTER): advert, VIP, GARP at start-up', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 255, wantMaster: true }]);
  lan.start('A', 777);
  lan.runUntil(777 + 2 * SEC_US);
  assert.deepEqual(actionsAt(lan, 'A', 777), ['RemoveVips', 'advert:255', 'AddVips', 'garp:5', 'notify:MASTER']);
  assert.deepEqual(advertTimes(lan, 'A'), [777, 777 + SEC_US, 777 + 2 * SEC_US]);
});

for (const [p, adv, want] of [
  [1, 1, 3_996_093],
  [100, 1, 3_609_375],
  [254, 1, 3_007_812],
  [100, 2, 6_609_375],
] as const) {
  test(`#36 §6.1 takeover at Master_Down_Interval: backup prio ${p}, advert_int ${adv} s → exactly ${want} µs after the master's last advert (+#62 VIP at the same µs)`, () => {
    const lan = newLan();
    lan.addRouter('M', A_IP, [{ vrid: VRID, basePriority: 255, wantMaster: true, advertIntUs: adv * SEC_US }]);
    lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: p, advertIntUs: adv * SEC_US }]);
    lan.start('M', 0);
    lan.start('B', 100_000);
    const last = 5 * adv * SEC_US;
    lan.kill('M', last + 1);
    lan.runUntil(last + 3 * want);
    assert.equal(advertTimes(lan, 'M').at(-1), last);
    assert.deepEqual(advertTimes(lan, 'B')[0], last + want, lan.dump(20));
    assert.equal(mdiUs(p, adv * SEC_US), want);
    const addAt = lan.actions({ router: 'B', type: 'AddVips' })[0]?.tUs;
    assert.equal(addAt, last + want);
  });
}

test('#36 §6.1 with a 250 µs wire delay the backup counts Master_Down from reception (last advert + 250 + 3 609 375)', () => {
  const lan = harness({ lan: { delayUs: 250 } });
  lan.kill('A', aAdvert(4) + 1);
  lan.runUntil(aAdvert(4) + 5 * SEC_US);
  assert.equal(advertTimes(lan, 'B')[0], aAdvert(4) + 250 + 3_609_375);
});

test('#37 §6.4.2 priority-0 handover at exactly Skew_Time (609 375 µs) after the shutdown advert', () => {
  const lan = harness();
  const t = aAdvert(3) + 123_456;
  lan.shutdown('A', t);
  lan.runUntil(t + 2 * SEC_US);
  assert.deepEqual(lan.adverts({ router: 'A', fromUs: t }).map((a) => [a.tUs, a.priority]), [[t, 0]]);
  assert.equal(advertTimes(lan, 'B')[0], t + skewUs(100));
  assert.equal(skewUs(100), 609_375);
  assert.ok(logs(lan, 'B').some((l) => /priority 0/.test(l)));
});

test('#38 §6.4.3 master shutdown: exactly one priority-0 advert, VIP removed, then silence (no adverts, no GARP)', () => {
  const lan = harness();
  const t = aAdvert(2) + 10;
  lan.shutdown('A', t);
  lan.runUntil(t + 30 * SEC_US);
  assert.deepEqual(actionsAt(lan, 'A', t), ['advert:0', 'RemoveVips', 'notify:STOP']);
  assert.deepEqual(lan.actions({ router: 'A', fromUs: t + 1 }), []);
  assert.equal(lan.holdsVip('A', VRID), false);
  // The GARP second burst scheduled at A's takeover (A_UP + 5 s > t) was cancelled.
  assert.equal(lan.actions({ router: 'A', type: 'SendGarp', fromUs: t }).length, 0);
});

test('#39 §6.4.2 backup shutdown sends nothing at all', () => {
  const lan = harness();
  const t = aAdvert(2) + 10;
  lan.shutdown('B', t);
  lan.runUntil(t + 10 * SEC_US);
  assert.deepEqual(advertTimes(lan, 'B'), []);
  assert.deepEqual(actionsAt(lan, 'B', t), ['notify:STOP']);
  assert.deepEqual(lan.masters(VRID), ['A']);
});

test('#40 §6.4.2 takeover order: advert first, then VIPs, then the GARP burst, then notify; next advert 1 s later', () => {
  const lan = harness();
  lan.kill('A', aAdvert(2) + 1);
  const up = aAdvert(2) + mdiUs(100);
  lan.runUntil(up + 1_500_000);
  assert.deepEqual(actionsAt(lan, 'B', up), ['advert:100', 'AddVips', 'garp:5', 'notify:MASTER']);
  assert.deepEqual(advertTimes(lan, 'B'), [up, up + SEC_US]);
});

test('#40 #53 D4 GARP: 5 per VIP on takeover, the second burst exactly garp_master_delay (5 s) later, then none', () => {
  const lan = harness();
  lan.kill('A', aAdvert(2) + 1);
  const up = aAdvert(2) + mdiUs(100);
  lan.runUntil(up + 40 * SEC_US);
  assert.deepEqual(
    lan.actions({ router: 'B', type: 'SendGarp' }).map((a) => [a.tUs, brief(a.action)]),
    [
      [up, 'garp:5'],
      [up + 5 * SEC_US, 'garp:5'],
    ],
  );
});

test('#40 D4 GARP schedule follows the params: repeat 3, delay 2 s; delay 0 = one burst only', () => {
  for (const [garp, want] of [
    [{ masterRepeat: 3, masterDelayUs: 2 * SEC_US }, [[0, 'garp:3'], [2 * SEC_US, 'garp:3']]],
    [{ masterDelayUs: 0 }, [[0, 'garp:5']]],
  ] as const) {
    const lan = newLan();
    lan.addRouter('B', B_IP, [{ vrid: VRID, garp: garp }]);
    lan.start('B', 0);
    lan.runUntil(30 * SEC_US);
    const up = mdiUs(100);
    assert.deepEqual(
      lan.actions({ router: 'B', type: 'SendGarp' }).map((a) => [a.tUs - up, brief(a.action)]),
      want,
    );
  }
});

test('#41 §6.4.2 a live higher-priority master resets the backup timer: 60 s with no advert from the backup', () => {
  const lan = harness();
  lan.runUntil(64 * SEC_US);
  assert.deepEqual(advertTimes(lan, 'B'), []);
  assert.deepEqual(states(lan, 'B'), ['BACKUP@0']);
  assert.deepEqual(lan.vipHolders(VRID), ['A']);
});

test('#41 §6.4.2 an equal-priority master with a LOWER address also holds a backup (a backup does not tie-break)', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.start('A', 0);
  lan.start('B', 2 * SEC_US);
  lan.runUntil(70 * SEC_US);
  assert.deepEqual(lan.masters(VRID), ['A']);
  assert.deepEqual(advertTimes(lan, 'B'), []);
  assert.deepEqual(states(lan, 'B'), [`BACKUP@${2 * SEC_US}`]);
});

test('#42 §6.4.2 preemption: a higher-priority backup starting later takes over after its own MDI; the old master yields on its first advert', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 150 }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.start('B', 0);
  const ts = 10_250_000;
  lan.start('A', ts);
  lan.runUntil(ts + 10 * SEC_US);
  const up = ts + mdiUs(150);
  assert.deepEqual(states(lan, 'A'), [`BACKUP@${ts}`, `MASTER@${up}`], lan.dump(40));
  assert.equal(advertTimes(lan, 'A')[0], up);
  assert.deepEqual(states(lan, 'B').slice(-1), [`BACKUP@${up}`]);
  assert.ok(logs(lan, 'A', ts, up).some((l) => /received lower priority \(100\) advert from 10\.77\.0\.2 - discarding/.test(l)));
  assert.deepEqual(lan.vipHolders(VRID), ['A']);
});

test('#43 §6.1 nopreempt: a higher-priority backup leaves a live lower master alone, and takes over only when it dies', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 150, nopreempt: true }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.start('B', 0);
  lan.start('A', 10 * SEC_US);
  lan.runUntil(80 * SEC_US);
  assert.deepEqual(lan.masters(VRID), ['B']);
  assert.deepEqual(advertTimes(lan, 'A'), []);
  const bLast = advertTimes(lan, 'B').at(-1) ?? 0;
  lan.kill('B', 80 * SEC_US);
  lan.runUntil(90 * SEC_US);
  assert.equal(advertTimes(lan, 'A')[0], bLast + mdiUs(150));
});

test('#44 §6.1 the owner always preempts: prio 255 + state MASTER (nopreempt set) takes over at once from a live master', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 255, wantMaster: true, nopreempt: true }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.start('B', 0);
  const ts = 10_250_000;
  lan.start('A', ts);
  lan.runUntil(ts + 5 * SEC_US);
  assert.deepEqual(states(lan, 'A'), [`MASTER@${ts}`]);
  assert.deepEqual(states(lan, 'B').slice(-1), [`BACKUP@${ts}`]);
  assert.deepEqual(lan.vipHolders(VRID), ['A']);
});

test('#45 §6.4.3 master hears a higher priority: Backup at once, VIP removed, Master_Down armed from that advert', () => {
  const lan = harness();
  const t = aAdvert(2) + 200_000;
  lan.inject('A', forge({ prio: 200 }), t);
  lan.inject('B', forge({ prio: 200 }), t);
  lan.runUntil(t + 10 * SEC_US);
  assert.deepEqual(actionsAt(lan, 'A', t), ['RemoveVips', 'notify:BACKUP']);
  // The forged master never speaks again: A's Master_Down (from t) beats B's (from t too, longer).
  assert.deepEqual(states(lan, 'A').slice(-2), [`BACKUP@${t}`, `MASTER@${t + mdiUs(150)}`]);
});

test('#45 §6.4.3 a non-owner advertising 255 is simply higher: the master yields', () => {
  const lan = harness();
  const t = aAdvert(2) + 200_000;
  lan.inject('A', forge({ prio: 255 }), t);
  lan.runUntil(t);
  assert.equal(lan.stateOf('A', VRID), 'BACKUP');
});

for (const [mine, theirs] of [
  ['10.77.0.1', '10.77.0.200'],
  ['10.77.0.20', '10.77.0.100'], // a string compare gets this one wrong
  ['9.255.255.255', '10.0.0.9'], // and this one
] as const) {
  test(`#46 §6.4.3 equal priority, sender address greater (${theirs} > ${mine}, unsigned 32-bit): the master yields`, () => {
    const lan = newLan();
    lan.addRouter('A', mine, [{ vrid: VRID, basePriority: 100, wantMaster: false }]);
    lan.start('A', 0);
    lan.inject('A', forge({ prio: 100, src: theirs }), 5 * SEC_US);
    lan.runUntil(5 * SEC_US);
    assert.deepEqual(states(lan, 'A'), ['BACKUP@0', `MASTER@${mdiUs(100)}`, `BACKUP@${5 * SEC_US}`]);
    assert.ok(logs(lan, 'A').some((l) => /same priority 100 but higher IP address than ours/.test(l)));
  });

  test(`#47 #50 §6.4.3 D2 equal priority, sender address lower (${mine} < ${theirs}): master stays, answers at the same µs, resets Adver_Timer`, () => {
    const lan = newLan();
    lan.addRouter('A', theirs, [{ vrid: VRID, basePriority: 100 }]);
    lan.start('A', 0);
    const t = mdiUs(100) + 2_400_000;
    lan.inject('A', forge({ prio: 100, src: mine }), t);
    lan.runUntil(t + 3 * SEC_US - 1);
    assert.equal(lan.stateOf('A', VRID), 'MASTER');
    assert.deepEqual(advertTimes(lan, 'A').filter((x) => x >= t), [t, t + SEC_US, t + 2 * SEC_US]);
  });
}

test('#48 #50 §6.4.3 D2 lower priority: master stays, answers at the same µs (forcing new election), resets Adver_Timer, lower-prio GARP', () => {
  const lan = harness();
  const t = aAdvert(3) + 400_000;
  lan.inject('A', forge({ prio: 50 }), t);
  lan.runUntil(t + 3 * SEC_US - 1);
  assert.equal(lan.stateOf('A', VRID), 'MASTER');
  assert.deepEqual(actionsAt(lan, 'A', t), ['advert:150', 'garp:5', 'NotifyMasterRxLowerPri']);
  assert.deepEqual(advertTimes(lan, 'A').filter((x) => x >= aAdvert(3)), [aAdvert(3), t, t + SEC_US, t + 2 * SEC_US]);
  assert.ok(logs(lan, 'A', t, t).some((l) => /lower priority 50, ours 150, forcing new election/.test(l)));
});

test('#48 lower_prio_no_advert: the master stays silent to a lower advert (RFC 3768 discard), schedule unchanged', () => {
  const lan = harness({ a: { lowerPrioNoAdvert: true } });
  const t = aAdvert(3) + 400_000;
  lan.inject('A', forge({ prio: 50 }), t);
  lan.runUntil(aAdvert(6));
  assert.deepEqual(advertTimes(lan, 'A').filter((x) => x >= aAdvert(3)), [aAdvert(3), aAdvert(4), aAdvert(5), aAdvert(6)]);
  assert.equal(lan.stateOf('A', VRID), 'MASTER');
});

test('#49 §6.4.3 priority 0 at a master: own advert at the same µs, next periodic advert 1 s after the reply', () => {
  const lan = harness();
  const t = aAdvert(3) + 700_000;
  lan.inject('A', forge({ prio: 0 }), t);
  lan.runUntil(t + 2 * SEC_US);
  assert.deepEqual(actionsAt(lan, 'A', t), ['advert:150']);
  assert.deepEqual(advertTimes(lan, 'A').filter((x) => x >= aAdvert(3)), [aAdvert(3), t, t + SEC_US, t + 2 * SEC_US]);
});

test('preempt_delay (keepalived B4): a higher backup accepts lower adverts for preempt_delay after the first one, then preempts one MDI later', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 150, preemptDelayUs: 10_500_000 }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.start('B', 0);
  const ts = 10_250_000;
  lan.start('A', ts);
  lan.runUntil(ts + 30 * SEC_US);
  const bAdverts = advertTimes(lan, 'B');
  const a0 = bAdverts.find((x) => x > ts) ?? 0; // first lower advert A hears: arms preempt_time = a0 + 10.5 s
  const lastAccepted = a0 + 10 * SEC_US; // adverts with preempt_time > now are accepted (k = 0..10)
  const up = lastAccepted + mdiUs(150);
  assert.deepEqual(states(lan, 'A'), [`BACKUP@${ts}`, `MASTER@${up}`], lan.dump(30));
  assert.deepEqual(states(lan, 'B').slice(-1), [`BACKUP@${up}`]);
  assert.ok(up > ts + mdiUs(150) + 10 * SEC_US);
});

test('preempt_delay never delays a takeover from a dead master', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 150, preemptDelayUs: 30 * SEC_US }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.start('B', 0);
  lan.start('A', 10_250_000);
  const bLast = 3_609_375 + 12 * SEC_US;
  lan.kill('B', bLast + 1);
  lan.runUntil(bLast + 10 * SEC_US);
  assert.equal(advertTimes(lan, 'A')[0], bLast + mdiUs(150));
});

test('#51 §6.4.3 split brain heals within one advert: the lower master yields at the first advert after the heal', () => {
  const lan = harness();
  lan.partition([['A'], ['B']], aAdvert(2) + 100_000);
  lan.runUntil(aAdvert(12));
  assert.deepEqual(lan.masters(VRID).sort(), ['A', 'B']);
  assert.deepEqual(lan.vipHolders(VRID).sort(), ['A', 'B']);
  const heal = aAdvert(12) + 500_000;
  lan.heal(heal);
  lan.runUntil(heal + 1_100_000);
  const nextA = aAdvert(13);
  const nextB = advertTimes(lan, 'B').find((x) => x > heal) ?? Infinity;
  const yieldAt = Math.min(nextA, nextB);
  assert.ok(yieldAt - heal <= SEC_US);
  assert.deepEqual(states(lan, 'B').slice(-1), [`BACKUP@${yieldAt}`], lan.dump(30));
  assert.deepEqual(lan.masters(VRID), ['A']);
  assert.deepEqual(lan.vipHolders(VRID), ['A']);
});

test('#51 §6.4.3 split brain between equal priorities heals to the higher address', () => {
  const lan = harness({ a: { basePriority: 100 } });
  lan.partition([['A'], ['B']], 0);
  lan.runUntil(10 * SEC_US);
  assert.deepEqual(lan.masters(VRID).sort(), ['A', 'B']);
  lan.heal(10 * SEC_US);
  lan.runUntil(11_100_000);
  assert.deepEqual(lan.masters(VRID), ['B']);
  assert.deepEqual(lan.vipHolders(VRID), ['B']);
});

test('#52 §4.2 two VRIDs on one LAN are independent: each node masters one; killing one moves only its VRID', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: 51, basePriority: 150 }, { vrid: 52, basePriority: 100 }]);
  lan.addRouter('B', B_IP, [{ vrid: 51, basePriority: 100 }, { vrid: 52, basePriority: 150 }]);
  lan.start('A', 0);
  lan.start('B', 0);
  lan.runUntil(20 * SEC_US);
  assert.deepEqual(lan.masters(51), ['A']);
  assert.deepEqual(lan.masters(52), ['B']);
  assert.deepEqual(lan.vipHolders(51), ['A']);
  assert.deepEqual(lan.vipHolders(52), ['B']);
  const aLast = advertTimes(lan, 'A', 51).at(-1) ?? 0;
  lan.kill('A', 20 * SEC_US);
  lan.runUntil(40 * SEC_US);
  assert.deepEqual(lan.masters(51), ['B']);
  assert.equal(advertTimes(lan, 'B', 51)[0], aLast + mdiUs(100));
  assert.deepEqual(states(lan, 'B', 52), ['BACKUP@0', `MASTER@${mdiUs(150)}`], 'VRID 52 never moved');
  const b52 = advertTimes(lan, 'B', 52);
  assert.ok(b52.every((t, i) => i === 0 || t - (b52[i - 1] ?? 0) === SEC_US), 'VRID 52 kept its schedule');
});

// =============================================================================================
// E. Reliability

test('#62 crash failover bound: the VIP is on the backup exactly MDI after the master\'s last advert', () => {
  const lan = harness();
  const last = aAdvert(7);
  lan.kill('A', last + 999_999);
  lan.runUntil(last + 5 * SEC_US);
  const add = lan.actions({ router: 'B', type: 'AddVips' })[0]?.tUs;
  assert.equal(add, last + mdiUs(100));
});

test('#63 graceful handover bound: the VIP is on the backup exactly Skew_Time after SIGTERM', () => {
  const lan = harness();
  const t = aAdvert(7) + 3;
  lan.shutdown('A', t);
  lan.runUntil(t + 2 * SEC_US);
  assert.equal(lan.actions({ router: 'B', type: 'AddVips' })[0]?.tUs, t + skewUs(100));
  assert.deepEqual(lan.vipHolders(VRID), ['B']);
});

test('#64 restart after a crash removes the stale VIP before entering Backup, and does not flap', () => {
  const lan = harness();
  const last = aAdvert(3);
  lan.kill('A', last + 1);
  lan.runUntil(last + 6 * SEC_US);
  assert.deepEqual(lan.vipHolders(VRID).sort(), ['A', 'B'], 'stale VIP on the killed node (D5)');
  const tr = last + 6 * SEC_US;
  lan.restart('A', tr);
  lan.runUntil(tr);
  assert.deepEqual(actionsAt(lan, 'A', tr), ['RemoveVips', 'notify:BACKUP']);
  assert.deepEqual(lan.vipHolders(VRID), ['B']);
  lan.runUntil(tr + 30 * SEC_US);
  const after = lan.transitions('A', VRID).filter((x) => x.tUs >= tr);
  assert.ok(after.length <= 2, states(lan, 'A').join(' '));
  assert.deepEqual(after.map((x) => x.state), ['BACKUP', 'MASTER']);
  assert.equal(after[1]?.tUs, tr + mdiUs(150), 'A preempts after its own MDI');
  const firstAdd = lan.actions({ router: 'A', type: 'AddVips', fromUs: tr })[0]?.tUs;
  assert.equal(firstAdd, tr + mdiUs(150), 'no VIP on the restarted node until it wins');
  assert.deepEqual(lan.vipHolders(VRID), ['A']);
});

test('#65 100 VIPs and 1 000 invalid adverts/s for 20 s: adverts stay exactly on schedule, no takeover', () => {
  const vips = Array.from({ length: 100 }, (_, i) => `10.77.${1 + Math.floor(i / 200)}.${(i % 200) + 1}`);
  const lan = harness({ a: { vips }, b: { vips } });
  const bad = [
    forge({ ttl: 254, params: { vips } }),
    forge({ params: { vips }, mutate: (m) => (m[7] = (m[7] ?? 0) ^ 1), keepChecksum: true }),
  ];
  for (let i = 0; i < 20_000; i++) lan.injectAll(bad[i % 2] as ReceivedPacket, 4 * SEC_US + i * 1000);
  lan.runUntil(26 * SEC_US);
  assertMasterKept(lan, A_UP, 26 * SEC_US);
  const gaps = advertTimes(lan, 'A').map((t, i, a) => t - (a[i - 1] ?? t - SEC_US));
  assert.ok(gaps.every((g) => g === SEC_US));
});

// =============================================================================================
// keepalived behaviours the checklist items lean on (reference part (b), B3–B8, B10)

test('B3 keepalived: an equal-priority advert from our own address only warns; the master stays and sends nothing extra', () => {
  const lan = harness();
  const t = aAdvert(2) + 300_000;
  lan.inject('A', forge({ prio: 150, src: A_IP }), t);
  lan.runUntil(aAdvert(4));
  assert.equal(lan.stateOf('A', VRID), 'MASTER');
  assert.deepEqual(actionsAt(lan, 'A', t), []);
  assert.ok(logs(lan, 'A', t, t).some((l) => /equal priority advert received from remote host with our IP address/.test(l)));
  assert.deepEqual(advertTimes(lan, 'A').filter((x) => x >= aAdvert(2)), [aAdvert(2), aAdvert(3), aAdvert(4)]);
});

test('B4 preempt_delay: an advert of higher-or-equal priority clears it; the next lower advert starts it again', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 150, preemptDelayUs: 10_500_000 }]);
  lan.addRouter('B', B_IP, [{ vrid: VRID, basePriority: 100 }]);
  lan.start('B', 0);
  const ts = 10_250_000;
  lan.start('A', ts);
  const th = 15 * SEC_US;
  lan.inject('A', forge({ prio: 200 }), th);
  lan.runUntil(ts + 40 * SEC_US);
  const aj = advertTimes(lan, 'B').find((x) => x > th) ?? 0;
  const up = aj + 10 * SEC_US + mdiUs(150);
  assert.deepEqual(states(lan, 'A'), [`BACKUP@${ts}`, `MASTER@${up}`], lan.dump(30));
});

test('B5 #48 keepalived: the lower-priority GARP burst is repeated garp_lower_prio_delay (5 s) later', () => {
  const lan = harness();
  const t = aAdvert(3) + 400_000;
  lan.inject('A', forge({ prio: 50 }), t);
  lan.runUntil(t + 20 * SEC_US);
  const garps = lan.actions({ router: 'A', type: 'SendGarp', fromUs: t }).map((a) => [a.tUs, brief(a.action)]);
  assert.deepEqual(garps, [
    [t, 'garp:5'],
    [A_UP + 5 * SEC_US, 'garp:5'], // A's own second takeover burst (D4)
    [t + 5 * SEC_US, 'garp:5'],
  ]);
});

test('B6 keepalived higher_prio_send_advert: the master sends one advert at its own priority before yielding', () => {
  const lan = harness({ a: { higherPrioSendAdvert: true } });
  lan.inject('A', forge({ prio: 200 }), T_INJECT);
  lan.runUntil(T_INJECT);
  assert.deepEqual(actionsAt(lan, 'A', T_INJECT), ['advert:150', 'RemoveVips', 'notify:BACKUP']);
});

test('B8 keepalived vrrp_init_state(): `state MASTER` below 255 waits the full MDI; 255 without `state MASTER` too', () => {
  for (const [prio, wantMaster] of [
    [150, true],
    [255, false],
  ] as const) {
    const lan = newLan();
    lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: prio, wantMaster }]);
    lan.start('A', 0);
    lan.runUntil(10 * SEC_US);
    assert.deepEqual(states(lan, 'A'), ['BACKUP@0', `MASTER@${mdiUs(prio)}`], `prio ${prio} wantMaster ${wantMaster}`);
  }
});

test('B8 keepalived vrrp_down_timer_adverts: Master_Down = N × advert_int + skew (N = 5)', () => {
  const lan = harness({ b: { downTimerAdverts: 5 } });
  lan.kill('A', aAdvert(3) + 1);
  lan.runUntil(aAdvert(3) + 10 * SEC_US);
  assert.equal(advertTimes(lan, 'B')[0], aAdvert(3) + 5 * SEC_US + skewUs(100));
});

test('B10 keepalived vrrp_set_effective_priority(): a tracker raising a backup\'s priority shifts its running Master_Down_Timer', () => {
  const lan = harness();
  const last = aAdvert(2);
  lan.kill('A', last + 1);
  lan.signal('B', VRID, { type: 'PriorityChanged', trackerDelta: 50 }, last + SEC_US);
  lan.runUntil(last + 5 * SEC_US);
  assert.equal(lan.core('B', VRID).effectivePriority, 150);
  assert.equal(advertTimes(lan, 'B')[0], last + mdiUs(150));
});

test('B10 a priority change that moves the Master_Down deadline into the past takes over at once', () => {
  const lan = harness();
  const last = aAdvert(2);
  lan.kill('A', last + 1);
  const tc = last + 3_500_000; // after last + MDI(150) = +3 414 062, before last + MDI(100)
  lan.signal('B', VRID, { type: 'PriorityChanged', trackerDelta: 50 }, tc);
  lan.runUntil(last + 5 * SEC_US);
  assert.equal(advertTimes(lan, 'B')[0], tc);
});

test('B10 keepalived: an owner (255) ignores tracker weights', () => {
  const lan = newLan();
  lan.addRouter('A', A_IP, [{ vrid: VRID, basePriority: 255, wantMaster: true }]);
  lan.start('A', 0);
  lan.signal('A', VRID, { type: 'PriorityChanged', trackerDelta: -100 }, SEC_US / 2);
  lan.runUntil(3 * SEC_US);
  assert.equal(lan.core('A', VRID).effectivePriority, 255);
  assert.deepEqual(lan.adverts({ router: 'A' }).map((a) => a.priority), [255, 255, 255, 255]);
});
