/**
 * From the parse draft to the effective Config (src/config/build.ts): global defaults, the
 * order in which keepalived stops its set-up, and the cross-instance checks. keepalived 2.2.7:
 * vrrp.c vrrp_complete_init(), check_vrid_conflicts(); vrrp_daemon.c start_vrrp().
 * Expected messages were checked with keepalived -t.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfig } from '../../../src/config/check';
import { checkText, errors, fakeHost, memoryFs } from '../../support/config-harness';

const F = '/etc/keepalived/keepalived.conf';

function instance(name: string, vrid: number, opts: { iface?: string; vip?: string; extra?: string } = {}): string {
  return (
    `vrrp_instance ${name} {\n  interface ${opts.iface ?? 'eth0'}\n  virtual_router_id ${vrid}\n` +
    `  virtual_ipaddress {\n    ${opts.vip ?? '10.0.0.1/24'}\n  }\n${opts.extra ?? ''}}\n`
  );
}

test('keepalived init_global_data(): router_id defaults to the host name', () => {
  const r = checkText(instance('VI_1', 1), { hostname: 'node7' });
  assert.equal(r.config?.global.routerId, 'node7');
  const set = checkText(`global_defs {\n  router_id lb-a\n}\n${instance('VI_1', 1)}`, { hostname: 'node7' });
  assert.equal(set.config?.global.routerId, 'lb-a');
});

test('keepalived set_vrrp_defaults(): global defaults of an empty configuration', () => {
  const r = checkText('');
  assert.equal(r.exitCode, 0);
  const g = r.config?.global;
  assert.equal(g?.vrrpVersion, 2);
  assert.equal(g?.vrrpMcastGroup4, '224.0.0.18');
  assert.equal(g?.enableScriptSecurity, false);
  assert.equal(g?.strict, false);
  assert.deepEqual(g?.garp, {
    masterDelaySec: 5,
    masterRepeat: 5,
    masterRefreshSec: 0,
    masterRefreshRepeat: 1,
    lowerPrioDelaySec: 5,
    lowerPrioRepeat: 5,
  });
  assert.deepEqual(r.config?.instances, []);
  assert.deepEqual(r.config?.syncGroups, []);
});

test('keepalived vrrp_complete_init(): global lower-priority GARP values inherit the master ones', () => {
  const r = checkText('global_defs {\n  vrrp_garp_master_repeat 3\n  vrrp_garp_master_delay 7\n}\n');
  assert.equal(r.config?.global.garp.lowerPrioRepeat, 3);
  assert.equal(r.config?.global.garp.lowerPrioDelaySec, 7);
});

test(
  'keepalived vrrp_complete_init(): an instance inherits the global lower-priority GARP values after that inheritance',
  () => {
    const r = checkText(`global_defs {\n  vrrp_garp_master_repeat 3\n  vrrp_garp_master_delay 7\n}\n${instance('VI_1', 1)}`);
    const garp = r.config?.instances[0]?.garp;
    assert.equal(garp?.masterRepeat, 3);
    assert.equal(garp?.lowerPrioRepeat, 3);
    assert.equal(garp?.lowerPrioDelaySec, 7);
  },
);

test('keepalived check_vrid_conflicts(): the same VRID twice on one interface is an error', () => {
  const r = checkText(instance('VI_1', 51) + instance('VI_2', 51, { vip: '10.0.0.2/24' }));
  assert.equal(errors(r).length, 1);
  assert.match(errors(r)[0] ?? '', /both use VRID 51 with IPv4 on interface eth0$/);
  assert.equal(r.diagnostics.find((d) => d.code === 'CFG_DUPLICATE_VRID')?.at?.line, 8);
  assert.equal(r.exitCode, 5);
  assert.equal(r.config?.instances.length, 2);
});

test(
  'keepalived check_vrid_conflicts(): the earlier instance is named first',
  () => {
    const r = checkText(instance('VI_1', 51) + instance('VI_2', 51, { vip: '10.0.0.2/24' }));
    assert.equal(errors(r)[0], `(${F}: Line 8, Col 15) VI_1 and VI_2 both use VRID 51 with IPv4 on interface eth0`);
  },
);

test('keepalived check_vrid_conflicts(): the same VRID on other interfaces, families or groups is fine', () => {
  const host = { interfaces: ['eth0', 'eth1'] };
  assert.deepEqual(errors(checkText(instance('VI_1', 51) + instance('VI_2', 51, { iface: 'eth1' }), host)), []);
  assert.deepEqual(errors(checkText(instance('VI_1', 51) + instance('VI_2', 51, { vip: 'fe80::1/64' }), host)), []);
  assert.deepEqual(errors(checkText(instance('VI_1', 51) + instance('VI_2', 51, { extra: '  mcast_dst_ip 224.0.0.99\n' }), host)), []);
});

test('keepalived check_vrid_conflicts(): unicast and multicast are separate VRID spaces', () => {
  const r = checkText(instance('VI_1', 51) + instance('VI_2', 51, { extra: '  unicast_peer {\n    10.0.0.9\n  }\n' }));
  assert.deepEqual(errors(r), []);
});

test('keepalived start_vrrp(): a non-existent interface stops the VRRP set-up after parsing', () => {
  const r = checkText(instance('VI_1', 1, { iface: 'eth9' }) + instance('VI_2', 2));
  assert.deepEqual(errors(r), [
    `(${F}: Line 2, Col 13) WARNING - interface eth9 for vrrp_instance VI_1 doesn't exist`,
    `(${F}: Line 2, Col 13) Non-existent interface specified in configuration`,
  ]);
  assert.deepEqual(r.config?.instances, []);
  assert.equal(r.exitCode, 5);
});

test('keepalived start_vrrp(): with a non-existent interface no script security is checked', () => {
  const text = `vrrp_script chk {\n  script /usr/bin/chk\n}\n${instance('VI_1', 1, { iface: 'eth9', extra: '  track_script {\n    chk\n  }\n' })}`;
  const r = checkText(text, { scripts: { '/usr/bin/chk': {} } });
  assert.equal(r.diagnostics.some((d) => d.code === 'CFG_SCRIPT_SECURITY'), false);
  assert.equal(r.exitCode, 5);
});

test('keepalived chk_min_cfg(): the first instance without VRID stops the checks of all others', () => {
  const noVrid = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n';
  const r = checkText(noVrid + instance('VI_2', 2, { extra: '  advert_int 1.5\n' }));
  assert.deepEqual(errors(r), [`(${F}: Line 1, Col 15) (VI_1) the virtual router id must be set`]);
  assert.deepEqual(r.config?.instances, []);
});

test('keepalived check_conf_file(): a missing main file gives no Config at all and exit 4 (tsvrrpd)', () => {
  const r = checkConfig({ file: '/etc/keepalived/none.conf', configId: 'lb1', fs: memoryFs({}), host: fakeHost() });
  assert.equal(r.config, null);
  assert.equal(r.exitCode, 4);
  assert.equal(r.diagnostics[0]?.message, "Config files missing '/etc/keepalived/none.conf'.");
});

test('keepalived vrrp_complete_init(): scripts and their trackers reach the effective Config', () => {
  const text =
    'global_defs {\n  enable_script_security\n  script_user root\n}\nvrrp_script chk {\n  script "/usr/bin/chk a"\n  interval 3\n}\n' +
    instance('VI_1', 1, { extra: '  track_script {\n    chk weight 5\n  }\n' });
  const r = checkText(text, { scripts: { '/usr/bin/chk': {} } });
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.config?.scripts.map((s) => [s.name, s.intervalSec, s.timeoutSec, s.script.args]), [['chk', 3, 3, ['/usr/bin/chk', 'a']]]);
  assert.deepEqual(r.config?.instances[0]?.trackScripts.map((t) => [t.name, t.weight]), [['chk', 5]]);
});
