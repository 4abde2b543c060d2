/**
 * The gratuitous ARP frame (RFC 3768 §6.4.1/§6.4.2; keepalived send_gratuitous_arp_immediate(),
 * reference B12), checked octet for octet and field by field against what tshark showed for
 * keepalived 2.2.7 on takeover (checklist §6.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GARP_FRAME_LEN, buildGarpFrame } from '../../../src/protocol/garp';
import { ETHERTYPE_ARP, virtualRouterMac } from '../../../src/protocol/constants';
import { formatIpv4 } from '../../../src/protocol/ipv4';
import { fromHex, toHex } from '../../support/protocol-wire';

const MAC_B = fromHex('a6:8a:75:48:e0:25'); // node B's physical MAC in the checklist capture

test('§6.4.2 GARP golden frame for 10.77.0.100 from a6:8a:75:48:e0:25 (42 octets)', () => {
  const frame = buildGarpFrame(MAC_B, '10.77.0.100');
  assert.equal(GARP_FRAME_LEN, 42);
  assert.equal(
    toHex(frame),
    'ffffffffffff' + 'a68a7548e025' + '0806' + // Ethernet: broadcast, from B, ARP
      '0001' + '0800' + '06' + '04' + '0001' + // Ethernet/IPv4, request
      'a68a7548e025' + '0a4d0064' + // sender: B's MAC, the VIP
      'ffffffffffff' + '0a4d0064', // target: broadcast, the VIP
  );
});

test('checklist §6.3 fields: opcode 1, eth.dst broadcast, sender IP == target IP == VIP, target hw broadcast', () => {
  for (const vip of ['10.77.0.100', '192.168.1.1', '0.0.0.0', '255.255.255.254']) {
    const f = buildGarpFrame(MAC_B, vip);
    const view = new DataView(f.buffer, f.byteOffset, f.byteLength);
    assert.equal(f.length, 42, vip);
    assert.equal(toHex(f.subarray(0, 6)), 'ffffffffffff', `${vip} eth.dst`);
    assert.equal(toHex(f.subarray(6, 12)), toHex(MAC_B), `${vip} eth.src`);
    assert.equal(view.getUint16(12), ETHERTYPE_ARP, `${vip} ethertype`);
    assert.equal(view.getUint16(20), 1, `${vip} arp.opcode`);
    assert.equal(toHex(f.subarray(22, 28)), toHex(MAC_B), `${vip} arp.src.hw_mac == eth.src`);
    assert.equal(formatIpv4(f, 28), vip, `${vip} arp.src.proto_ipv4`);
    assert.equal(toHex(f.subarray(32, 38)), 'ffffffffffff', `${vip} arp.dst.hw_mac`);
    assert.equal(formatIpv4(f, 38), vip, `${vip} arp.dst.proto_ipv4`);
  }
});

test('§7.3 with use_vmac the sender is the virtual router MAC 00:00:5e:00:01:33 (VRID 51)', () => {
  const f = buildGarpFrame(virtualRouterMac(51), '10.77.0.100');
  assert.equal(toHex(f.subarray(6, 12)), '00005e000133');
  assert.equal(toHex(f.subarray(22, 28)), '00005e000133');
});

test('the frame does not alias the MAC passed in', () => {
  const mac = MAC_B.slice();
  const f = buildGarpFrame(mac, '10.77.0.100');
  mac.fill(0);
  assert.equal(toHex(f.subarray(6, 12)), 'a68a7548e025');
  assert.equal(toHex(f.subarray(22, 28)), 'a68a7548e025');
});

test('a MAC that is not 6 octets or a VIP that is not a dotted quad is a RangeError', () => {
  assert.throws(() => buildGarpFrame(new Uint8Array(5), '10.77.0.100'), RangeError);
  assert.throws(() => buildGarpFrame(new Uint8Array(8), '10.77.0.100'), RangeError);
  for (const vip of ['10.77.0.300', 'fe80::1', '10.77.0.100/24', '']) {
    assert.throws(() => buildGarpFrame(MAC_B, vip), RangeError, vip);
  }
});
