/**
 * Receive validation (RFC 3768 §7.1, keepalived vrrp_check_packet(), reference B1): one forged
 * advert per defect of the checklist's matrix (T05–T18), each with its reason, KO/DROP verdict,
 * stats counter and keepalived 2.2.7's log line; the check order; Ethernet padding; the
 * VIP-list notes; seeded properties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAdvert, setChecksum } from '../../../src/protocol/advert';
import { validateAdvert, type ValidateOptions } from '../../../src/protocol/validate';
import { formatIpv4 } from '../../../src/protocol/ipv4';
import type { InstanceParams, ReceivedPacket, RejectReason, StatCounter } from '../../../src/protocol/types';
import { ascii, fromHex, labFields, labParams, loadVectors, prng, received } from '../../support/protocol-wire';

const MCAST: ValidateOptions = { unicast: false, checkVipAddr: true };
const UCAST: ValidateOptions = { unicast: true, checkVipAddr: true };
const UCAST_PARAMS = labParams({ unicastPeers: ['10.77.0.2'], checkUnicastSrc: true });

/** The lab advert (prio 200 from 10.77.0.60), with `edit` applied and the checksum redone. */
function forged(edit: (m: Uint8Array) => void = () => undefined, fields = {}): Uint8Array {
  const m = encodeAdvert(labFields(fields));
  edit(m);
  setChecksum(m);
  return m;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly packet: ReceivedPacket;
  readonly params?: InstanceParams;
  readonly opts?: ValidateOptions;
  readonly verdict: 'KO' | 'DROP';
  readonly counter: StatCounter;
  readonly message: string;
}

