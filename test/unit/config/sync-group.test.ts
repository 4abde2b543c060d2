/**
 * `vrrp_sync_group` blocks and their membership (src/config/keywords/sync-group.ts and
 * build.ts) against keepalived 2.2.7 vrrp_parser.c vrrp_group_handler() and vrrp_sync.c /
 * vrrp.c vrrp_complete_init(). Expected messages and exit codes were checked with keepalived -t.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText, errors } from '../../support/config-harness';

const F = '/etc/keepalived/keepalived.conf';

function instance(name: string, vrid: number, extra = ''): string {
  return `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  virtual_ipaddress {\n    10.0.0.${vrid}/24\n  }\n${extra}}\n`;
}

/** A sync group G with `members` one per line; the group is lines 1..(4 + members). */
function group(members: string[], name = 'G', extra = ''): string {
  return `vrrp_sync_group ${name} {\n  group {\n${members.map((m) => `    ${m}\n`).join('')}  }\n${extra}}\n`;
}

test('keepalived vrrp_sync_set_group(): two members make a group, each instance knows it', () => {
  const r = checkText(group(['VI_1', 'VI_2']) + instance('VI_1', 1) + instance('VI_2', 2));
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.config?.syncGroups.map((g) => [g.name, g.members]), [['G', ['VI_1', 'VI_2']]]);
  assert.deepEqual(r.config?.instances.map((i) => i.syncGroup), ['G', 'G']);
  assert.equal(r.exitCode, 0);
});

test('keepalived vrrp_group_handler(): members may be given on one line', () => {
  const r = checkText('vrrp_sync_group G {\n  group { VI_1 VI_2 }\n}\n' + instance('VI_1', 1) + instance('VI_2', 2));
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.config?.syncGroups[0]?.members, ['VI_1', 'VI_2']);
});

test('keepalived vrrp_sync_set_group(): a group with one member is reported but kept', () => {
  const r = checkText(group(['VI_1']) + instance('VI_1', 1));
  assert.deepEqual(errors(r), [`(${F}: Line 1, Col 17) Sync group G has only 1 virtual router(s) - this probably isn't what you want`]);
  assert.equal(r.exitCode, 5);
  assert.deepEqual(r.config?.syncGroups[0]?.members, ['VI_1']);
  assert.equal(r.config?.instances[0]?.syncGroup, 'G');
});

test("keepalived vrrp_sync_set_group(): an unknown member is reported on its line and ignored", () => {
  const r = checkText(group(['VI_1', 'VI_9']) + instance('VI_1', 1));
  assert.deepEqual(errors(r), [
    `(${F}: Line 4, Col 5) Virtual router VI_9 specified in sync group G doesn't exist - ignoring`,
    `(${F}: Line 1, Col 17) Sync group G has only 1 virtual router(s) - this probably isn't what you want`,
  ]);
  assert.deepEqual(r.config?.syncGroups[0]?.members, ['VI_1']);
});

test('keepalived vrrp_sync_set_group(): a group with no existing member is removed', () => {
  const r = checkText(group(['VI_9']) + instance('VI_1', 1));
  assert.equal(errors(r)[0], `(${F}: Line 3, Col 5) Virtual router VI_9 specified in sync group G doesn't exist - ignoring`);
  assert.equal(errors(r).length, 2);
  assert.deepEqual(r.config?.syncGroups, []);
  assert.equal(r.config?.instances[0]?.syncGroup, null);
});

test(
  'keepalived vrrp_sync_set_group(): "no matching virtual router found in group declaration - removing"',
  () => {
    const r = checkText(group(['VI_9']) + instance('VI_1', 1));
    assert.equal(errors(r)[1], `(${F}: Line 1, Col 17) Sync group G, no matching virtual router found in group declaration - removing`);
  },
);

