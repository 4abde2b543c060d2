/**
 * IP address text (src/config/addresses.ts) against inet_pton(3) as keepalived calls it.
 * The accepted/refused lists were checked against glibc's inet_pton on this host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4ToNumber, isIpv4Multicast, numberToIpv4, parseAddress, parseIpv4, parseIpv6 } from '../../../src/config/addresses';

test('inet_pton(AF_INET): four decimal octets 0..255', () => {
  assert.deepEqual(parseIpv4('10.1.2.3'), [10, 1, 2, 3]);
  assert.deepEqual(parseIpv4('0.0.0.0'), [0, 0, 0, 0]);
  assert.deepEqual(parseIpv4('255.255.255.255'), [255, 255, 255, 255]);
});

test('inet_pton(AF_INET): leading zeros are refused', () => {
  for (const t of ['01.2.3.4', '1.2.3.04', '00.1.2.3']) assert.equal(parseIpv4(t), null, t);
});

test('inet_pton(AF_INET): wrong part counts, signs, hex, blanks and big octets are refused', () => {
  for (const t of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1..3.4', ' 1.2.3.4', '1.2.3.4 ', '0x1.2.3.4', '1.2.3.-4', '+1.2.3.4', '']) {
    assert.equal(parseIpv4(t), null, JSON.stringify(t));
  }
});

test('inet_pton(AF_INET6): full form and :: compression anywhere', () => {
  assert.deepEqual(parseIpv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(parseIpv6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(parseIpv6('fe80::a'), [0xfe80, 0, 0, 0, 0, 0, 0, 10]);
  assert.deepEqual(parseIpv6('1:2:3:4:5:6:7::'), [1, 2, 3, 4, 5, 6, 7, 0]);
  assert.deepEqual(parseIpv6('::2:3:4:5:6:7:8'), [0, 2, 3, 4, 5, 6, 7, 8]);
});

test('inet_pton(AF_INET6): hex groups are case-insensitive and may have leading zeros', () => {
  assert.deepEqual(parseIpv6('FE80::A'), parseIpv6('fe80::a'));
  assert.deepEqual(parseIpv6('0001:0002::'), [1, 2, 0, 0, 0, 0, 0, 0]);
});

test('inet_pton(AF_INET6): an embedded IPv4 address fills the last two groups', () => {
  assert.deepEqual(parseIpv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  assert.deepEqual(parseIpv6('1:2:3:4:5:6:1.2.3.4'), [1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
  assert.deepEqual(parseIpv6('1::1.2.3.4'), [1, 0, 0, 0, 0, 0, 0x0102, 0x0304]);
});

test('inet_pton(AF_INET6): malformed addresses are refused', () => {
  for (const t of [
    '1:2:3:4:5:6:7:8::',
    '1::2::3',
    ':::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '12345::1',
    '1::2:',
    ':1::2',
    'g::1',
    '::1%eth0',
    '1.2.3.4',
    '::ffff:01.2.3.4',
    '::1.2.3',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4',
    '',
  ]) {
    assert.equal(parseIpv6(t), null, JSON.stringify(t));
  }
});

test("keepalived parse_ipaddress(): the family is chosen by the presence of ':'", () => {
  assert.deepEqual(parseAddress('10.0.0.1'), { family: 4, address: '10.0.0.1' });
  assert.deepEqual(parseAddress('FE80::1'), { family: 6, address: 'fe80::1' });
  assert.equal(parseAddress('10.0.0.1:80'), null);
  assert.equal(parseAddress('eth0'), null);
});

test('isIpv4Multicast(): 224.0.0.0/4 only', () => {
  assert.equal(isIpv4Multicast('224.0.0.18'), true);
  assert.equal(isIpv4Multicast('239.255.255.255'), true);
  assert.equal(isIpv4Multicast('223.255.255.255'), false);
  assert.equal(isIpv4Multicast('240.0.0.1'), false);
  assert.equal(isIpv4Multicast('224.0.0.018'), false);
});

test('ipv4ToNumber()/numberToIpv4(): unsigned 32-bit round trip', () => {
  assert.equal(ipv4ToNumber([255, 255, 255, 255]), 4294967295);
  assert.equal(ipv4ToNumber([10, 0, 0, 1]), 167772161);
  assert.equal(numberToIpv4(4294967295), '255.255.255.255');
  assert.equal(numberToIpv4(ipv4ToNumber([192, 168, 1, 254])), '192.168.1.254');
});