const lab = forged();
const badChecksum = lab.slice();
badChecksum[6] = (lab[6] as number) ^ 0x5a;
badChecksum[7] = (lab[7] as number) ^ 0x5a;
const CASES: Record<RejectReason, readonly Case[]> = {
  too_short: [
    { name: 'T09 8 octets short', packet: received(lab.subarray(0, 12)), verdict: 'KO', counter: 'packet_len_err', message: 'vrrp packet too short, length 32 and expect 40' },
    { name: 'T17 Count 2 but one address', packet: received(forged((m) => { m[3] = 2; })), verdict: 'KO', counter: 'packet_len_err', message: 'vrrp packet too short, length 40 and expect 44' },
    { name: 'shorter than the header', packet: received(lab.subarray(0, 6)), verdict: 'KO', counter: 'packet_len_err', message: 'vrrp packet too short, length 26 and expect 36' },
    { name: 'Ethernet padding is not taken for the missing octets', packet: received(concat(lab.subarray(0, 12), lab.subarray(12), new Uint8Array(6)), { ipTotalLength: 32 }), verdict: 'KO', counter: 'packet_len_err', message: 'vrrp packet too short, length 32 and expect 40' },
  ],
  length_mismatch: [
    { name: 'T06 version 3 in a v2 layout (keepalived: too long)', packet: received(forged((m) => { m[0] = 0x31; })), verdict: 'KO', counter: 'packet_len_err', message: 'vrrp packet too long, length 40 and expect 32' },
    { name: 'extra octets inside the IP Total Length', packet: received(concat(lab, new Uint8Array(4))), verdict: 'KO', counter: 'packet_len_err', message: 'vrrp packet too long, length 44 and expect 40' },
  ],
  ttl: [
    { name: 'T05 TTL 254', packet: received(lab, { ttl: 254 }), verdict: 'KO', counter: 'ip_ttl_err', message: 'invalid TTL/HL. Received 254 and expect 255' },
    { name: 'TTL 1 (routed)', packet: received(lab, { ttl: 1 }), verdict: 'KO', counter: 'ip_ttl_err', message: 'invalid TTL/HL. Received 1 and expect 255' },
  ],
  version: [
    { name: 'version 3 in a v3 layout', packet: received(fromHex('3133c8010064 0000 0a4d0064')), verdict: 'KO', counter: 'version_err', message: 'wrong version. Received 3 and expect 2' },
    { name: 'version 1 without auth octets', packet: received(fromHex('1133c8010101 0000 0a4d0064')), verdict: 'KO', counter: 'version_err', message: 'wrong version. Received 1 and expect 2' },
  ],
  invalid_authtype: [
    { name: 'auth type 3', packet: received(forged((m) => { m[4] = 3; })), verdict: 'KO', counter: 'invalid_authtype', message: 'Invalid auth type: 3' },
    { name: 'auth type 255', packet: received(forged((m) => { m[4] = 255; })), verdict: 'KO', counter: 'invalid_authtype', message: 'Invalid auth type: 255' },
  ],
  authtype_mismatch: [
    { name: 'T11 auth 0 when PASS', packet: received(forged(undefined, { authType: 0 })), verdict: 'KO', counter: 'authtype_mismatch', message: 'received a 0 auth, expecting 1!' },
    { name: 'T13 auth 2 (AH)', packet: received(forged((m) => { m[4] = 2; })), verdict: 'KO', counter: 'authtype_mismatch', message: 'received a 2 auth, expecting 1!' },
    { name: 'PASS to an instance without auth', packet: received(lab), params: labParams({ auth: null }), verdict: 'KO', counter: 'authtype_mismatch', message: 'received a 1 auth, expecting 0!' },
  ],
  auth_failure: [
    { name: 'T12 wrong password', packet: received(forged(undefined, { password: ascii('wr0ng') })), verdict: 'KO', counter: 'auth_failure', message: 'received an invalid passwd!' },
    { name: 'all 8 octets compared (8th differs)', packet: received(forged((m) => { m[19] = 1; })), verdict: 'KO', counter: 'auth_failure', message: 'received an invalid passwd!' },
  ],
  adver_int_mismatch: [
    { name: 'T14 adver 2 when local is 1', packet: received(forged(undefined, { adverIntSec: 2 })), verdict: 'DROP', counter: 'advert_interval_err', message: "advertisement interval mismatch mine=1 sec rcv'd=2 sec" },
    { name: 'adver 0', packet: received(forged(undefined, { adverIntSec: 0 })), verdict: 'DROP', counter: 'advert_interval_err', message: "advertisement interval mismatch mine=1 sec rcv'd=0 sec" },
  ],
  type: [
    { name: 'T07 type 2', packet: received(forged((m) => { m[0] = 0x22; })), verdict: 'KO', counter: 'invalid_type_rcvd', message: 'Invalid packet type. 2 and expect 1' },
    { name: 'type 0', packet: received(forged((m) => { m[0] = 0x20; })), verdict: 'KO', counter: 'invalid_type_rcvd', message: 'Invalid packet type. 0 and expect 1' },
  ],
  ip_total_length: [
    { name: 'Total Length claims more than arrived', packet: received(lab, { ipTotalLength: 44 }), verdict: 'KO', counter: 'packet_len_err', message: 'ip_tot_len mismatch against received length. 44 and received 40' },
  ],
  checksum: [
    { name: 'T08 checksum XOR 0x5a5a', packet: received(badChecksum), verdict: 'KO', counter: 'checksum_err', message: 'Invalid VRRPv2 checksum' },
  ],
  vrid: [
    { name: 'T10 VRID 52', packet: received(forged(undefined, { vrid: 52 })), verdict: 'DROP', counter: 'vrid_err', message: 'received VRID mismatch. Received 52, Expected 51' },
  ],
  mcast_unicast_mismatch: [
    { name: 'T18 unicast destination on a multicast instance', packet: received(lab, { dstIp: '10.77.0.1' }), verdict: 'KO', counter: 'mcast_unicast_mismatch', message: 'Expected multicast packet but received unicast packet' },
    { name: 'multicast destination on a unicast instance', packet: received(lab, { srcIp: '10.77.0.2' }), params: UCAST_PARAMS, opts: UCAST, verdict: 'KO', counter: 'mcast_unicast_mismatch', message: 'Expected unicast packet but received multicast packet' },
  ],
  unicast_src: [
    { name: 'source not a configured peer', packet: received(lab, { dstIp: '10.77.0.1', ttl: 64 }), params: UCAST_PARAMS, opts: UCAST, verdict: 'KO', counter: 'unicast_src_err', message: 'unicast source address 10.77.0.60 not a unicast peer' },
  ],
};

for (const [reason, cases] of Object.entries(CASES) as [RejectReason, readonly Case[]][]) {
  for (const c of cases) {
    test(`§7.1 ${reason}: ${c.name} → ${c.verdict} ${c.counter} (keepalived vrrp_check_packet)`, () => {
      const v = validateAdvert(c.packet, c.params ?? labParams(), c.opts ?? MCAST);
      assert.deepEqual(v, { ok: false, reason, verdict: c.verdict, counter: c.counter, message: `(VI_1) ${c.message}` });
    });
  }
}

