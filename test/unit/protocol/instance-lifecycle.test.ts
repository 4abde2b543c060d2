/**
 * VrrpInstance (src/protocol/instance.ts): start-up, takeover, the MASTER timers and
 * shutdown, with a fake clock in µs. RFC 3768 §6.4.1–§6.4.3 and keepalived 2.2.7
 * vrrp_init_state(), vrrp_state_master_tx(), vrrp_state_become_master(), B14.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstance } from '../../../src/protocol/instance';
import type { Action } from '../../../src/protocol/types';
import { advertFrom } from '../../support/adverts';
import { core, labParams, logs, master, MDI_100, SEC, started, stats } from '../../support/instance-harness';

const tick = (inst: VrrpInstance, nowUs: number): readonly Action[] => inst.handle({ type: 'DeadlineReached' }, nowUs);

test('§6.4.1 Startup removes leftover VIPs first, then enters BACKUP with Master_Down_Timer = 3 609 375 µs', () => {
  const inst = new VrrpInstance(labParams());
  assert.equal(inst.state, 'INIT');
  assert.equal(inst.nextDeadlineUs(), null);
  const actions = inst.handle({ type: 'Startup' }, 1_000);
  assert.deepEqual(core(actions), ['RemoveVips', 'Notify(BACKUP,100)']);
  assert.deepEqual(logs(actions), ['(VI_1) Entering BACKUP STATE (init)']);
  assert.equal(inst.state, 'BACKUP');
  assert.equal(inst.nextDeadlineUs(), 1_000 + MDI_100);
});

test('§6.4.2 backup takes over at exactly 3 609 375 µs (priority 100, advert_int 1)', () => {
  const inst = started();
  assert.equal(inst.nextDeadlineUs(), 3_609_375);
  tick(inst, 3_609_375);
  assert.equal(inst.state, 'MASTER');
  assert.equal(inst.nextDeadlineUs(), 4_609_375);
});

test('§6.4.2 / keepalived vrrp_state_master_tx(): entering MASTER yields SendAdvert, AddVips, SendGarp burst, Notify MASTER, in that order', () => {
  const inst = started();
  const actions = tick(inst, MDI_100);
  const expected: Action[] = [
    { type: 'Log', level: 'debug', message: '(VI_1) Receive advertisement timeout' },
    { type: 'SendAdvert', priority: 100 },
    { type: 'CountStat', counter: 'advert_sent' },
    { type: 'Log', level: 'info', message: '(VI_1) Entering MASTER STATE' },
    { type: 'AddVips' },
    { type: 'SendGarp', count: 5 },
    { type: 'CountStat', counter: 'became_master' },
    { type: 'Notify', state: 'MASTER', priority: 100 },
  ];
  assert.deepEqual(actions, expected);
});

test('ARCHITECTURE §1: a DeadlineReached that comes early is treated as on time (clamped to the deadline)', () => {
  const inst = started();
  tick(inst, 3_600_000);
  assert.equal(inst.state, 'MASTER');
  // The Adver_Timer runs from the deadline, not from the early call.
  assert.equal(inst.nextDeadlineUs(), MDI_100 + SEC);
});

test('a late DeadlineReached re-arms the Adver_Timer from the time it was handled (keepalived timer_add_now)', () => {
  const { inst, atUs } = master();
  const actions = tick(inst, atUs + 1_200_000);
  assert.deepEqual(core(actions), ['SendAdvert(100)']);
  assert.equal(inst.nextDeadlineUs(), atUs + 2_200_000);
});

test('§6.4.3 Adver_Timer: one advert every 1 000 000 µs while MASTER, nothing else in between', () => {
  const { inst, atUs } = master({ garp: { ...labParams().garp, masterDelayUs: 0 } });
  for (let i = 1; i <= 6; i++) {
    assert.equal(inst.nextDeadlineUs(), atUs + i * SEC);
    assert.deepEqual(core(tick(inst, atUs + i * SEC)), ['SendAdvert(100)']);
  }
});

test('checklist D4 / keepalived vrrp_gratuitous_arp_thread(): the second GARP burst goes out garp_master_delay after takeover', () => {
  const { inst, atUs } = master({ garp: { ...labParams().garp, masterDelayUs: 2_500_000 } });
  assert.deepEqual(core(tick(inst, atUs + SEC)), ['SendAdvert(100)']);
  assert.deepEqual(core(tick(inst, atUs + 2 * SEC)), ['SendAdvert(100)']);
  assert.equal(inst.nextDeadlineUs(), atUs + 2_500_000);
  assert.deepEqual(core(tick(inst, atUs + 2_500_000)), ['SendGarp(5)']);
  assert.equal(inst.nextDeadlineUs(), atUs + 3 * SEC);
  for (let i = 3; i <= 8; i++) assert.deepEqual(core(tick(inst, atUs + i * SEC)), ['SendAdvert(100)']);
});

test('checklist D4: with the default 5 s delay the advert and the second burst share the deadline, advert first', () => {
  const { inst, atUs } = master();
  for (let i = 1; i <= 4; i++) tick(inst, atUs + i * SEC);
  assert.deepEqual(core(tick(inst, atUs + 5 * SEC)), ['SendAdvert(100)', 'SendGarp(5)']);
  assert.deepEqual(core(tick(inst, atUs + 6 * SEC)), ['SendAdvert(100)']);
});

test('keepalived garp_master_delay 0: no second burst', () => {
  const { inst, atUs } = master({ garp: { ...labParams().garp, masterDelayUs: 0 } });
  for (let i = 1; i <= 10; i++) assert.deepEqual(core(tick(inst, atUs + i * SEC)), ['SendAdvert(100)']);
});

test('keepalived garp_master_refresh: garp_master_refresh_repeat GARPs every refresh period while MASTER', () => {
  const garp = { ...labParams().garp, masterDelayUs: 0, masterRefreshUs: 2_500_000, masterRefreshRepeat: 2 };
  const { inst, atUs } = master({ garp });
  tick(inst, atUs + SEC);
  tick(inst, atUs + 2 * SEC);
  assert.deepEqual(core(tick(inst, atUs + 2_500_000)), ['SendGarp(2)']);
  tick(inst, atUs + 3 * SEC);
  tick(inst, atUs + 4 * SEC);
  assert.deepEqual(core(tick(inst, atUs + 5 * SEC)), ['SendAdvert(100)', 'SendGarp(2)']);
});

test('§6.4.1 the owner (255) with state MASTER becomes MASTER at once on Startup', () => {
  const inst = new VrrpInstance(labParams({ basePriority: 255, wantMaster: true }));
  const actions = inst.handle({ type: 'Startup' }, 7);
  assert.deepEqual(core(actions), ['RemoveVips', 'SendAdvert(255)', 'AddVips', 'SendGarp(5)', 'Notify(MASTER,255)']);
  assert.equal(inst.state, 'MASTER');
  assert.equal(inst.nextDeadlineUs(), 7 + SEC);
});

test('keepalived vrrp_init_state(): state MASTER below 255, or 255 without state MASTER, waits the full Master_Down_Interval', () => {
  const wants = started({ basePriority: 200, wantMaster: true });
  assert.equal(wants.state, 'BACKUP');
  assert.equal(wants.nextDeadlineUs(), 3_218_750);
  const owner = started({ basePriority: 255, wantMaster: false });
  assert.equal(owner.state, 'BACKUP');
  assert.equal(owner.nextDeadlineUs(), 3_003_906);
});

test('§6.4.3 Shutdown as MASTER: exactly one priority-0 advert, then RemoveVips, then Notify STOP', () => {
  const { inst, atUs } = master();
  const actions = inst.handle({ type: 'Shutdown' }, atUs + 300);
  assert.deepEqual(core(actions), ['SendAdvert(0)', 'RemoveVips', 'Notify(STOP,100)']);
  assert.deepEqual(stats(actions), ['advert_sent', 'pri_zero_sent']);
  assert.equal(inst.state, 'STOP');
  assert.equal(inst.nextDeadlineUs(), null);
});

test('§6.4.2 Shutdown as BACKUP sends nothing, only Notify STOP', () => {
  const inst = started();
  assert.deepEqual(core(inst.handle({ type: 'Shutdown' }, 5)), ['Notify(STOP,100)']);
  assert.equal(inst.nextDeadlineUs(), null);
});

test('after STOP nothing happens: no adverts, no timers, no second shutdown', () => {
  const { inst, atUs } = master();
  inst.handle({ type: 'Shutdown' }, atUs);
  assert.deepEqual(tick(inst, atUs + SEC), []);
  assert.deepEqual(inst.handle(advertFrom('10.77.0.1', 0), atUs + SEC), []);
  assert.deepEqual(inst.handle({ type: 'Shutdown' }, atUs + SEC), []);
  assert.deepEqual(inst.handle({ type: 'FaultChanged', faulted: true, reason: 'x' }, atUs + SEC), []);
  assert.equal(inst.state, 'STOP');
});

test('before Startup (INIT): adverts and DeadlineReached are ignored; a second Startup does nothing', () => {
  const inst = new VrrpInstance(labParams());
  assert.deepEqual(inst.handle(advertFrom('10.77.0.1', 150), 0), []);
  assert.deepEqual(tick(inst, 0), []);
  inst.handle({ type: 'Startup' }, 0);
  assert.deepEqual(inst.handle({ type: 'Startup' }, 10), []);
  assert.equal(inst.nextDeadlineUs(), MDI_100);
});

test('keepalived vrrp_startup_delay: INIT ignores adverts for the delay, then BACKUP with a full Master_Down', () => {
  const inst = new VrrpInstance(labParams({ startupDelayUs: 10 * SEC }));
  const start = inst.handle({ type: 'Startup' }, 0);
  assert.deepEqual(core(start), ['RemoveVips']);
  assert.deepEqual(logs(start), ['Delaying startup for 10 seconds']);
  assert.equal(inst.state, 'INIT');
  assert.equal(inst.nextDeadlineUs(), 10 * SEC);
  // A better master's advert during the delay is ignored (keepalived vrrp_dispatcher_read()).
  assert.deepEqual(core(inst.handle(advertFrom('10.77.0.1', 200), 5 * SEC)), []);
  assert.equal(inst.state, 'INIT');
  const after = inst.handle({ type: 'DeadlineReached' }, 10 * SEC);
  assert.equal(inst.state, 'BACKUP');
  assert.deepEqual(logs(after), ['(VI_1) Entering BACKUP STATE (init)']);
  assert.equal(inst.nextDeadlineUs(), 10 * SEC + MDI_100);
});
