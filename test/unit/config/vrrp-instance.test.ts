/**
 * The `vrrp_instance` block (src/config/keywords/vrrp-instance.ts and -extra.ts) against
 * keepalived 2.2.7 keepalived/vrrp/vrrp_parser.c vrrp_*_handler(). Expected messages, lines and
 * exit codes were checked with keepalived -t in a network namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText, errorLines, errors } from '../../support/config-harness';
import type { CheckResult } from '../../../src/config/check';
import type { VrrpInstance } from '../../../src/config/model';

const F = '/etc/keepalived/keepalived.conf';

/** An instance with interface, VRID and one VIP; `body` lines start at line 2. */
function conf(body: string, opts: { vip?: string; iface?: string | null } = {}): string {
  const iface = opts.iface === undefined ? 'eth0' : opts.iface;
  return (
    'vrrp_instance VI_1 {\n' +
    body +
    (iface === null ? '' : `  interface ${iface}\n`) +
    '  virtual_router_id 51\n' +
    `  virtual_ipaddress {\n    ${opts.vip ?? '10.0.0.1/24'}\n  }\n}\n`
  );
}

function only(r: CheckResult): VrrpInstance {
  const i = r.config?.instances[0];
  assert.ok(i, `no instance; diagnostics: ${errors(r).join(' | ')}`);
  return i;
}

// state / priority

test('keepalived vrrp_complete_instance(): state MASTER without priority makes priority 255', () => {
  const r = checkText(conf('  state MASTER\n'));
  assert.deepEqual(errors(r), []);
  assert.equal(only(r).priority, 255);
  assert.equal(only(r).state, 'MASTER');
});

test('keepalived vrrp_complete_instance(): state BACKUP without priority makes priority 100', () => {
  const r = checkText(conf('  state BACKUP\n'));
  assert.equal(only(r).priority, 100);
  assert.equal(only(r).state, 'BACKUP');
});

test('keepalived vrrp_complete_instance(): without state, priority 255 starts as MASTER, else BACKUP', () => {
  assert.equal(only(checkText(conf('  priority 255\n'))).state, 'MASTER');
  assert.equal(only(checkText(conf('  priority 254\n'))).state, 'BACKUP');
  assert.equal(only(checkText(conf(''))).state, 'BACKUP');
});