test('every RejectReason has at least one forged packet; only VRID and interval are DROP', () => {
  const all: RejectReason[] = ['too_short', 'length_mismatch', 'ttl', 'version', 'invalid_authtype', 'authtype_mismatch', 'auth_failure', 'adver_int_mismatch', 'type', 'ip_total_length', 'checksum', 'vrid', 'mcast_unicast_mismatch', 'unicast_src'];
  assert.deepEqual(Object.keys(CASES).sort(), [...all].sort());
  for (const r of all) assert.ok((CASES[r]?.length ?? 0) > 0, r);
  const drops = all.filter((r) => CASES[r].every((c) => c.verdict === 'DROP'));
  assert.deepEqual(drops, ['adver_int_mismatch', 'vrid']);
});

test('§6.4.3 control T01: a valid prio 200 advert is accepted with its fields and no notes', () => {
  const v = validateAdvert(received(lab), labParams(), MCAST);
  assert.ok(v.ok);
  assert.equal(v.advert.priority, 200);
  assert.equal(v.advert.vrid, 51);
  assert.deepEqual(v.advert.addresses, ['10.77.0.100']);
  assert.deepEqual(v.notes, []);
});

test('§7.1 keepalived 2.2.7 full frame golden vector validates, with and without Ethernet padding', () => {
  const f = loadVectors().frames[0];
  assert.ok(f);
  const frame = fromHex(f.hex);
  const ip = frame.subarray(14, 34);
  const pkt = { srcIp: f.srcIp, dstIp: f.dstIp, ttl: ip[8] as number, ipTotalLength: ((ip[2] as number) << 8) | (ip[3] as number), ipHeaderLength: ((ip[0] as number) & 0x0f) * 4 };
  const padded = concat(frame, new Uint8Array(60 - frame.length)); // minimum Ethernet frame
  for (const payload of [frame.subarray(34), padded.subarray(34)]) {
    const v = validateAdvert({ ...pkt, payload }, labParams(), MCAST);
    assert.ok(v.ok, `payload of ${payload.length}`);
    assert.equal(v.advert.priority, 100);
    assert.equal(v.advert.checksum, 0x64ff);
  }
});

test('§7.1 Ethernet padding tolerated: 0-VIP advert in a 60-octet frame, padding of any value', () => {
  const m = encodeAdvert(labFields({ addresses: [] }));
  const params = labParams({ vips: [] });
  for (const fill of [0x00, 0xff, 0x5a]) {
    const payload = concat(m, new Uint8Array(60 - 14 - 20 - m.length).fill(fill));
    const v = validateAdvert(received(payload, { ipTotalLength: 36 }), params, MCAST);
    assert.ok(v.ok, `fill ${fill}`);
    assert.deepEqual(v.notes, []);
  }
});

test('§7.1 TTL is not checked on a unicast instance (keepalived, reference B9)', () => {
  const v = validateAdvert(received(lab, { srcIp: '10.77.0.2', dstIp: '10.77.0.1', ttl: 64 }), UCAST_PARAMS, UCAST);
  assert.ok(v.ok);
});

test('keepalived check_unicast_src: off by default, peers matched by address', () => {
  const pkt = received(lab, { dstIp: '10.77.0.1', ttl: 64 });
  assert.ok(validateAdvert(pkt, labParams({ unicastPeers: ['10.77.0.2'] }), UCAST).ok, 'any source without the check');
  assert.ok(validateAdvert(pkt, labParams({ unicastPeers: ['10.77.0.2', '10.77.0.60'], checkUnicastSrc: true }), UCAST).ok);
  const off = validateAdvert(pkt, UCAST_PARAMS, { unicast: true, checkVipAddr: false });
  assert.ok(!off.ok && off.reason === 'unicast_src', 'checked even when the VIP list is not (keepalived HEAD)');
});

test('§5.3.10 auth none: the auth octets are ignored on reception', () => {
  const m = forged((x) => { x.set(ascii('garbage!'), 12); }, { authType: 0 });
  assert.ok(validateAdvert(received(m), labParams({ auth: null }), MCAST).ok);
});

