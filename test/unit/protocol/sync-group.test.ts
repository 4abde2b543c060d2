/**
 * SyncGroup (src/protocol/sync-group.ts): keepalived vrrp_sync.c semantics over two pure
 * members, VI_1 (VRID 51, priority 100) and VI_2 (VRID 52, priority 150), fake clock in µs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstance } from '../../../src/protocol/instance';
import { SyncGroup, type GroupAction, type MemberEvent } from '../../../src/protocol/sync-group';
import type { InstanceParams } from '../../../src/protocol/types';
import { advertFrom } from '../../support/adverts';
import { core, labParams, MDI_100, SEC, SKEW_100 } from '../../support/instance-harness';

const MDI_150 = 3_414_062;
const SKEW_150 = 414_062;

function group(p1: Partial<InstanceParams> = {}, p2: Partial<InstanceParams> = {}): SyncGroup {
  const vi1 = new VrrpInstance(labParams(p1));
  const vi2 = new VrrpInstance(
    labParams({ name: 'VI_2', vrid: 52, basePriority: 150, vips: ['10.77.1.100'], ...p2 }),
  );
  return new SyncGroup('G1', [vi1, vi2]);
}

/** "VI_1:SendAdvert(100)", "G1:Notify(MASTER,0)"; logs and counters left out. */
function view(actions: readonly GroupAction[]): string[] {
  return actions.flatMap((a) => core([a.action]).map((s) => `${a.name}:${s}`));
}

const tick = (g: SyncGroup, nowUs: number): GroupAction[] => g.handle({ type: 'DeadlineReached' }, nowUs);
const fault = (faulted: boolean): MemberEvent => ({ type: 'FaultChanged', faulted, reason: 'eth1 down' });
const vi2Advert = (src: string, priority: number): MemberEvent =>
  advertFrom(src, priority, { vrid: 52, addresses: ['10.77.1.100'] });

/** The group brought to MASTER the normal way; returns it and the time. */
function masterGroup(p1: Partial<InstanceParams> = {}, p2: Partial<InstanceParams> = {}): { g: SyncGroup; atUs: number } {
  const g = group(p1, p2);
  g.handle({ type: 'Startup' }, 0);
  tick(g, MDI_150);
  tick(g, MDI_100);
  assert.equal(g.state, 'MASTER');
  return { g, atUs: MDI_100 };
}

test('keepalived vrrp_init_state(): members start in BACKUP and the group notifies BACKUP with priority 0', () => {
  const g = group();
  assert.deepEqual(view(g.handle({ type: 'Startup' }, 0)), [
    'VI_1:RemoveVips', 'VI_1:Notify(BACKUP,100)', 'VI_2:RemoveVips', 'VI_2:Notify(BACKUP,150)', 'G1:Notify(BACKUP,0)',
  ]);
  assert.equal(g.state, 'BACKUP');
  assert.equal(g.nextDeadlineUs(), MDI_150);
});

test('keepalived vrrp_sync_can_goto_master(): a member whose timer fires first is held until every member wants MASTER', () => {
  const g = group();
  g.handle({ type: 'Startup' }, 0);
  assert.deepEqual(view(tick(g, MDI_150)), []);
  assert.equal(g.member('VI_2')?.state, 'BACKUP');
  assert.equal(g.member('VI_2')?.wantsMaster, true);
  assert.equal(g.nextDeadlineUs(), MDI_100);
  const actions = tick(g, MDI_100);
  assert.deepEqual(view(actions), [
    'VI_1:SendAdvert(100)', 'VI_1:AddVips', 'VI_1:SendGarp(5)', 'VI_1:Notify(MASTER,100)',
    'VI_2:SendAdvert(150)', 'VI_2:AddVips', 'VI_2:SendGarp(5)', 'VI_2:Notify(MASTER,150)',
    'G1:Notify(MASTER,0)',
  ]);
  assert.ok(actions.some((a) => a.scope === 'group' && a.action.type === 'Log' &&
    a.action.message === 'VRRP_Group(G1) Syncing instances to MASTER state'));
  assert.equal(g.member('VI_2')?.nextDeadlineUs(), MDI_100 + SEC);
});