test('keepalived vrrp_state_handler(): an unknown state is reported and made BACKUP', () => {
  const r = checkText(conf('  state FOO\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 2, Col 9) (VI_1) unknown state 'FOO', defaulting to BACKUP`]);
  assert.equal(only(r).state, 'BACKUP');
  assert.equal(r.exitCode, 5);
});

test('keepalived vrrp_state_handler(): BACKUP after MASTER is ignored with a message', () => {
  const r = checkText(conf('  state MASTER\n  state BACKUP\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 3, Col 9) (VI_1) state previously set as MASTER - ignoring BACKUP`]);
  assert.equal(only(r).state, 'MASTER');
});

test('keepalived vrrp_prio_handler(): priority outside 1..255 is reported and 100 used', () => {
  const r = checkText(conf('  state MASTER\n  priority 0\n'));
  assert.deepEqual(errors(r), [
    `(${F}: Line 3, Col 12) number '0' outside range [1, 255]`,
    `(${F}: Line 3, Col 12) (VI_1) Priority not valid! must be between 1 & 255. Using default 100`,
  ]);
  assert.equal(only(r).priority, 100);
});

// nopreempt / preempt_delay

test('keepalived vrrp_complete_instance(): nopreempt is cleared by state MASTER (priority 100)', () => {
  const r = checkText(conf('  state MASTER\n  priority 100\n  nopreempt\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 4, Col 3) (VI_1) Warning - nopreempt will not work with initial state MASTER - clearing`]);
  assert.equal(only(r).nopreempt, false);
});

test('keepalived vrrp_complete_instance(): nopreempt is cleared by priority 255', () => {
  const r = checkText(conf('  state BACKUP\n  priority 255\n  nopreempt\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 4, Col 3) (VI_1) nopreempt is incompatible with priority 255. resetting nopreempt`]);
  assert.equal(only(r).nopreempt, false);
});

test('keepalived vrrp_complete_instance(): state MASTER alone implies 255, so nopreempt is reset for priority', () => {
  const r = checkText(conf('  state MASTER\n  nopreempt\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 3, Col 3) (VI_1) nopreempt is incompatible with priority 255. resetting nopreempt`]);
});

test('keepalived vrrp_nopreempt_handler(): nopreempt on a BACKUP is kept; `preempt` clears it again', () => {
  const r = checkText(conf('  state BACKUP\n  nopreempt\n'));
  assert.deepEqual(errors(r), []);
  assert.equal(only(r).nopreempt, true);
  assert.equal(only(checkText(conf('  nopreempt\n  preempt\n'))).nopreempt, false);
});

test('keepalived vrrp_preempt_delay_handler(): seconds with decimals, kept for a BACKUP', () => {
  const r = checkText(conf('  preempt_delay 2.5\n'));
  assert.deepEqual(errors(r), []);
  assert.equal(only(r).preemptDelayUs, 2_500_000);
});

test('keepalived vrrp_complete_instance(): preempt_delay is cleared for state MASTER', () => {
  const r = checkText(conf('  state MASTER\n  priority 100\n  preempt_delay 10\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 4, Col 17) (VI_1) Warning - preempt delay will not work with initial state MASTER - clearing`]);
  assert.equal(only(r).preemptDelayUs, 0);
});

test('keepalived vrrp_complete_instance(): preempt_delay is reset with nopreempt', () => {
  const r = checkText(conf('  nopreempt\n  preempt_delay 10\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 3, Col 17) (VI_1) preempt_delay is incompatible with nopreempt mode - resetting`]);
  assert.equal(only(r).preemptDelayUs, 0);
  assert.equal(only(r).nopreempt, true);
});

test('keepalived vrrp_preempt_delay_handler(): above 1000 s is refused with both messages', () => {
  const r = checkText(conf('  preempt_delay 1001\n'));
  assert.deepEqual(errors(r), [
    `(${F}: Line 2, Col 17) number '1001' outside range [0.000000, 1000.000000]`,
    `(${F}: Line 2, Col 17) (VI_1) Preempt_delay not valid! must be between 0-1000`,
  ]);
  assert.equal(only(r).preemptDelayUs, 0);
});

test(
  'keepalived vrrp_preempt_delay_handler(): an invalid number still in range is only "invalid number"',
  () => {
    const r = checkText(conf('  preempt_delay 5x\n'));
    assert.deepEqual(errors(r), [`(${F}: Line 2, Col 17) invalid number '5x'`]);
  },
);

// advert_int / version

test('keepalived vrrp_complete_instance(): the default advert_int is 1 s', () => {
  assert.equal(only(checkText(conf(''))).advertIntUs, 1_000_000);
});

test('keepalived vrrp_complete_instance(): VRRPv2 advert_int 1.5 is rounded to 2 s with a message', () => {
  const r = checkText(conf('  advert_int 1.5\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 2, Col 14) (VI_1) VRRPv2 advertisement interval 1.500000s must be an integer. rounding`]);
  assert.equal(only(r).advertIntUs, 2_000_000);
});

test('keepalived vrrp_complete_instance(): VRRPv2 rounding is half up, never below 1 s', () => {
  assert.equal(only(checkText(conf('  advert_int 2.4\n'))).advertIntUs, 2_000_000);
  assert.equal(only(checkText(conf('  advert_int 0.4\n'))).advertIntUs, 1_000_000);
  assert.equal(only(checkText(conf('  advert_int 255\n'))).advertIntUs, 255_000_000);
  assert.deepEqual(errors(checkText(conf('  advert_int 255\n'))), []);
});

test('keepalived vrrp_adv_handler(): advert_int 0 and above 255 are refused, the default kept', () => {
  const r = checkText(conf('  advert_int 0\n'));
  assert.deepEqual(errors(r), [
    `(${F}: Line 2, Col 14) number '0' outside range [0.010000, 255.000000]`,
    `(${F}: Line 2, Col 14) (VI_1) Advert interval (0) not valid! Must be > 0 - ignoring`,
  ]);
  assert.equal(only(r).advertIntUs, 1_000_000);
  assert.equal(only(checkText(conf('  advert_int 256\n'))).advertIntUs, 1_000_000);
});

test('keepalived vrrp_complete_instance(): VRRPv3 keeps centiseconds, rounds to 10 ms with a message', () => {
  const ok = checkText(conf('  version 3\n  advert_int 0.05\n'));
  assert.deepEqual(errors(ok), []);
  assert.equal(only(ok).advertIntUs, 50_000);
  assert.equal(only(ok).version, 3);
  const r = checkText(conf('  version 3\n  advert_int 0.015\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 3, Col 14) (VI_1) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding`]);
  assert.equal(only(r).advertIntUs, 20_000);
});

test('keepalived vrrp_complete_instance(): VRRPv3 advert_int must be below 40.96 s, else 40.95 s', () => {
  const r = checkText(conf('  version 3\n  advert_int 50\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 3, Col 14) (VI_1) VRRPv3 advertisement interval 50.00s is out of range. Must be less than 40.96s. Setting to 40.95s`]);
  assert.equal(only(r).advertIntUs, 40_950_000);
});

test('keepalived vrrp_version_handler(): version must be 2 or 3', () => {
  const r = checkText(conf('  version 4\n'));
  assert.deepEqual(errorLines(r), [2]);
  assert.ok(errors(r).includes(`(${F}: Line 2, Col 11) (VI_1): Version must be either 2 or 3`));
  assert.equal(only(r).version, 2);
});

test(
  'keepalived vrrp_version_handler(): a second, different version is a conflict and ignored',
  () => {
    const r = checkText(conf('  version 2\n  version 3\n'));
    assert.deepEqual(errors(r), [`(${F}: Line 3, Col 11) (VI_1) vrrp_version 3 conflicts with configured or deduced version 2; ignoring.`]);
    assert.equal(only(r).version, 2);
  },
);

test(
  'keepalived vrrp_version_handler(): version is read with read_int (a negative value is out of range)',
  () => {
    const r = checkText(conf('  version -2\n'));
    assert.equal(errors(r)[0], `(${F}: Line 2, Col 11) number '-2' outside range [2, 3]`);
  },
);

test(
  'keepalived vrrp_version_handler(): version 2 on an IPv6 instance is a conflict and ignored',
  () => {
    const r = checkText(conf('', { vip: 'fe80::1/64' }).replace('}\n}\n', '}\n  version 2\n}\n'));
    assert.deepEqual(errors(r), [`(${F}: Line 7, Col 11) (VI_1) vrrp_version 2 conflicts with configured or deduced version 0; ignoring.`]);
  },
);

test('keepalived vrrp_complete_instance(): an IPv6 instance is VRRPv3', () => {
  const r = checkText(conf('', { vip: 'fe80::1/64' }));
  assert.deepEqual(errors(r), []);
  assert.equal(only(r).family, 6);
  assert.equal(only(r).version, 3);
  assert.equal(only(r).mcastDstIp, 'ff02::12');
});

// authentication

test('keepalived vrrp_auth_pass_handler(): auth_pass longer than 8 is truncated with a message', () => {
  const r = checkText(conf('  authentication {\n    auth_type PASS\n    auth_pass 123456789\n  }\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 4, Col 15) Truncating auth_pass to 8 characters`]);
  assert.deepEqual(only(r).auth, { type: 'PASS', password: '12345678' });
});

test('keepalived vrrp_auth_pass_handler(): 8 characters are kept as is', () => {
  const r = checkText(conf('  authentication {\n    auth_type AH\n    auth_pass 12345678\n  }\n'));
  assert.deepEqual(errors(r), []);
  assert.deepEqual(only(r).auth, { type: 'AH', password: '12345678' });
});

test('keepalived vrrp_complete_instance(): VRRPv3 drops authentication with a message', () => {
  const r = checkText(conf('  version 3\n  authentication {\n    auth_type PASS\n    auth_pass secret\n  }\n'));
  assert.deepEqual(errors(r).map((e) => e.replace(/^\(.*?\) /, '')), ['(VI_1) VRRP version 3 does not support authentication. Ignoring.']);
  assert.equal(only(r).auth, null);
});

// VRID, interface

test('keepalived vrrp_vrid_handler(): VRID outside 1..255 is reported', () => {
  const r = checkText(conf('').replace('virtual_router_id 51', 'virtual_router_id 256'));
  assert.ok(errors(r).includes(`(${F}: Line 3, Col 21) (VI_1): VRID '256' not valid - must be between 1 & 255`));
});

test('keepalived chk_min_cfg(): an instance without VRID stops the set-up', () => {
  const r = checkText(conf('').replace('  virtual_router_id 51\n', ''));
  assert.deepEqual(errors(r), [`(${F}: Line 1, Col 15) (VI_1) the virtual router id must be set`]);
  assert.equal(r.config?.instances.length, 0);
  assert.equal(r.exitCode, 5);
});

test('keepalived chk_min_cfg(): an instance without interface is "Unknown interface!"', () => {
  const r = checkText(conf('', { iface: null }));
  assert.deepEqual(errors(r), [`(${F}: Line 1, Col 15) (VI_1) Unknown interface!`]);
  assert.equal(r.exitCode, 5);
});

test('keepalived vrrp_int_handler(): a missing interface is reported, then "Non-existent interface" (exit 5)', () => {
  const r = checkText(conf('', { iface: 'eth9' }));
  assert.deepEqual(errors(r), [
    `(${F}: Line 2, Col 13) WARNING - interface eth9 for vrrp_instance VI_1 doesn't exist`,
    `(${F}: Line 2, Col 13) Non-existent interface specified in configuration`,
  ]);
  assert.equal(r.diagnostics.find((d) => d.code === 'CFG_NON_EXISTENT_INTERFACE')?.cls, 'BAD_IF');
  assert.equal(r.exitCode, 5);
  assert.equal(r.config?.instances.length, 0);
});

test('keepalived vrrp_int_handler(): a loopback interface is refused', () => {
  const r = checkText(conf('', { iface: 'lo' }));
  assert.deepEqual(errors(r), [
    `(${F}: Line 2, Col 13) (VI_1) cannot use a loopback interface (lo) for vrrp - ignoring`,
    `(${F}: Line 2, Col 13) (VI_1) Unknown interface!`,
  ]);
  assert.equal(r.exitCode, 5);
});

test('keepalived vrrp_int_handler(): an interface name of 16 characters is too long', () => {
  const r = checkText(conf('', { iface: 'abcdefghijklmnop' }));
  assert.equal(errors(r)[0], `(${F}: Line 2, Col 13) Interface name 'abcdefghijklmnop' too long - ignoring`);
});

test('keepalived vrrp_int_handler(): an interface that exists on the host is taken', () => {
  const r = checkText(conf('', { iface: 'bond0' }), { interfaces: ['bond0'] });
  assert.deepEqual(errors(r), []);
  assert.equal(only(r).interface, 'bond0');
});

// unicast / multicast

test('keepalived vrrp_end_handler(): unicast_ttl without unicast peers is reset at the block end', () => {
  const r = checkText(conf('  unicast_ttl 10\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 8, Col 1) (VI_1): Cannot use unicast_ttl without unicast peers - resetting`]);
  assert.equal(only(r).unicastTtl, null);
});

test('keepalived vrrp_complete_instance(): with unicast peers the TTL defaults to 255 and no multicast group', () => {
  const r = checkText(conf('  unicast_peer {\n    10.0.0.2\n  }\n'));
  assert.deepEqual(errors(r), []);
  assert.equal(only(r).unicastTtl, 255);
  assert.equal(only(r).mcastDstIp, null);
  assert.deepEqual(only(r).unicastPeers.map((p) => p.address), ['10.0.0.2']);
});

test('keepalived vrrp_ttl_handler(): unicast_ttl is used with peers', () => {
  const r = checkText(conf('  unicast_ttl 10\n  unicast_peer {\n    10.0.0.2\n  }\n'));
  assert.equal(only(r).unicastTtl, 10);
});

test('keepalived vrrp_mcast_dst_handler(): a non-multicast destination is refused', () => {
  const r = checkText(conf('  mcast_dst_ip 10.1.1.1\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 2, Col 16) (VI_1) mcast_dst_ip 10.1.1.1 not multicast. Skipping...`]);
  assert.equal(only(r).mcastDstIp, '224.0.0.18');
  assert.equal(only(checkText(conf('  mcast_dst_ip 224.0.0.99\n'))).mcastDstIp, '224.0.0.99');
});

// effective defaults

test('keepalived alloc_vrrp()/vrrp_complete_instance(): the effective defaults of a minimal instance', () => {
  const i = only(checkText(conf('')));
  assert.equal(i.vrid, 51);
  assert.equal(i.version, 2);
  assert.equal(i.family, 4);
  assert.equal(i.priority, 100);
  assert.equal(i.advertIntUs, 1_000_000);
  assert.equal(i.mcastDstIp, '224.0.0.18');
  assert.equal(i.unicastTtl, null);
  assert.equal(i.nopreempt, false);
  assert.equal(i.preemptDelayUs, 0);
  assert.equal(i.downTimerAdverts, 3);
  assert.equal(i.accept, true);
  assert.equal(i.strictMode, false);
  assert.equal(i.auth, null);
  assert.deepEqual(i.garp, {
    masterDelaySec: 5,
    masterRepeat: 5,
    masterRefreshSec: 0,
    masterRefreshRepeat: 1,
    lowerPrioDelaySec: 5,
    lowerPrioRepeat: 5,
  });
  assert.equal(i.syncGroup, null);
});

test('keepalived alloc_vrrp_vip(): a VIP of the other family is refused', () => {
  const r = checkText(conf('', { vip: '10.0.0.1/24\n    fe80::1/64' }));
  assert.equal(errors(r).length, 1);
  assert.match(errors(r)[0] ?? '', /Line 6, Col 5\) \(VI_1\): address family must match VRRP instance \[fe80::1\/64\] - ignoring$/);
  assert.equal(only(r).virtualIpaddress.length, 1);
});
