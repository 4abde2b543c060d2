/**
 * The IPv4 header the socket adapter puts around an advert (keepalived vrrp_build_ip4(),
 * reference B20) and the parse of received headers. Golden: the header of keepalived 2.2.7's
 * captured frame (rfc3768-checklist.md §6.4, test/vectors/adverts.json), checksum 0xd043 with
 * id 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIpv4Header, buildIpv4Packet, parseIpv4Header } from '../../../src/io/ipv4-header';
import { encodeAdvert } from '../../../src/protocol/advert';
import { internetChecksum } from '../../../src/protocol/checksum';
import { fromHex, labFields, loadVectors, toHex } from '../../support/protocol-wire';

const GOLDEN_HEADER = '45c0 0028 0001 0000 ff70 d043 0a4d0002 e0000012';

test('B20 golden: keepalived 2.2.7 header (id 1, 10.77.0.2 -> 224.0.0.18) reproduced, checksum 0xd043', () => {
  const h = buildIpv4Header({ src: '10.77.0.2', dst: '224.0.0.18', payloadLength: 20, id: 1 });
  assert.equal(toHex(h), toHex(fromHex(GOLDEN_HEADER)));
  assert.equal((h[10] as number) * 256 + (h[11] as number), 0xd043);
  assert.equal(internetChecksum(h), 0, 'the header verifies');
});

test('B20 golden: the whole captured frame = Ethernet + our header + our advert', () => {
  const frame = loadVectors().frames.find((f) => f.name === 'full frame (B, prio 100)');
  assert.ok(frame);
  const advert = encodeAdvert(labFields({ priority: 100 }));
  const packet = buildIpv4Packet({ src: '10.77.0.2', dst: '224.0.0.18', id: 1 }, advert);
  assert.equal(toHex(packet), frame.hex.slice(28), 'frame after the 14-octet Ethernet header');
});

test('B20 defaults: §5.2.3 TTL 255, TOS 0xC0, §5.2.4 proto 112, id 0, DF clear, IHL 5', () => {
  const h = buildIpv4Header({ src: '10.77.0.1', dst: '224.0.0.18', payloadLength: 20 });
  assert.equal(h.length, 20);
  assert.equal(h[0], 0x45);
  assert.equal(h[1], 0xc0);
  assert.deepEqual([h[2], h[3]], [0, 40], 'total length 20 + 20');
  assert.deepEqual([h[4], h[5], h[6], h[7]], [0, 0, 0, 0], 'id 0 (kernel fills it), no flags, no offset');
  assert.equal(h[8], 255);
  assert.equal(h[9], 112);
  assert.equal(internetChecksum(h), 0);
});

test('B20 unicast_ttl, id and an odd source are carried; the checksum follows', () => {
  const h = buildIpv4Header({ src: '192.168.255.254', dst: '10.0.0.9', payloadLength: 1056, ttl: 64, id: 0xbeef });
  assert.equal(h[8], 64);
  assert.deepEqual([h[4], h[5]], [0xbe, 0xef]);
  assert.deepEqual([h[2], h[3]], [0x04, 0x34], '1076 octets');
  assert.equal(internetChecksum(h), 0);
  const p = parseIpv4Header(h);
  assert.deepEqual(p, { src: '192.168.255.254', dst: '10.0.0.9', ttl: 64, totalLength: 1076, headerLength: 20, protocol: 112 });
});

test('buildIpv4Header rejects what cannot go on the wire', () => {
  const ok = { src: '10.0.0.1', dst: '224.0.0.18', payloadLength: 20 };
  assert.throws(() => buildIpv4Header({ ...ok, src: '10.0.0.256' }), RangeError);
  assert.throws(() => buildIpv4Header({ ...ok, dst: 'eth0' }), RangeError);
  assert.throws(() => buildIpv4Header({ ...ok, ttl: 256 }), RangeError);
  assert.throws(() => buildIpv4Header({ ...ok, ttl: 1.5 }), RangeError);
  assert.throws(() => buildIpv4Header({ ...ok, id: 0x10000 }), RangeError);
  assert.throws(() => buildIpv4Header({ ...ok, payloadLength: 65516 }), RangeError);
  assert.throws(() => buildIpv4Header({ ...ok, payloadLength: -1 }), RangeError);
});

test('parseIpv4Header reads the captured keepalived header as received from a raw socket', () => {
  const bytes = fromHex(`${GOLDEN_HEADER} 21336401010164ff0a4d00647333637233740000`);
  assert.deepEqual(parseIpv4Header(bytes), { src: '10.77.0.2', dst: '224.0.0.18', ttl: 255, totalLength: 40, headerLength: 20, protocol: 112 });
});

test('parseIpv4Header reports options (IHL 6) and a TTL as found, judging nothing', () => {
  const h = fromHex('46c0 002c 0000 0000 fe70 0000 0a4d0002 e0000012 94040000');
  const p = parseIpv4Header(h);
  assert.ok(p);
  assert.equal(p.headerLength, 24);
  assert.equal(p.ttl, 254);
  assert.equal(p.totalLength, 44);
});

test('parseIpv4Header refuses what is not a complete IPv4 header', () => {
  const good = fromHex(GOLDEN_HEADER);
  assert.equal(parseIpv4Header(good.subarray(0, 19)), null, 'too short');
  assert.equal(parseIpv4Header(Uint8Array.from([0x65, ...good.subarray(1)])), null, 'version 6');
  assert.equal(parseIpv4Header(Uint8Array.from([0x44, ...good.subarray(1)])), null, 'IHL 4');
  assert.equal(parseIpv4Header(Uint8Array.from([0x46, ...good.subarray(1)])), null, 'IHL 6 but 20 octets');
});

test('parseIpv4Header at an offset into a larger buffer (the batch reader\'s slots): the same fields; out of bounds is null', () => {
  const packet = buildIpv4Packet({ src: '10.77.0.1', dst: '224.0.0.18', ttl: 255 }, new Uint8Array(20));
  const slots = new Uint8Array(3 * 64);
  slots.set(packet, 64);
  assert.deepEqual(parseIpv4Header(slots, 64, packet.length), parseIpv4Header(packet));
  assert.equal(parseIpv4Header(slots, 64, 19), null, 'shorter than a header');
  assert.equal(parseIpv4Header(slots, 180, 20), null, 'past the end of the buffer');
  assert.equal(parseIpv4Header(slots, -1, 20), null);
});