test('keepalived vrrp_state_backup(): an accepted advert ends a held member\'s wish, so the group stays BACKUP', () => {
  const g = group();
  g.handle({ type: 'Startup' }, 0);
  tick(g, MDI_150);
  g.handleMember('VI_2', vi2Advert('10.77.0.1', 200), 3_500_000);
  assert.equal(g.member('VI_2')?.wantsMaster, false);
  assert.deepEqual(view(tick(g, MDI_100)), []);
  assert.equal(g.state, 'BACKUP');
  assert.equal(g.member('VI_1')?.state, 'BACKUP');
});

test('keepalived vrrp_sync_backup(): a MASTER member yielding to a higher priority pulls the others to BACKUP', () => {
  const { g, atUs } = masterGroup();
  const now = atUs + 400_000;
  assert.deepEqual(view(g.handleMember('VI_1', advertFrom('10.77.0.1', 200), now)), [
    'VI_1:RemoveVips', 'VI_1:Notify(BACKUP,100)', 'VI_2:RemoveVips', 'VI_2:Notify(BACKUP,150)', 'G1:Notify(BACKUP,0)',
  ]);
  assert.equal(g.member('VI_2')?.nextDeadlineUs(), now + MDI_150);
});

test('keepalived vrrp_sync_fault(): a member entering FAULT (two priority-0 adverts) takes the MASTER members to FAULT with one each', () => {
  const { g, atUs } = masterGroup();
  assert.deepEqual(view(g.handleMember('VI_2', fault(true), atUs + 5)), [
    'VI_2:SendAdvert(0)', 'VI_2:SendAdvert(0)', 'VI_2:RemoveVips', 'VI_2:Notify(FAULT,150)',
    'VI_1:SendAdvert(0)', 'VI_1:RemoveVips', 'VI_1:Notify(FAULT,100)',
    'G1:Notify(FAULT,0)',
  ]);
  assert.equal(g.nextDeadlineUs(), null);
});

test('keepalived try_up_instance(): the group leaves FAULT only when no member has a fault of its own left', () => {
  const g = group();
  g.handle({ type: 'Startup' }, 0);
  assert.deepEqual(view(g.handleMember('VI_1', fault(true), SEC)), [
    'VI_1:Notify(FAULT,100)', 'VI_2:Notify(FAULT,150)', 'G1:Notify(FAULT,0)',
  ]);
  assert.deepEqual(view(g.handleMember('VI_2', fault(true), 2 * SEC)), []);
  assert.deepEqual(view(g.handleMember('VI_1', fault(false), 3 * SEC)), []);
  assert.equal(g.member('VI_1')?.state, 'FAULT');
  assert.deepEqual(view(g.handleMember('VI_2', fault(false), 4 * SEC)), [
    'VI_2:Notify(BACKUP,150)', 'VI_1:Notify(BACKUP,100)', 'G1:Notify(BACKUP,0)',
  ]);
  assert.equal(g.member('VI_1')?.nextDeadlineUs(), 4 * SEC + MDI_100);
  assert.equal(g.member('VI_2')?.nextDeadlineUs(), 4 * SEC + MDI_150);
});

test('keepalived set_vrrp_backup(): a VIP deleted on one member → every MASTER member leaves with priority 0, timers = Skew_Time', () => {
  const { g, atUs } = masterGroup();
  const now = atUs + 100;
  assert.deepEqual(view(g.handleMember('VI_1', { type: 'VipDeleted', address: '10.77.0.100' }, now)), [
    'VI_1:SendAdvert(0)', 'VI_1:RemoveVips', 'VI_1:Notify(BACKUP,100)',
    'VI_2:SendAdvert(0)', 'VI_2:RemoveVips', 'VI_2:Notify(BACKUP,150)',
    'G1:Notify(BACKUP,0)',
  ]);
  assert.equal(g.member('VI_1')?.nextDeadlineUs(), now + SKEW_100);
  assert.equal(g.member('VI_2')?.nextDeadlineUs(), now + SKEW_150);
  tick(g, now + SKEW_150);
  tick(g, now + SKEW_100);
  assert.equal(g.state, 'MASTER');
});