test('keepalived vrrp_sync_set_group(): an instance cannot be in two sync groups', () => {
  const r = checkText(group(['VI_1', 'VI_2']) + group(['VI_1', 'VI_2'], 'H') + instance('VI_1', 1) + instance('VI_2', 2));
  assert.deepEqual(errors(r).slice(0, 2), [
    `(${F}: Line 9, Col 5) Virtual router VI_1 cannot exist in more than one sync group; ignoring H`,
    `(${F}: Line 10, Col 5) Virtual router VI_2 cannot exist in more than one sync group; ignoring H`,
  ]);
  assert.deepEqual(r.config?.syncGroups.map((g) => g.name), ['G']);
  assert.deepEqual(r.config?.instances.map((i) => i.syncGroup), ['G', 'G']);
});

test('keepalived vrrp_group_handler(): an empty group block is reported, then the group removed', () => {
  const r = checkText('vrrp_sync_group G {\n  group {\n  }\n}\n' + instance('VI_1', 1));
  assert.deepEqual(errors(r), [
    `(${F}: Line 3, Col 3) Warning - sync group G has empty group block`,
    `(${F}: Line 1, Col 17) Sync group G has no virtual router(s). removing`,
  ]);
  assert.deepEqual(r.config?.syncGroups, []);
});

test('keepalived vrrp_sync_group_handler(): a second group of the same name is reported and skipped', () => {
  const r = checkText(group(['VI_1', 'VI_2']) + group(['VI_1'], 'G') + instance('VI_1', 1) + instance('VI_2', 2));
  assert.deepEqual(errors(r), [`(${F}: Line 7, Col 17) vrrp sync group G already defined`]);
  assert.equal(r.config?.syncGroups.length, 1);
});

test('keepalived vrrp_complete_instance(): tracked interface weights are ignored in a sync group', () => {
  const r = checkText(
    group(['VI_1', 'VI_2']) + instance('VI_1', 1, '  track_interface {\n    eth1 weight 10\n  }\n') + instance('VI_2', 2),
    { interfaces: ['eth0', 'eth1'] },
  );
  assert.deepEqual(errors(r), [`(${F}: Line 14, Col 5) (VI_1) ignoring eth1 tracked interface weight due to SYNC group`]);
  assert.deepEqual(r.config?.instances[0]?.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 0]]);
});

test('keepalived sync_group_tracking_weight: weights are kept when the group allows them', () => {
  const r = checkText(
    group(['VI_1', 'VI_2'], 'G', '  sync_group_tracking_weight\n') +
      instance('VI_1', 1, '  track_interface {\n    eth1 weight 10\n  }\n') +
      instance('VI_2', 2),
    { interfaces: ['eth0', 'eth1'] },
  );
  assert.deepEqual(errors(r), []);
  assert.equal(r.config?.instances[0]?.trackInterfaces[0]?.weight, 10);
  assert.equal(r.config?.syncGroups[0]?.trackingWeight, true);
});

test('keepalived vrrp_sync_set_group(): a MASTER owner listed before a BACKUP member is reported', () => {
  const r = checkText(
    group(['VI_1', 'VI_2']) + instance('VI_1', 1, '  state MASTER\n  priority 255\n') + instance('VI_2', 2, '  state BACKUP\n'),
  );
  assert.deepEqual(errors(r), [
    `(${F}: Line 1, Col 17) Sync group G has some member(s) as address owner and some not as address owner. This won't work.`,
  ]);
});

test(
  'keepalived vrrp_sync_set_group(): the owner check only sees configured states, in member order',
  () => {
    // Owner without `state`: keepalived has not derived MASTER yet when it builds the group.
    const noState = checkText(group(['VI_1', 'VI_2']) + instance('VI_1', 1, '  priority 255\n') + instance('VI_2', 2));
    assert.deepEqual(errors(noState), []);
    // BACKUP member first: the group is already BACKUP when the owner is added.
    const backupFirst = checkText(
      group(['VI_2', 'VI_1']) + instance('VI_1', 1, '  state MASTER\n  priority 255\n') + instance('VI_2', 2, '  state BACKUP\n'),
    );
    assert.deepEqual(errors(backupFirst), []);
    assert.equal(backupFirst.exitCode, 0);
  },
);
