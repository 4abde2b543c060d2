/**
 * VrrpInstance and the events from outside the wire: FaultChanged (keepalived down_instance(),
 * try_up_instance(), vrrp_state_leave_master()), VipDeleted (keepalived set_vrrp_backup(),
 * reference B13) and PriorityChanged (keepalived vrrp_set_effective_priority()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstance } from '../../../src/protocol/instance';
import type { Action, Event } from '../../../src/protocol/types';
import { advertFrom } from '../../support/adverts';
import { core, labParams, logs, master, MDI_100, SEC, SKEW_100, started, stats } from '../../support/instance-harness';

const tick = (inst: VrrpInstance, nowUs: number): readonly Action[] => inst.handle({ type: 'DeadlineReached' }, nowUs);
const fault = (faulted: boolean): Event => ({ type: 'FaultChanged', faulted, reason: 'interface eth0 down' });
const prio = (trackerDelta: number): Event => ({ type: 'PriorityChanged', trackerDelta });

test('keepalived down_instance() → vrrp_state_leave_master(advF): MASTER → FAULT sends two priority-0 adverts, removes the VIPs, notifies FAULT', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(fault(true), atUs + 10);
  assert.deepEqual(core(actions), ['SendAdvert(0)', 'SendAdvert(0)', 'RemoveVips', 'Notify(FAULT,100)']);
  assert.deepEqual(logs(actions), ['(VI_1) fault: interface eth0 down', '(VI_1) Entering FAULT STATE']);
  assert.deepEqual(stats(actions), ['advert_sent', 'pri_zero_sent', 'advert_sent', 'pri_zero_sent', 'release_master']);
  assert.equal(inst.state, 'FAULT');
  assert.equal(inst.nextDeadlineUs(), null);
  assert.deepEqual(tick(inst, atUs + SEC), []);
});

test('keepalived down_instance(): BACKUP → FAULT only notifies; the Master_Down_Timer stops', () => {
  const inst = started();
  assert.deepEqual(core(inst.handle(fault(true), SEC)), ['Notify(FAULT,100)']);
  assert.equal(inst.nextDeadlineUs(), null);
  assert.deepEqual(inst.handle(fault(true), 2 * SEC), []);
});

test('keepalived try_up_instance(): leaving FAULT → BACKUP with a full Master_Down_Interval', () => {
  const { inst, atUs } = master();
  inst.handle(fault(true), atUs);
  const actions = inst.handle(fault(false), 10 * SEC);
  assert.deepEqual(core(actions), ['Notify(BACKUP,100)']);
  assert.deepEqual(logs(actions), ['(VI_1) fault cleared: interface eth0 down', '(VI_1) Entering BACKUP STATE']);
  assert.equal(inst.nextDeadlineUs(), 10 * SEC + MDI_100);
});

test('keepalived vrrp_init_state(): a fault reported before Startup starts the instance in FAULT, VIPs removed first', () => {
  const inst = new VrrpInstance(labParams({ basePriority: 255, wantMaster: true }));
  assert.deepEqual(inst.handle(fault(true), 0), []);
  const actions = inst.handle({ type: 'Startup' }, 0);
  assert.deepEqual(core(actions), ['RemoveVips', 'Notify(FAULT,255)']);
  assert.deepEqual(logs(actions), ['(VI_1) Entering FAULT STATE (init)']);
  inst.handle(fault(false), SEC);
  assert.equal(inst.state, 'BACKUP');
  // Leaving FAULT waits a full Master_Down_Interval even for an owner.
  assert.equal(inst.nextDeadlineUs(), SEC + 3_003_906);
});

test('keepalived set_vrrp_backup(): a VIP deleted while MASTER → priority-0 advert, BACKUP, Master_Down_Timer = Skew_Time', () => {
  const { inst, atUs } = master();
  const actions = inst.handle({ type: 'VipDeleted', address: '10.77.0.100' }, atUs + 200);
  assert.deepEqual(core(actions), ['SendAdvert(0)', 'RemoveVips', 'Notify(BACKUP,100)']);
  assert.equal(inst.state, 'BACKUP');
  assert.equal(inst.nextDeadlineUs(), atUs + 200 + SKEW_100);
  const back = tick(inst, atUs + 200 + SKEW_100);
  assert.deepEqual(core(back), ['SendAdvert(100)', 'AddVips', 'SendGarp(5)', 'Notify(MASTER,100)']);
});

test('keepalived: a VIP deleted while BACKUP or FAULT is none of our business', () => {
  const inst = started();
  assert.deepEqual(inst.handle({ type: 'VipDeleted', address: '10.77.0.100' }, SEC), []);
  assert.equal(inst.nextDeadlineUs(), MDI_100);
});

test('keepalived vrrp_set_effective_priority(): a running Master_Down_Timer moves, recomputed from its last reset', () => {
  const inst = started();
  const actions = inst.handle(prio(50), SEC);
  assert.deepEqual(logs(actions), ['(VI_1) Changing effective priority from 100 to 150']);
  assert.deepEqual(core(actions), []);
  assert.equal(inst.effectivePriority, 150);
  assert.equal(inst.nextDeadlineUs(), 3_414_062); // started at 0: 3 s + (256 − 150)/256 s
  inst.handle(prio(-99), SEC);
  assert.equal(inst.nextDeadlineUs(), 3_996_093);
  inst.handle(advertFrom('10.77.0.1', 150), 2 * SEC);
  inst.handle(prio(0), 2_500_000);
  assert.equal(inst.nextDeadlineUs(), 2 * SEC + MDI_100);
});

test('keepalived vrrp_set_effective_priority(): a Skew_Time timer (after priority 0) moves with the new skew', () => {
  const inst = started();
  inst.handle(advertFrom('10.77.0.1', 0), SEC);
  assert.equal(inst.nextDeadlineUs(), SEC + SKEW_100);
  inst.handle(prio(50), SEC + 100_000);
  assert.equal(inst.nextDeadlineUs(), SEC + 414_062);
});

test('PriorityChanged: the new effective priority goes into the next advert; an unchanged one logs nothing', () => {
  const { inst, atUs } = master();
  inst.handle(prio(20), atUs + 100);
  assert.deepEqual(core(tick(inst, atUs + SEC)), ['SendAdvert(120)']);
  inst.handle(prio(200), atUs + SEC + 1);
  assert.equal(inst.effectivePriority, 254);
  assert.deepEqual(inst.handle(prio(300), atUs + SEC + 2), []);
});

test('§6.4.2 a backup compares adverts with its effective priority, not its base priority', () => {
  const inst = started();
  inst.handle(prio(60), 10);
  const actions = inst.handle(advertFrom('10.77.0.1', 150), SEC);
  assert.deepEqual(logs(actions), ['(VI_1) received lower priority (150) advert from 10.77.0.1 - discarding']);
});

test('§5.3.4 / keepalived: an owner ignores PriorityChanged', () => {
  const inst = started({ basePriority: 255, wantMaster: true });
  assert.deepEqual(inst.handle(prio(-100), SEC), []);
  assert.equal(inst.effectivePriority, 255);
});