test('§5.3.10 a configured password longer than 8 characters is compared on its first 8', () => {
  const params = labParams({ auth: { type: 'PASS', password: ascii('s3cr3t-and-more') } });
  assert.ok(validateAdvert(received(forged(undefined, { password: ascii('s3cr3t-a') })), params, MCAST).ok);
  const v = validateAdvert(received(forged(undefined, { password: ascii('s3cr3t-b') })), params, MCAST);
  assert.ok(!v.ok && v.reason === 'auth_failure');
});

test('§7.1 Adver Int compared to ours in whole seconds (keepalived advert_int × TIMER_HZ)', () => {
  const m3 = received(forged(undefined, { adverIntSec: 3 }));
  assert.ok(validateAdvert(m3, labParams({ advertIntUs: 3_000_000 }), MCAST).ok);
  const v = validateAdvert(received(lab), labParams({ advertIntUs: 1_500_000 }), MCAST);
  assert.ok(!v.ok && v.reason === 'adver_int_mismatch' && v.message.endsWith("mine=1 sec rcv'd=1 sec"));
});

test('§6.4.2 a priority 0 advert passes validation (the instance reacts and counts it)', () => {
  const v = validateAdvert(received(forged(undefined, { priority: 0 })), labParams(), MCAST);
  assert.ok(v.ok);
  assert.equal(v.advert.priority, 0);
});

test('§7.1 T15 Count 2 with an extra address: accepted with an addr_list_err note (RFC 9568)', () => {
  const v = validateAdvert(received(forged(undefined, { addresses: ['10.77.0.100', '10.77.0.101'] })), labParams(), MCAST);
  assert.ok(v.ok);
  assert.deepEqual(v.notes, [{ counter: 'addr_list_err', message: '(VI_1) received an invalid ip number count 2, expected 1!' }]);
});

test('§7.1 T16 a different address: accepted with keepalived\'s "not present in MASTER advert" note', () => {
  const v = validateAdvert(received(forged(undefined, { addresses: ['10.77.0.99'] })), labParams(), MCAST);
  assert.ok(v.ok);
  assert.deepEqual(v.notes, [
    { counter: 'addr_list_err', message: '(VI_1) ip address associated with VRID 51 not present in MASTER advert : 10.77.0.100' },
  ]);
});

test('§7.1 VIP list: order does not matter; checkVipAddr false (skip_check_adv_addr) skips it', () => {
  const vips = ['192.168.1.1', '10.0.0.254', '172.16.31.7'];
  const m = forged(undefined, { addresses: ['172.16.31.7', '192.168.1.1', '10.0.0.254'] });
  const same = validateAdvert(received(m), labParams({ vips }), MCAST);
  assert.ok(same.ok && same.notes.length === 0);
  const other = forged(undefined, { addresses: ['10.77.0.99'] });
  const skipped = validateAdvert(received(other), labParams(), { unicast: false, checkVipAddr: false });
  assert.ok(skipped.ok && skipped.notes.length === 0);
  const none = validateAdvert(received(lab), labParams({ vips: [] }), MCAST);
  assert.ok(none.ok);
  assert.deepEqual(none.notes.map((n) => n.message), ['(VI_1) received an invalid ip number count 1, expected 0!']);
});

/** Chain of independent defects in keepalived's order: peel them off one at a time. */
function chained(defects: ReadonlySet<RejectReason>, unicast: boolean): ReceivedPacket {
  const m = forged((x) => {
    if (defects.has('invalid_authtype')) x[4] = 3;
    if (defects.has('type')) x[0] = 0x22;
  }, { vrid: defects.has('vrid') ? 52 : 51, adverIntSec: defects.has('adver_int_mismatch') ? 2 : 1 });
  if (defects.has('checksum')) m[7] = (m[7] as number) ^ 0x01;
  const wrongDst = defects.has('mcast_unicast_mismatch');
  return received(m, {
    ttl: defects.has('ttl') ? 254 : 255,
    ipTotalLength: defects.has('ip_total_length') ? 44 : 40,
    dstIp: unicast !== wrongDst ? '10.77.0.1' : '224.0.0.18',
    srcIp: defects.has('unicast_src') ? '10.77.0.60' : '10.77.0.2',
  });
}

test('B1 check order (multicast): ttl, auth type, interval, type, ip_tot_len, checksum, VRID, destination', () => {
  const order: RejectReason[] = ['ttl', 'invalid_authtype', 'adver_int_mismatch', 'type', 'ip_total_length', 'checksum', 'vrid', 'mcast_unicast_mismatch'];
  for (let k = 0; k <= order.length; k++) {
    const v = validateAdvert(chained(new Set(order.slice(k)), false), labParams(), MCAST);
    assert.equal(v.ok ? 'ok' : v.reason, order[k] ?? 'ok', `defects from ${order[k] ?? 'none'}`);
  }
});

