/**
 * The pure helpers of the rtnetlink adapter (src/io/netlink-codec.ts): address bytes, scope
 * numbers as iproute2's rt_scopes names them, IFF_UP|IFF_RUNNING, and the watcher's bookkeeping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsvrrpdIoError } from '../../../src/io/errors';
import {
  bytesToIpv4,
  diffAddressSets,
  errnoOf,
  ipv4ToBytes,
  isLinkTransition,
  isOperUp,
  primaryFirst,
  scopeToName,
  scopeToNumber,
} from '../../../src/io/netlink-codec';

function isEinval(err: unknown): boolean {
  return err instanceof TsvrrpdIoError && err.code === 'EINVAL';
}

test('IPv4 text <-> network-order bytes', () => {
  assert.deepEqual(ipv4ToBytes('10.1.2.3'), Uint8Array.from([10, 1, 2, 3]));
  assert.deepEqual(ipv4ToBytes('255.255.255.255'), Uint8Array.from([255, 255, 255, 255]));
  assert.equal(bytesToIpv4(Uint8Array.from([192, 168, 0, 1])), '192.168.0.1');
  assert.equal(bytesToIpv4(Buffer.from([0, 0, 0, 0])), '0.0.0.0');
  for (const t of ['10.0.0.1', '172.16.254.9', '224.0.0.18']) assert.equal(bytesToIpv4(ipv4ToBytes(t)), t);
});

test('bad IPv4 text or length is EINVAL', () => {
  for (const t of ['256.1.1.1', '1.2.3', '01.2.3.4', 'fe80::1', '', 'eth0']) assert.throws(() => ipv4ToBytes(t), isEinval, t);
  assert.throws(() => bytesToIpv4(Uint8Array.from([1, 2, 3])), isEinval);
  assert.throws(() => bytesToIpv4(new Uint8Array(16)), isEinval);
});

test('scope names <-> rtnetlink numbers: host 254, link 253, site 200, global 0, nowhere 255', () => {
  const table: [string, number][] = [['global', 0], ['site', 200], ['link', 253], ['host', 254], ['nowhere', 255]];
  for (const [name, n] of table) {
    assert.equal(scopeToNumber(name), n, name);
    assert.equal(scopeToName(n), name, name);
  }
  assert.equal(scopeToNumber(null), 0);
  assert.equal(scopeToNumber(undefined), 0);
  assert.equal(scopeToNumber('0'), 0);
  assert.equal(scopeToNumber('42'), 42);
  assert.equal(scopeToNumber('255'), 255);
  assert.equal(scopeToName(42), '42');
});

test('an unknown scope or one out of 0..255 is EINVAL', () => {
  for (const s of ['universe', '256', '-1', '1.5', '007', 'Global', '']) assert.throws(() => scopeToNumber(s), isEinval, s);
});

test('a link is up only with both IFF_UP and IFF_RUNNING', () => {
  assert.equal(isOperUp({ up: true, running: true }), true);
  assert.equal(isOperUp({ up: true }), false);
  assert.equal(isOperUp({ running: true }), false);
  assert.equal(isOperUp({}), false);
  assert.equal(isOperUp(undefined), false);
});

test('errnoOf reads a numeric errno of either sign, nothing else', () => {
  assert.equal(errnoOf(Object.assign(new Error('x'), { errno: 17 })), 17);
  assert.equal(errnoOf({ errno: -99 }), 99);
  assert.equal(errnoOf({ errno: 0 }), undefined);
  assert.equal(errnoOf({ errno: 'EEXIST' }), undefined);
  assert.equal(errnoOf(new Error('Request rejected: EEXIST')), undefined);
  assert.equal(errnoOf(null), undefined);
  assert.equal(errnoOf(17), undefined);
});

test('primaryFirst keeps kernel order inside each group', () => {
  const list = [
    { a: 'p1', secondary: false },
    { a: 's1', secondary: true },
    { a: 'p2', secondary: false },
    { a: 's2', secondary: true },
  ];
  assert.deepEqual(primaryFirst(list).map((x) => x.a), ['p1', 'p2', 's1', 's2']);
  assert.deepEqual(primaryFirst([]), []);
});

test('link transitions: an unseen interface counts as down', () => {
  assert.equal(isLinkTransition(undefined, true), true);
  assert.equal(isLinkTransition(undefined, false), false);
  assert.equal(isLinkTransition(true, false), true);
  assert.equal(isLinkTransition(false, true), true);
  assert.equal(isLinkTransition(true, true), false);
  assert.equal(isLinkTransition(false, false), false);
});

test('diffAddressSets reports added and deleted addresses, sorted', () => {
  const before = new Set(['10.0.0.1', '10.0.0.100', '10.0.0.9']);
  const after = new Set(['10.0.0.1', '10.0.0.200', '10.0.0.150']);
  assert.deepEqual(diffAddressSets(before, after), { added: ['10.0.0.150', '10.0.0.200'], deleted: ['10.0.0.100', '10.0.0.9'] });
  assert.deepEqual(diffAddressSets(new Set(), new Set()), { added: [], deleted: [] });
});
