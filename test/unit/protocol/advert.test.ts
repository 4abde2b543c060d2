/**
 * The VRRPv2 wire format (RFC 3768 §5): encode/decode against keepalived 2.2.7's captured
 * adverts (test/vectors/adverts.json), the RFC 1071 checksum, the constants, and seeded
 * round-trip properties. Deterministic: the PRNG seeds are fixed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAdvert, encodeAdvert, passAuthData, setChecksum, type AdvertFields } from '../../../src/protocol/advert';
import { internetChecksum, onesComplementSum } from '../../../src/protocol/checksum';
import {
  IPPROTO_VRRP,
  VRRP_MCAST_GROUP,
  VRRP_TOS,
  VRRP_TTL,
  advertLength,
  virtualRouterMac,
  vrrpMulticastMac,
} from '../../../src/protocol/constants';
import { formatIpv4, ipv4Octets } from '../../../src/protocol/ipv4';
import type { AuthType } from '../../../src/protocol/types';
import { ascii, fromHex, labFields, loadVectors, prng, toHex, vectorFields } from '../../support/protocol-wire';

const { adverts, frames } = loadVectors();

function byName(name: string) {
  const v = adverts.find((a) => a.name === name);
  if (v === undefined) throw new Error(`no vector ${name}`);
  return v;
}

test('vectors file holds the keepalived 2.2.7 captures and the built 0- and 3-VIP vectors', () => {
  assert.deepEqual(
    adverts.map((a) => [a.name, a.origin]),
    [
      ['prio 150', 'keepalived-2.2.7'],
      ['prio 100', 'keepalived-2.2.7'],
      ['prio 0 (shutdown)', 'keepalived-2.2.7'],
      ['0 VIPs, no auth, VRID 1', 'built'],
      ['3 VIPs, PASS truncated to 8 octets, VRID 255, adver_int 3', 'built'],
      ["owner, 3 VIPs (captured by tsvrrpd's own test lab)", 'keepalived-2.2.7'],
    ],
  );
});

for (const v of adverts) {
  test(`§5.3.8 checksum golden vector ${v.name} = ${v.checksum} (keepalived vrrp_build_vrrp_v2)`, () => {
    const bytes = encodeAdvert(vectorFields(v));
    assert.equal(toHex(bytes), v.hex);
    assert.equal(`0x${((bytes[6] as number) * 256 + (bytes[7] as number)).toString(16).padStart(4, '0')}`, v.checksum);
    assert.equal(internetChecksum(bytes), 0, 'a correct message sums to zero');
  });

  test(`§5.1 decodes golden vector ${v.name} field by field`, () => {
    const r = decodeAdvert(fromHex(v.hex));
    assert.ok(r.ok);
    const a = r.advert;
    assert.equal(a.version, 2);
    assert.equal(a.type, 1);
    assert.equal(a.vrid, v.fields.vrid);
    assert.equal(a.priority, v.fields.priority);
    assert.equal(a.countIpAddrs, v.fields.addresses.length);
    assert.equal(a.authType, v.fields.authType);
    assert.equal(a.adverIntSec, v.fields.adverIntSec);
    assert.equal(a.checksum, parseInt(v.checksum, 16));
    assert.deepEqual(a.addresses, v.fields.addresses);
    const auth = v.fields.authType === 1 ? passAuthData(ascii(v.fields.password)) : new Uint8Array(8);
    assert.equal(toHex(a.authData), toHex(auth));
  });
}

test('§5.3.10 PASS "s3cr3t" is sent as 73 33 63 72 33 74 00 00 (keepalived zero-pads)', () => {
  const bytes = fromHex(byName('prio 150').hex);
  assert.equal(toHex(bytes.subarray(12, 20)), '7333637233740000');
  assert.equal(toHex(passAuthData(ascii('s3cr3t'))), '7333637233740000');
});

test('§5.3.10 a PASS password longer than 8 characters is truncated to 8 octets', () => {
  assert.equal(toHex(passAuthData(ascii('longpassword1'))), toHex(ascii('longpass')));
  const bytes = encodeAdvert(labFields({ password: ascii('0123456789') }));
  assert.equal(bytes.length, 20);
  assert.equal(toHex(bytes.subarray(12)), toHex(ascii('01234567')));
});

test('§5.3.10 auth type 0 sends 8 zero octets even when a password is given', () => {
  const bytes = encodeAdvert(labFields({ authType: 0, password: ascii('s3cr3t') }));
  assert.equal(toHex(bytes.subarray(12)), '0000000000000000');
  assert.equal(bytes[4], 0);
});

test('§5.3.8 checksum covers the auth octets: each auth octet changes it', () => {
  const base = encodeAdvert(labFields());
  for (let i = 0; i < 8; i++) {
    const pw = passAuthData(ascii('s3cr3t'));
    pw[i] = (pw[i] as number) ^ 0x01;
    const other = encodeAdvert(labFields({ password: pw }));
    assert.notEqual(toHex(other.subarray(6, 8)), toHex(base.subarray(6, 8)), `auth octet ${i}`);
    // And a message whose auth octet changed after checksumming no longer verifies.
    const tampered = base.slice();
    tampered[12 + i] = (tampered[12 + i] as number) ^ 0x01;
    assert.notEqual(internetChecksum(tampered), 0);
  }
});

test('§5.3.8 no pseudo-header: the checksum depends on the VRRP message alone', () => {
  // Computed over header + addresses + auth with the checksum field zeroed, nothing else.
  const bytes = fromHex(byName('prio 100').hex);
  const zeroed = bytes.slice();
  zeroed[6] = 0;
  zeroed[7] = 0;
  assert.equal(internetChecksum(zeroed), 0x64ff);
  assert.notEqual(internetChecksum(zeroed.subarray(0, 12)), 0x64ff, 'without the auth octets it differs');
});

test('RFC 1071 §3 numerical example: sum of 0001 f203 f4f5 f6f7 is 0xddf2, checksum 0x220d', () => {
  const data = fromHex('0001f203f4f5f6f7');
  assert.equal(onesComplementSum(data), 0xddf2);
  assert.equal(internetChecksum(data), 0x220d);
});

test('RFC 1071: an odd trailing octet is padded with zero; carries fold around', () => {
  assert.equal(internetChecksum(fromHex('0102 03')), ~(0x0102 + 0x0300) & 0xffff);
  assert.equal(onesComplementSum(fromHex('ffff ffff 0001')), 0x0001);
  assert.equal(internetChecksum(new Uint8Array(0)), 0xffff);
});

test('setChecksum() recomputes a forged message in place and returns the value', () => {
  const bytes = fromHex(byName('prio 150').hex);
  bytes[2] = 100;
  assert.notEqual(internetChecksum(bytes), 0);
  assert.equal(setChecksum(bytes), 0x64ff);
  assert.equal(toHex(bytes), byName('prio 100').hex);
  // Trailing padding in the array is not summed: only header + 4×Count + 8 octets are.
  const padded = new Uint8Array(bytes.length + 6).fill(0x77);
  padded.set(bytes);
  assert.equal(setChecksum(padded), 0x64ff);
});

test('§5.2 full frame golden vector: IP header constants and checksum 0xd043, VRRP payload decodes', () => {
  const f = frames[0];
  assert.ok(f);
  const frame = fromHex(f.hex);
  assert.equal(frame.length, 54);
  assert.equal(toHex(frame.subarray(0, 6)), toHex(vrrpMulticastMac()));
  assert.equal(toHex(frame.subarray(12, 14)), '0800');
  const ip = frame.subarray(14, 34);
  assert.equal(ip[0], 0x45);
  assert.equal(ip[1], VRRP_TOS);
  assert.equal((ip[2] as number) * 256 + (ip[3] as number), 20 + advertLength(1));
  assert.equal(ip[8], VRRP_TTL);
  assert.equal(ip[9], IPPROTO_VRRP);
  assert.equal(formatIpv4(ip, 12), f.srcIp);
  assert.equal(formatIpv4(ip, 16), VRRP_MCAST_GROUP);
  assert.equal(internetChecksum(ip), 0, 'IP header checksum verifies');
  const zeroed = ip.slice();
  zeroed[10] = 0;
  zeroed[11] = 0;
  assert.equal(internetChecksum(zeroed), parseInt(f.ipHeaderChecksum, 16));
  assert.equal(toHex(frame.subarray(34)), byName(f.advert).hex);
});

test('§7.3 virtual router MAC is 00-00-5E-00-01-{VRID}', () => {
  assert.equal(toHex(virtualRouterMac(51)), '00005e000133');
  assert.equal(toHex(virtualRouterMac(1)), '00005e000101');
  assert.equal(toHex(virtualRouterMac(255)), '00005e0001ff');
  for (const bad of [0, 256, 1.5, -1]) assert.throws(() => virtualRouterMac(bad), RangeError);
});

test('§5.1 decode tolerates Ethernet padding after header + 4×count + 8 octets', () => {
  for (const v of adverts) {
    const plain = decodeAdvert(fromHex(v.hex));
    const padded = new Uint8Array(fromHex(v.hex).length + 26);
    padded.set(fromHex(v.hex));
    padded.fill(0xa5, fromHex(v.hex).length);
    const r = decodeAdvert(padded);
    assert.ok(plain.ok && r.ok);
    assert.deepEqual(r.advert, plain.advert, v.name);
  }
});

test('§7.1 decode reports too_short for every truncation of a message', () => {
  for (const v of adverts) {
    const bytes = fromHex(v.hex);
    for (let n = 0; n < bytes.length; n++) {
      assert.deepEqual(decodeAdvert(bytes.subarray(0, n)), { ok: false, reason: 'too_short' }, `${v.name} cut to ${n}`);
    }
  }
});

test('decode copies the auth octets: reusing the receive buffer does not change the advert', () => {
  const bytes = fromHex(byName('prio 150').hex);
  const r = decodeAdvert(bytes);
  assert.ok(r.ok);
  bytes.fill(0);
  assert.equal(toHex(r.advert.authData), '7333637233740000');
});

test('decode of a subarray view reads at the right offset (DataView byteOffset)', () => {
  const frame = fromHex(frames[0]?.hex ?? '');
  const r = decodeAdvert(frame.subarray(34));
  assert.ok(r.ok);
  assert.equal(r.advert.checksum, 0x64ff);
  assert.equal(r.advert.priority, 100);
});

test('encode refuses what cannot go on the wire (RangeError, a caller bug)', () => {
  const bad: Partial<AdvertFields>[] = [
    { vrid: 256 },
    { vrid: -1 },
    { priority: 256 },
    { priority: 1.5 },
    { adverIntSec: 256 },
    { adverIntSec: 0.5 },
    { authType: 3 as AuthType },
    { addresses: ['10.77.0.256'] },
    { addresses: ['10.77.0'] },
    { addresses: ['fe80::1'] },
    { addresses: Array.from({ length: 256 }, (_, i) => `10.0.${i >> 8}.${i & 255}`) },
  ];
  for (const b of bad) assert.throws(() => encodeAdvert(labFields(b)), RangeError, JSON.stringify(b).slice(0, 60));
  const max = Array.from({ length: 255 }, (_, i) => `10.0.0.${i}`);
  assert.equal(encodeAdvert(labFields({ addresses: max })).length, 8 + 255 * 4 + 8);
});

function randomFields(r: ReturnType<typeof prng>): AdvertFields {
  const count = r.int(8) === 0 ? r.int(256) : r.int(6);
  const addresses = Array.from({ length: count }, () => formatIpv4(r.bytes(4)));
  const authType = r.int(3) as AuthType;
  return {
    vrid: r.int(256),
    priority: r.int(256),
    adverIntSec: r.int(256),
    addresses,
    authType,
    password: r.bytes(r.int(12)),
  };
}

test('§5 property: decode(encode(f)) returns f, the checksum verifies (2000 seeded cases)', () => {
  const r = prng(0x5eed3768);
  for (let i = 0; i < 2000; i++) {
    const f = randomFields(r);
    const bytes = encodeAdvert(f);
    assert.equal(bytes.length, advertLength(f.addresses.length), `case ${i}`);
    assert.equal(internetChecksum(bytes), 0, `case ${i}`);
    const d = decodeAdvert(bytes);
    assert.ok(d.ok, `case ${i}`);
    const a = d.advert;
    assert.deepEqual(
      [a.version, a.type, a.vrid, a.priority, a.countIpAddrs, a.authType, a.adverIntSec, a.addresses],
      [2, 1, f.vrid, f.priority, f.addresses.length, f.authType, f.adverIntSec, f.addresses],
      `case ${i}`,
    );
    const auth = f.authType === 1 && f.password !== undefined ? passAuthData(f.password) : new Uint8Array(8);
    assert.equal(toHex(a.authData), toHex(auth), `case ${i}`);
  }
});

test('§5 property: encode(decode(m)) reproduces m octet for octet, padding ignored (2000 seeded cases)', () => {
  const r = prng(0x0c0ffee);
  for (let i = 0; i < 2000; i++) {
    const bytes = encodeAdvert(randomFields(r));
    const padded = new Uint8Array(bytes.length + r.int(40));
    padded.set(bytes);
    padded.set(r.bytes(padded.length - bytes.length), bytes.length);
    const d = decodeAdvert(padded);
    assert.ok(d.ok, `case ${i}`);
    const a = d.advert;
    const again = encodeAdvert({
      vrid: a.vrid,
      priority: a.priority,
      adverIntSec: a.adverIntSec,
      addresses: a.addresses,
      authType: a.authType as AuthType,
      password: a.authData,
    });
    // Non-PASS messages carry zero auth octets, so they round-trip too.
    assert.equal(toHex(again), toHex(bytes), `case ${i}`);
    assert.equal(a.checksum, (bytes[6] as number) * 256 + (bytes[7] as number), `case ${i}`);
  }
});

test('ipv4 helpers: dotted quad <-> octets, inet_pton rules', () => {
  assert.equal(toHex(ipv4Octets('10.77.0.100')), '0a4d0064');
  assert.equal(formatIpv4(fromHex('e0000012')), '224.0.0.18');
  for (const bad of ['010.0.0.1', '1.2.3', '1.2.3.4.5', '256.0.0.1', '', ' 1.2.3.4']) {
    assert.throws(() => ipv4Octets(bad), RangeError, bad);
  }
});