test('B1 check order (unicast): checksum, VRID, destination, unicast source', () => {
  const order: RejectReason[] = ['checksum', 'vrid', 'mcast_unicast_mismatch', 'unicast_src'];
  for (let k = 0; k <= order.length; k++) {
    const v = validateAdvert(chained(new Set(order.slice(k)), true), UCAST_PARAMS, UCAST);
    assert.equal(v.ok ? 'ok' : v.reason, order[k] ?? 'ok', `defects from ${order[k] ?? 'none'}`);
  }
});

test('B1 check order: length before TTL before version, version before auth, auth before interval, rejection before notes', () => {
  const reasonOf = (p: ReceivedPacket, params = labParams()) => {
    const v = validateAdvert(p, params, MCAST);
    return v.ok ? 'ok' : v.reason;
  };
  assert.equal(reasonOf(received(lab.subarray(0, 12), { ttl: 1 })), 'too_short');
  assert.equal(reasonOf(received(forged((m) => { m[0] = 0x31; }), { ttl: 1 })), 'length_mismatch');
  assert.equal(reasonOf(received(fromHex('3133c8010364 0000 0a4d0064'))), 'version');
  assert.equal(reasonOf(received(fromHex('3133c8010064 0000 0a4d0064'), { ttl: 254 })), 'ttl');
  assert.equal(reasonOf(received(forged(undefined, { authType: 0, adverIntSec: 2 }))), 'authtype_mismatch');
  assert.equal(reasonOf(received(forged(undefined, { password: ascii('x'), adverIntSec: 2 }))), 'auth_failure');
  const countAndChecksum = forged(undefined, { addresses: ['10.77.0.100', '10.77.0.101'] });
  countAndChecksum[6] = (countAndChecksum[6] as number) ^ 0xff;
  assert.equal(reasonOf(received(countAndChecksum)), 'checksum');
});

test('§7.1 every single-bit flip of a valid advert is rejected (checksum or earlier check)', () => {
  const vectors = loadVectors().adverts.filter((a) => a.name === 'prio 150' || a.name.startsWith('3 VIPs'));
  for (const vec of vectors) {
    const params = labParams({ vrid: vec.fields.vrid, advertIntUs: vec.fields.adverIntSec * 1_000_000, vips: vec.fields.addresses, auth: { type: 'PASS', password: ascii(vec.fields.password) } });
    const good = fromHex(vec.hex);
    assert.ok(validateAdvert(received(good), params, MCAST).ok, vec.name);
    for (let bit = 0; bit < good.length * 8; bit++) {
      const bad = good.slice();
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (0x80 >> (bit & 7));
      const v = validateAdvert(received(bad, { ipTotalLength: 20 + good.length }), params, MCAST);
      assert.equal(v.ok, false, `${vec.name} bit ${bit}`);
    }
  }
});

test('property: 500 seeded random valid adverts with random padding are accepted as encoded', () => {
  const r = prng(0xadbe4751);
  for (let i = 0; i < 500; i++) {
    const vrid = 1 + r.int(255);
    const adverIntSec = 1 + r.int(255);
    const vips = Array.from({ length: r.int(20) }, () => formatIpv4(r.bytes(4)));
    const password = r.bytes(1 + r.int(8)).map((b) => 1 + (b % 255));
    const withAuth = r.int(2) === 1;
    const params = labParams({ vrid, advertIntUs: adverIntSec * 1_000_000, vips, auth: withAuth ? { type: 'PASS', password } : null });
    const m = encodeAdvert({ vrid, priority: r.int(256), adverIntSec, addresses: vips, authType: withAuth ? 1 : 0, password });
    const payload = concat(m, r.bytes(r.int(30)));
    const v = validateAdvert(received(payload, { ipTotalLength: 20 + m.length }), params, MCAST);
    assert.ok(v.ok, `case ${i}: ${v.ok ? '' : v.message}`);
    assert.deepEqual(v.notes, [], `case ${i}`);
    assert.deepEqual(v.advert.addresses, vips, `case ${i}`);
    assert.equal(v.advert.priority, m[2], `case ${i}`);
  }
});
