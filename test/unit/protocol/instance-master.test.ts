/**
 * VrrpInstance in MASTER receiving adverts: RFC 3768 §6.4.3 and keepalived 2.2.7
 * vrrp_state_master_rx() (priority 0, lower priority "forcing new election", tie-break,
 * higher_prio_send_advert, lower_prio_no_advert, two address owners).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstance } from '../../../src/protocol/instance';
import type { Action } from '../../../src/protocol/types';
import { advertFrom } from '../../support/adverts';
import { core, labParams, logs, master, MDI_100, SEC, started, stats } from '../../support/instance-harness';

const tick = (inst: VrrpInstance, nowUs: number): readonly Action[] => inst.handle({ type: 'DeadlineReached' }, nowUs);

test('§6.4.3 master answers priority 0 with an advert at once and resets Adver_Timer', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.1', 0), atUs + 500_000);
  assert.deepEqual(core(actions), ['SendAdvert(100)']);
  assert.deepEqual(stats(actions), ['advert_rcvd', 'pri_zero_rcvd', 'advert_sent']);
  assert.equal(inst.state, 'MASTER');
  assert.equal(inst.nextDeadlineUs(), atUs + 1_500_000);
});

test('keepalived vrrp_state_master_rx(): lower priority advert → advert + GARP burst + notify', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.1', 50), atUs + 300_000);
  assert.deepEqual(core(actions), ['SendAdvert(100)', 'SendGarp(5)', 'NotifyMasterRxLowerPri']);
  assert.deepEqual(logs(actions), ['(VI_1) Received advert from 10.77.0.1 with lower priority 50, ours 100, forcing new election']);
  assert.equal(inst.state, 'MASTER');
  // Checklist #50: the Adver_Timer restarts from the reply.
  assert.equal(inst.nextDeadlineUs(), atUs + 1_300_000);
});

test('keepalived garp_lower_prio_delay: the second lower-priority burst follows 5 s after the first', () => {
  const { inst, atUs } = master();
  const rx = atUs + 300_000;
  inst.handle(advertFrom('10.77.0.1', 50), rx);
  for (let i = 1; i <= 4; i++) assert.deepEqual(core(tick(inst, rx + i * SEC)), ['SendAdvert(100)']);
  assert.deepEqual(core(tick(inst, atUs + 5 * SEC)), ['SendGarp(5)']); // the takeover's second burst
  assert.deepEqual(core(tick(inst, rx + 5 * SEC)), ['SendAdvert(100)', 'SendGarp(5)']);
  assert.deepEqual(core(tick(inst, rx + 6 * SEC)), ['SendAdvert(100)']);
});

test('keepalived garp_lower_prio_delay: a stream of lower priority adverts does not postpone the delayed burst', () => {
  const { inst, atUs } = master();
  const rx = atUs + 300_000;
  inst.handle(advertFrom('10.77.0.1', 50), rx);
  // A second lower-priority advert 1 s later answers with its own immediate burst...
  assert.deepEqual(core(inst.handle(advertFrom('10.77.0.1', 50), rx + SEC)), ['SendAdvert(100)', 'SendGarp(5)', 'NotifyMasterRxLowerPri']);
  for (let i = 2; i <= 4; i++) assert.deepEqual(core(tick(inst, rx + i * SEC)), ['SendAdvert(100)']);
  assert.deepEqual(core(tick(inst, atUs + 5 * SEC)), ['SendGarp(5)']); // the takeover's second burst
  // ...but the delayed burst stays 5 s after the first one, not after the last.
  assert.deepEqual(core(tick(inst, rx + 5 * SEC)), ['SendAdvert(100)', 'SendGarp(5)']);
});

test('§6.4.3 / keepalived: equal priority from a lower address is handled as a lower priority advert', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.1', 100), atUs + 1);
  assert.deepEqual(core(actions), ['SendAdvert(100)', 'SendGarp(5)', 'NotifyMasterRxLowerPri']);
  assert.deepEqual(logs(actions), ['(VI_1) Received advert from 10.77.0.1 with lower priority 100, ours 100, forcing new election']);
  assert.equal(inst.state, 'MASTER');
});

test('keepalived lower_prio_no_advert: no advert and no Adver_Timer reset; the GARP burst and the notify remain', () => {
  const { inst, atUs } = master({ lowerPrioNoAdvert: true });
  const actions = inst.handle(advertFrom('10.77.0.1', 50), atUs + 300_000);
  assert.deepEqual(core(actions), ['SendGarp(5)', 'NotifyMasterRxLowerPri']);
  assert.deepEqual(logs(actions), ['(VI_1) Received advert from 10.77.0.1 with lower priority 50, ours 100']);
  assert.equal(inst.nextDeadlineUs(), atUs + SEC);
});

test('keepalived garp_lower_prio_repeat 0: the answer is the advert and the notify only', () => {
  const garp = { ...labParams().garp, lowerPrioRepeat: 0 };
  const { inst, atUs } = master({ garp });
  assert.deepEqual(core(inst.handle(advertFrom('10.77.0.1', 50), atUs + 1)), ['SendAdvert(100)', 'NotifyMasterRxLowerPri']);
});

test('§6.4.3 master: a higher priority advert → BACKUP, VIPs removed, Master_Down_Timer armed, no priority-0 advert', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.1', 150), atUs + 400_000);
  assert.deepEqual(core(actions), ['RemoveVips', 'Notify(BACKUP,100)']);
  assert.deepEqual(logs(actions), [
    '(VI_1) Master received advert from 10.77.0.1 with higher priority 150, ours 100',
    '(VI_1) Entering BACKUP STATE',
  ]);
  assert.deepEqual(stats(actions), ['advert_rcvd', 'release_master']);
  assert.equal(inst.state, 'BACKUP');
  assert.equal(inst.nextDeadlineUs(), atUs + 400_000 + MDI_100);
});

test('§6.4.3 master: equal priority from a greater address → BACKUP', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.3', 100), atUs + 1);
  assert.deepEqual(core(actions), ['RemoveVips', 'Notify(BACKUP,100)']);
  assert.equal(logs(actions)[0], '(VI_1) Master received advert from 10.77.0.3 with same priority 100 but higher IP address than ours');
});

test('§6.4.3 checklist #46: addresses compare as unsigned 32-bit numbers (10.0.0.9 > 9.255.255.255, 128.0.0.1 > 127.255.255.255)', () => {
  const a = master({ sourceIp: '9.255.255.255' });
  a.inst.handle(advertFrom('10.0.0.9', 100), a.atUs + 1);
  assert.equal(a.inst.state, 'BACKUP');
  const b = master({ sourceIp: '10.0.0.9' });
  b.inst.handle(advertFrom('9.255.255.255', 100), b.atUs + 1);
  assert.equal(b.inst.state, 'MASTER');
  const c = master({ sourceIp: '127.255.255.255' });
  c.inst.handle(advertFrom('128.0.0.1', 100), c.atUs + 1);
  assert.equal(c.inst.state, 'BACKUP');
});

test('keepalived higher_prio_send_advert: one advert at our priority before yielding', () => {
  const { inst, atUs } = master({ higherPrioSendAdvert: true });
  const actions = inst.handle(advertFrom('10.77.0.1', 150), atUs + 1);
  assert.deepEqual(core(actions), ['SendAdvert(100)', 'RemoveVips', 'Notify(BACKUP,100)']);
});

test('keepalived vrrp_state_master_rx(): equal priority from our own address only warns', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.2', 100), atUs + 1);
  assert.deepEqual(core(actions), []);
  assert.deepEqual(logs(actions), ['(VI_1) WARNING - equal priority advert received from remote host with our IP address.']);
  assert.equal(inst.state, 'MASTER');
  assert.equal(inst.nextDeadlineUs(), atUs + SEC);
});

test('keepalived 2.2.7 two address owners: the master drops to 254 and yields to the other 255', () => {
  const inst = new VrrpInstance(labParams({ basePriority: 255, wantMaster: true }));
  inst.handle({ type: 'Startup' }, 0);
  const actions = inst.handle(advertFrom('10.77.0.1', 255), 100);
  assert.deepEqual(logs(actions), [
    '(VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority',
    '(VI_1) Master received advert from 10.77.0.1 with higher priority 255, ours 254',
    '(VI_1) Entering BACKUP STATE',
  ]);
  assert.deepEqual(core(actions), ['RemoveVips', 'Notify(BACKUP,254)']);
  assert.equal(inst.effectivePriority, 254);
  assert.equal(inst.nextDeadlineUs(), 100 + 3_007_812);
  tick(inst, 100 + 3_007_812);
  assert.equal(inst.state, 'MASTER');
  assert.deepEqual(core(tick(inst, 100 + 3_007_812 + SEC)), ['SendAdvert(254)']);
});

test('keepalived 2.2.7 owner conflict: after the drop to 254 tracker weights count (base priority is now 254)', () => {
  const inst = new VrrpInstance(labParams({ basePriority: 255, wantMaster: true }));
  inst.handle({ type: 'Startup' }, 0);
  inst.handle(advertFrom('10.77.0.3', 255), 100);
  inst.handle({ type: 'PriorityChanged', trackerDelta: -4 }, 200);
  assert.equal(inst.effectivePriority, 250);
});

test('§7.1 an invalid advert while MASTER changes nothing but a counter (and a log line)', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.1', 200, { password: 'wrong' }), atUs + 1);
  assert.deepEqual(core(actions), []);
  assert.deepEqual(stats(actions), ['auth_failure']);
  assert.equal(inst.state, 'MASTER');
  assert.equal(inst.nextDeadlineUs(), atUs + SEC);
});

test('§7.1 an advert_int mismatch is dropped: the master keeps its VIPs (keepalived DROP)', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.1', 200, { adverIntSec: 2 }), atUs + 1);
  assert.deepEqual(core(actions), []);
  assert.equal(inst.state, 'MASTER');
});

test('RFC 9568: a MASTER also accepts a higher advert whose VIP list differs (counted) and yields', () => {
  const { inst, atUs } = master();
  const actions = inst.handle(advertFrom('10.77.0.1', 150, { addresses: ['10.77.0.200'] }), atUs + 1);
  assert.deepEqual(stats(actions), ['addr_list_err', 'advert_rcvd', 'release_master']);
  assert.equal(inst.state, 'BACKUP');
});

test('checklist #51 split brain heals: the lower master yields at the first advert of the higher one', () => {
  const low = master();
  const high = started({ basePriority: 150, sourceIp: '10.77.0.1' });
  tick(high, high.nextDeadlineUs() ?? 0);
  assert.equal(high.state, 'MASTER');
  low.inst.handle(advertFrom('10.77.0.1', 150), low.atUs + 10);
  high.handle(advertFrom('10.77.0.2', 100), low.atUs + 20);
  assert.equal(low.inst.state, 'BACKUP');
  assert.equal(high.state, 'MASTER');
});
