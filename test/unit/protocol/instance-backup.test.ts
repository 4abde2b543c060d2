/**
 * VrrpInstance in BACKUP receiving adverts: RFC 3768 §6.4.2 and §7.1, keepalived 2.2.7
 * vrrp_state_backup() (priority 0, acceptance, preemption, nopreempt, preempt_delay,
 * skip_check_adv_addr) and the rate-limited handling of invalid adverts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstance } from '../../../src/protocol/instance';
import type { Action } from '../../../src/protocol/types';
import { advertFrom } from '../../support/adverts';
import { core, labParams, logs, MDI_100, SEC, SKEW_100, started, stats } from '../../support/instance-harness';

const tick = (inst: VrrpInstance, nowUs: number): readonly Action[] => inst.handle({ type: 'DeadlineReached' }, nowUs);

test('§6.4.2 backup: an advert with priority ≥ ours resets Master_Down_Timer to Master_Down_Interval', () => {
  const inst = started();
  const actions = inst.handle(advertFrom('10.77.0.1', 150), SEC);
  assert.deepEqual(actions, [{ type: 'CountStat', counter: 'advert_rcvd' }]);
  assert.equal(inst.nextDeadlineUs(), SEC + MDI_100);
});

test('§6.4.2 backups never tie-break: equal priority is accepted from a lower and from a higher address', () => {
  const inst = started();
  inst.handle(advertFrom('10.77.0.1', 100), SEC);
  assert.equal(inst.nextDeadlineUs(), SEC + MDI_100);
  inst.handle(advertFrom('10.77.0.3', 100), 2 * SEC);
  assert.equal(inst.nextDeadlineUs(), 2 * SEC + MDI_100);
  assert.equal(inst.state, 'BACKUP');
});

test('§6.4.2 backup takes over 3 609 375 µs after the last advert of a master that went silent', () => {
  const inst = started();
  for (let i = 1; i <= 3; i++) inst.handle(advertFrom('10.77.0.1', 150), i * SEC);
  assert.equal(inst.nextDeadlineUs(), 3 * SEC + MDI_100);
  tick(inst, 3 * SEC + MDI_100);
  assert.equal(inst.state, 'MASTER');
});

test('§6.4.2 backup: priority 0 sets Master_Down_Timer to Skew_Time (609 375 µs)', () => {
  const inst = started();
  inst.handle(advertFrom('10.77.0.1', 150), SEC);
  const actions = inst.handle(advertFrom('10.77.0.1', 0), 2 * SEC);
  assert.deepEqual(stats(actions), ['advert_rcvd', 'pri_zero_rcvd']);
  assert.deepEqual(core(actions), []);
  assert.equal(inst.nextDeadlineUs(), 2 * SEC + SKEW_100);
  const takeover = tick(inst, 2 * SEC + SKEW_100);
  assert.deepEqual(core(takeover), ['SendAdvert(100)', 'AddVips', 'SendGarp(5)', 'Notify(MASTER,100)']);
});

test('§6.4.2 Preempt_Mode: a lower priority advert is discarded and the timer keeps running', () => {
  const inst = started();
  const actions = inst.handle(advertFrom('10.77.0.1', 50), SEC);
  assert.deepEqual(logs(actions), ['(VI_1) received lower priority (50) advert from 10.77.0.1 - discarding']);
  assert.deepEqual(core(actions), []);
  inst.handle(advertFrom('10.77.0.1', 50), 2 * SEC);
  inst.handle(advertFrom('10.77.0.1', 50), 3 * SEC);
  assert.equal(inst.nextDeadlineUs(), MDI_100);
  tick(inst, MDI_100);
  assert.equal(inst.state, 'MASTER');
});

test('keepalived nopreempt: lower priority adverts are accepted, the backup never takes over from a live master', () => {
  const inst = started({ nopreempt: true });
  for (let i = 1; i <= 20; i++) {
    inst.handle(advertFrom('10.77.0.1', 50), i * SEC);
    assert.equal(inst.nextDeadlineUs(), i * SEC + MDI_100);
  }
  assert.equal(inst.state, 'BACKUP');
});

test('keepalived preempt_delay: lower adverts are accepted until the delay that started at the first one runs out', () => {
  const inst = started({ preemptDelayUs: 5 * SEC });
  for (let i = 1; i <= 5; i++) inst.handle(advertFrom('10.77.0.1', 50), i * SEC);
  assert.equal(inst.nextDeadlineUs(), 5 * SEC + MDI_100);
  // The delay started at 1 s and ends at 6 s: from then on lower adverts are discarded.
  const late = inst.handle(advertFrom('10.77.0.1', 50), 6 * SEC);
  assert.match(logs(late)[0] ?? '', /received lower priority \(50\) advert from 10\.77\.0\.1 - discarding/);
  inst.handle(advertFrom('10.77.0.1', 50), 7 * SEC);
  inst.handle(advertFrom('10.77.0.1', 50), 8 * SEC);
  assert.equal(inst.nextDeadlineUs(), 5 * SEC + MDI_100);
  tick(inst, 5 * SEC + MDI_100);
  assert.equal(inst.state, 'MASTER');
});

test('keepalived preempt_delay: an advert with priority ≥ ours stops the delay; the next lower one starts it again', () => {
  const inst = started({ preemptDelayUs: 5 * SEC });
  inst.handle(advertFrom('10.77.0.1', 50), SEC);
  inst.handle(advertFrom('10.77.0.1', 150), 2 * SEC);
  inst.handle(advertFrom('10.77.0.1', 50), 3 * SEC); // delay now ends at 8 s
  for (let i = 4; i <= 7; i++) inst.handle(advertFrom('10.77.0.1', 50), i * SEC);
  assert.equal(inst.nextDeadlineUs(), 7 * SEC + MDI_100);
  inst.handle(advertFrom('10.77.0.1', 50), 8 * SEC);
  assert.equal(inst.nextDeadlineUs(), 7 * SEC + MDI_100);
});

test('§7.1 an invalid advert (TTL 254) is counted and logged, nothing else: Master_Down_Timer is not reset', () => {
  const inst = started();
  const actions = inst.handle(advertFrom('10.77.0.1', 150, { ttl: 254 }), SEC);
  assert.deepEqual(actions, [
    { type: 'CountStat', counter: 'ip_ttl_err' },
    { type: 'Log', level: 'warn', message: '(VI_1) invalid TTL/HL. Received 254 and expect 255' },
  ]);
  assert.equal(inst.nextDeadlineUs(), MDI_100);
});

test('§7.1 checklist #32: invalid adverts are no heartbeat, the backup still takes over at Master_Down_Interval', () => {
  const inst = started();
  for (let i = 1; i <= 3; i++) inst.handle(advertFrom('10.77.0.1', 150, { password: 'wrong' }), i * SEC);
  tick(inst, MDI_100);
  assert.equal(inst.state, 'MASTER');
});

test('RFC 9568 §7.1: discarded adverts are counted every time but logged at most once per reason per 10 s', () => {
  const inst = started({ nopreempt: true });
  const all: Action[] = [];
  for (let i = 1; i <= 12; i++) {
    inst.handle(advertFrom('10.77.0.1', 150), i * SEC - 1); // keep the instance in BACKUP
    all.push(...inst.handle(advertFrom('10.77.0.1', 150, { password: 'wrong' }), i * SEC));
  }
  assert.equal(stats(all).filter((c) => c === 'auth_failure').length, 12);
  assert.deepEqual(logs(all), [
    '(VI_1) received an invalid passwd!',
    '(VI_1) received an invalid passwd! (9 similar messages suppressed)',
  ]);
  // Another reason has its own budget.
  const ttl = inst.handle(advertFrom('10.77.0.1', 150, { ttl: 1 }), 12 * SEC + 1);
  assert.deepEqual(logs(ttl), ['(VI_1) invalid TTL/HL. Received 1 and expect 255']);
});

test('RFC 9568: a VIP-list mismatch is counted and logged, but the advert is accepted and resets the timer', () => {
  const inst = started();
  const actions = inst.handle(advertFrom('10.77.0.1', 150, { addresses: ['10.77.0.200'] }), SEC);
  assert.deepEqual(stats(actions), ['addr_list_err', 'advert_rcvd']);
  assert.equal(logs(actions).length, 1);
  assert.equal(inst.nextDeadlineUs(), SEC + MDI_100);
});

test('keepalived vrrp_state_backup(): skip_check_adv_addr skips the VIP-list check only for the master heard last', () => {
  const inst = started({ skipCheckAdvAddr: true });
  const wrong = { addresses: ['10.77.0.200'] };
  assert.deepEqual(stats(inst.handle(advertFrom('10.77.0.1', 150, wrong), SEC)), ['addr_list_err', 'advert_rcvd']);
  assert.deepEqual(stats(inst.handle(advertFrom('10.77.0.1', 150, wrong), 2 * SEC)), ['advert_rcvd']);
  assert.deepEqual(stats(inst.handle(advertFrom('10.77.0.9', 150, wrong), 3 * SEC)), ['addr_list_err', 'advert_rcvd']);
  const checked = started();
  checked.handle(advertFrom('10.77.0.1', 150, wrong), SEC);
  assert.deepEqual(stats(checked.handle(advertFrom('10.77.0.1', 150, wrong), 2 * SEC)), ['addr_list_err', 'advert_rcvd']);
});

test('keepalived vrrp_dispatcher_read(): adverts are ignored in FAULT', () => {
  const inst = started();
  inst.handle({ type: 'FaultChanged', faulted: true, reason: 'eth0 down' }, SEC);
  assert.deepEqual(inst.handle(advertFrom('10.77.0.1', 0), 2 * SEC), []);
  assert.deepEqual(inst.handle(advertFrom('10.77.0.1', 150, { ttl: 1 }), 2 * SEC), []);
});

test('unicast instances (opts.unicast) skip the TTL check, as keepalived does', () => {
  const inst = new VrrpInstance(labParams({ unicastPeers: ['10.77.0.1'] }), { unicast: true });
  inst.handle({ type: 'Startup' }, 0);
  const actions = inst.handle(advertFrom('10.77.0.1', 150, { ttl: 64, dstIp: '10.77.0.2' }), SEC);
  assert.deepEqual(stats(actions), ['advert_rcvd']);
  assert.equal(inst.nextDeadlineUs(), SEC + MDI_100);
});
