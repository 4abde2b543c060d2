/**
 * The pure classification of valid adverts (src/protocol/receive-rules.ts) and the log rate
 * limit (src/protocol/instance-output.ts): RFC 3768 §6.4.2/§6.4.3, keepalived
 * vrrp_state_backup() / vrrp_state_master_rx(), RFC 9568 §7.1 rate-limited logging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyBackupAdvert, classifyMasterAdvert, compareIpv4 } from '../../../src/protocol/receive-rules';
import { LogLimiter } from '../../../src/protocol/instance-output';

const backup = { effective: 100, nopreempt: false, preemptDelayUs: 0, preemptAtUs: null, nowUs: 0 };
const masterIn = { effective: 100, addrCmp: 0, higherPrioSendAdvert: false };

test('§6.4.3 compareIpv4: unsigned 32-bit order, not string order', () => {
  assert.equal(compareIpv4('10.0.0.9', '9.255.255.255'), 1);
  assert.equal(compareIpv4('9.255.255.255', '10.0.0.9'), -1);
  assert.equal(compareIpv4('255.255.255.255', '0.0.0.1'), 1);
  assert.equal(compareIpv4('10.77.0.2', '10.77.0.2'), 0);
});

test('§6.4.2 classifyBackupAdvert: priority 0, accept at ≥ ours, discard below', () => {
  assert.deepEqual(classifyBackupAdvert({ ...backup, priority: 0 }), { kind: 'priority-zero' });
  assert.deepEqual(classifyBackupAdvert({ ...backup, priority: 100 }), { kind: 'accept', preempt: 'keep' });
  assert.deepEqual(classifyBackupAdvert({ ...backup, priority: 99 }), { kind: 'discard-lower' });
  assert.deepEqual(classifyBackupAdvert({ ...backup, priority: 1, nopreempt: true }), { kind: 'accept', preempt: 'keep' });
});

test('keepalived vrrp_state_backup() preempt_delay: start at the first lower advert, hold until it runs out, stop on ≥', () => {
  const d = { ...backup, preemptDelayUs: 5 };
  assert.deepEqual(classifyBackupAdvert({ ...d, priority: 50 }), { kind: 'accept', preempt: 'start' });
  assert.deepEqual(classifyBackupAdvert({ ...d, priority: 50, preemptAtUs: 10, nowUs: 9 }), { kind: 'accept', preempt: 'keep' });
  assert.deepEqual(classifyBackupAdvert({ ...d, priority: 50, preemptAtUs: 10, nowUs: 10 }), { kind: 'discard-lower' });
  assert.deepEqual(classifyBackupAdvert({ ...d, priority: 150, preemptAtUs: 10, nowUs: 9 }), { kind: 'accept', preempt: 'stop' });
  assert.deepEqual(classifyBackupAdvert({ ...d, priority: 150 }), { kind: 'accept', preempt: 'keep' });
});

test('§6.4.3 classifyMasterAdvert: priority 0, lower, equal by address, higher', () => {
  assert.deepEqual(classifyMasterAdvert({ ...masterIn, priority: 0 }), { kind: 'priority-zero' });
  assert.deepEqual(classifyMasterAdvert({ ...masterIn, priority: 99 }), { kind: 'lower' });
  assert.deepEqual(classifyMasterAdvert({ ...masterIn, priority: 100, addrCmp: -1 }), { kind: 'lower' });
  assert.deepEqual(classifyMasterAdvert({ ...masterIn, priority: 100 }), { kind: 'own-address' });
  assert.deepEqual(classifyMasterAdvert({ ...masterIn, priority: 100, addrCmp: 1 }), {
    kind: 'higher', reason: 'address', advertFirst: false, ownerConflict: false,
  });
  assert.deepEqual(classifyMasterAdvert({ ...masterIn, priority: 101, addrCmp: -1, higherPrioSendAdvert: true }), {
    kind: 'higher', reason: 'priority', advertFirst: true, ownerConflict: false,
  });
});

test('keepalived 2.2.7 classifyMasterAdvert: 255 against our 255 is an owner conflict, from either address', () => {
  const owner = { ...masterIn, effective: 255, priority: 255 };
  assert.deepEqual(classifyMasterAdvert({ ...owner, addrCmp: -1 }), {
    kind: 'higher', reason: 'priority', advertFirst: false, ownerConflict: true,
  });
  assert.deepEqual(classifyMasterAdvert({ ...owner, addrCmp: 1, higherPrioSendAdvert: true }), {
    kind: 'higher', reason: 'priority', advertFirst: true, ownerConflict: true,
  });
  assert.deepEqual(classifyMasterAdvert({ ...owner, addrCmp: 0 }), { kind: 'own-address' });
});

test('RFC 9568 LogLimiter: one line per key per interval, the next one reports how many were held back', () => {
  const l = new LogLimiter(10);
  assert.equal(l.admit('a', 0), 0);
  assert.equal(l.admit('a', 5), null);
  assert.equal(l.admit('b', 5), 0);
  assert.equal(l.admit('a', 9), null);
  assert.equal(l.admit('a', 10), 2);
  assert.equal(l.admit('a', 19), null);
  assert.equal(l.admit('a', 20), 1);
  assert.equal(l.admit('a', 31), 0);
});