test('keepalived vrrp_state_master_rx(): a lower priority advert on one member → every member sends its lower-priority GARP burst', () => {
  const { g, atUs } = masterGroup({}, { garp: { ...labParams().garp, lowerPrioRepeat: 3 } });
  assert.deepEqual(view(g.handleMember('VI_1', advertFrom('10.77.0.1', 50), atUs + 10)), [
    'VI_1:SendAdvert(100)', 'VI_1:SendGarp(5)', 'VI_1:NotifyMasterRxLowerPri', 'VI_2:SendGarp(3)',
  ]);
  assert.equal(g.state, 'MASTER');
});

test('keepalived notify_shutdown(): the members stop first (MASTERs send priority 0), then the group notifies STOP with priority 0', () => {
  const { g, atUs } = masterGroup();
  assert.deepEqual(view(g.handle({ type: 'Shutdown' }, atUs + 1)), [
    'VI_1:SendAdvert(0)', 'VI_1:RemoveVips', 'VI_1:Notify(STOP,100)',
    'VI_2:SendAdvert(0)', 'VI_2:RemoveVips', 'VI_2:Notify(STOP,150)',
    'G1:Notify(STOP,0)',
  ]);
  assert.equal(g.state, 'STOP');
  assert.equal(g.nextDeadlineUs(), null);
});

test('keepalived vrrp_init_state(): a member fault reported before Startup starts the whole group in FAULT', () => {
  const g = group();
  assert.deepEqual(g.handleMember('VI_2', fault(true), 0), []);
  assert.deepEqual(view(g.handle({ type: 'Startup' }, 0)), [
    'VI_1:RemoveVips', 'VI_1:Notify(FAULT,100)', 'VI_2:RemoveVips', 'VI_2:Notify(FAULT,150)', 'G1:Notify(FAULT,0)',
  ]);
});

test('keepalived vrrp_sync_set_group(): a group of owners with state MASTER starts MASTER together', () => {
  const owner = { basePriority: 255, wantMaster: true };
  const g = group(owner, owner);
  assert.deepEqual(view(g.handle({ type: 'Startup' }, 0)), [
    'VI_1:RemoveVips', 'VI_1:SendAdvert(255)', 'VI_1:AddVips', 'VI_1:SendGarp(5)', 'VI_1:Notify(MASTER,255)',
    'VI_2:RemoveVips', 'VI_2:SendAdvert(255)', 'VI_2:AddVips', 'VI_2:SendGarp(5)', 'VI_2:Notify(MASTER,255)',
    'G1:Notify(MASTER,0)',
  ]);
});

test('keepalived: an owner in a group with a non-owner does not start MASTER alone', () => {
  const g = group({ basePriority: 255, wantMaster: true });
  g.handle({ type: 'Startup' }, 0);
  assert.equal(g.member('VI_1')?.state, 'BACKUP');
  assert.equal(g.state, 'BACKUP');
});

test('an early group DeadlineReached is treated as the earliest member deadline', () => {
  const g = group();
  g.handle({ type: 'Startup' }, 0);
  tick(g, 1);
  assert.equal(g.member('VI_2')?.wantsMaster, true);
  assert.equal(g.member('VI_1')?.wantsMaster, false);
  assert.equal(g.member('VI_2')?.nextDeadlineUs(), 2 * MDI_150);
});

test('SyncGroup refuses an empty group, a member listed twice, and events for a non-member', () => {
  const vi = new VrrpInstance(labParams());
  assert.throws(() => new SyncGroup('G', []), RangeError);
  assert.throws(() => new SyncGroup('G', [vi, vi]), RangeError);
  assert.throws(() => group().handleMember('VI_9', fault(true), 0), RangeError);
});
