/**
 * global_defs and the global parser's top-level keywords, driven through the real parser
 * (checkConfig on an in-memory file system and a fake host). Each test is named after the
 * keepalived 2.2.7 handler it mirrors (core/global_parser.c unless said otherwise); the
 * expected messages were checked against `keepalived -t` 2.2.7 in a network namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText, type FakeHostOptions } from '../../support/config-harness';
import type { CheckResult } from '../../../src/config/check';
import type { GlobalDefs } from '../../../src/config/model';

const INSTANCE = `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        10.0.0.100
    }
}
`;

/** global_defs with `lines` (the first on line 2), then a valid instance. */
function run(lines: readonly string[], host: FakeHostOptions = {}, before = ''): CheckResult {
  return checkText(`${before}global_defs {\n${lines.map((l) => `    ${l}`).join('\n')}\n}\n${INSTANCE}`, host);
}

/** Verdict-affecting diagnostics as `line: message`. */
function msgs(r: CheckResult): string[] {
  return r.diagnostics.filter((d) => d.cls !== 'NOTICE').map((d) => `${d.at?.line ?? '-'}: ${d.message}`);
}

function notices(r: CheckResult): string[] {
  return r.diagnostics.filter((d) => d.cls === 'NOTICE').map((d) => d.message);
}

function globals(r: CheckResult): GlobalDefs {
  assert.ok(r.config, 'a config is built');
  return r.config.global;
}

function ok(r: CheckResult): void {
  assert.deepEqual(msgs(r), []);
  assert.equal(r.exitCode, 0);
}

// ---- router id, email -------------------------------------------------------------------

test('keepalived global_parser routerid_handler: sets router_id, first word only', () => {
  const r = run(['router_id lb1-router extra']);
  ok(r);
  assert.equal(globals(r).routerId, 'lb1-router');
});

test('keepalived global_parser routerid_handler: missing name is an error, not exit 2', () => {
  const r = run(['router_id']);
  assert.deepEqual(msgs(r), ['2: routerid name missing - ignoring']);
  assert.equal(r.exitCode, 5);
});

test('keepalived global_parser email_handler: block, inline block and quoted names', () => {
  const r = run(['notification_email {', '  root@localhost ops@example.com', '  "Ops Team <ops@example.com>"', '}', 'notification_email { a@b c@d }']);
  ok(r);
  assert.deepEqual(globals(r).notificationEmail, ['root@localhost', 'ops@example.com', 'Ops Team <ops@example.com>', 'a@b', 'c@d']);
});

test('keepalived global_parser email_handler: an empty block is an error', () => {
  const r = run(['notification_email {', '}']);
  assert.deepEqual(msgs(r), ['2: Warning - empty notification_email block']);
  assert.equal(r.exitCode, 5);
});

test('keepalived global_parser email_handler: an address without a block is "extra parameters"', () => {
  const r = run(['notification_email root@localhost', 'notification_email {', '}']);
  assert.deepEqual(msgs(r), ['2: Block notification_email has extra parameters root@localhost ...']);
});

test('keepalived global_parser emailfrom_handler: value, and missing value', () => {
  ok(run(['notification_email_from keepalived@lb1']));
  assert.equal(globals(run(['notification_email_from keepalived@lb1'])).notificationEmailFrom, 'keepalived@lb1');
  assert.deepEqual(msgs(run(['notification_email_from'])), ['2: emailfrom missing - ignoring']);
});

// ---- SMTP -------------------------------------------------------------------------------

test('keepalived global_parser smtp_server: default port 25', () => {
  const r = run(['smtp_server 127.0.0.1']);
  ok(r);
  assert.deepEqual(globals(r).smtpServer, { host: '127.0.0.1', port: 25 });
});

test('keepalived global_parser smtp_server: port, IPv6, host name, inet_aton forms', () => {
  assert.deepEqual(globals(run(['smtp_server 10.1.1.1 2525'])).smtpServer, { host: '10.1.1.1', port: 2525 });
  assert.deepEqual(globals(run(['smtp_server ::1'])).smtpServer, { host: '::1', port: 25 });
  assert.deepEqual(globals(run(['smtp_server localhost 25'])).smtpServer, { host: 'localhost', port: 25 });
  assert.deepEqual(globals(run(['smtp_server mail-relay.example.com'])).smtpServer, { host: 'mail-relay.example.com', port: 25 });
  assert.deepEqual(globals(run(['smtp_server 127.1'])).smtpServer, { host: '127.0.0.1', port: 25 });
  assert.deepEqual(globals(run(['smtp_server 0x7f.1'])).smtpServer, { host: '127.0.0.1', port: 25 });
  ok(run(['smtp_server fe80::1%eth0']));
});

test('keepalived global_parser smtp_server: a bad port is read twice for an address, once for a name', () => {
  const r = run(['smtp_server 127.0.0.1 99999', 'smtp_server mail-relay 0', 'smtp_server 127.0.0.1 abc']);
  assert.deepEqual(msgs(r), [
    "2: number '99999' outside range [1, 65535]",
    "2: number '99999' outside range [1, 65535]",
    '2: Invalid smtp server 127.0.0.1 99999',
    "3: number '0' outside range [1, 65535]",
    '3: Invalid smtp server mail-relay 0',
    "4: invalid number 'abc'",
    "4: invalid number 'abc'",
    '4: Invalid smtp server 127.0.0.1 abc',
  ]);
});

test('keepalived global_parser smtp_server: unusable hosts; a failed line unsets the server', () => {
  const r = run(['smtp_server 127.0.0.1', 'smtp_server 300.1.1.1', 'smtp_server 10.0.0.1/24', 'smtp_server 1.2.3.4-5']);
  assert.deepEqual(msgs(r), ['3: Invalid smtp server 300.1.1.1 25', '4: Invalid smtp server 10.0.0.1/24 25', '5: Invalid smtp server 1.2.3.4-5 25']);
  assert.equal(globals(r).smtpServer, null);
});

test('keepalived global_parser smtp_server: missing host stops keepalived (exit 2)', () => {
  const r = run(['smtp_server']);
  assert.deepEqual(msgs(r), ['2: *** Configuration line starting `smtp_server` is missing a parameter after keyword `smtp_server` at word position 2']);
  assert.equal(r.exitCode, 2);
});

test('keepalived global_parser smtphelo_handler: name, and silently nothing without one', () => {
  assert.equal(globals(run(['smtp_helo_name "mail relay"'])).smtpHeloName, 'mail relay');
  const r = run(['smtp_helo_name']);
  ok(r);
  assert.equal(globals(r).smtpHeloName, null);
});

test('keepalived global_parser smtpto_handler: range [0, 4294], 0 becomes 1 (with keepalived\'s typo)', () => {
  const r = run(['smtp_connect_timeout 0', 'smtp_connect_timeout -5', 'smtp_connect_timeout 4295', 'smtp_connect_timeout 1.5']);
  assert.deepEqual(msgs(r), [
    '2: smtp_conect_timeout must be greater than 0, setting to 1',
    "3: negative number '-5'",
    "3: smtp_connect_timeout '-5' must be in [0, 4294] - ignoring",
    "4: number '4295' outside range [0, 4294]",
    "4: smtp_connect_timeout '4295' must be in [0, 4294] - ignoring",
    "5: invalid number '1.5'",
    "5: smtp_connect_timeout '1.5' must be in [0, 4294] - ignoring",
  ]);
  assert.equal(globals(r).smtpConnectTimeoutSec, 1);
  assert.equal(globals(run([])).smtpConnectTimeoutSec, 30);
  assert.equal(globals(run(['smtp_connect_timeout +10'])).smtpConnectTimeoutSec, 10);
});

test('keepalived global_parser smtp_alert_handler / smtp_alert_vrrp_handler / no_email_faults', () => {
  const r = run(['smtp_alert', 'smtp_alert_vrrp off', 'no_email_faults']);
  ok(r);
  assert.equal(globals(r).smtpAlert, true);
  assert.equal(globals(r).smtpAlertVrrp, false);
  assert.equal(globals(r).noEmailFaults, true);
  assert.equal(globals(run([])).smtpAlert, null);
  assert.deepEqual(msgs(run(['smtp_alert 1', 'smtp_alert_vrrp maybe'])), [
    "2: Invalid value '1' for global smtp_alert specified",
    "3: Invalid value 'maybe' for global smtp_alert_vrrp specified",
  ]);
});

// ---- VRRP protocol defaults ---------------------------------------------------------------

test('keepalived global_parser vrrp_version_handler: 2 or 3', () => {
  assert.equal(globals(run(['vrrp_version 3'])).vrrpVersion, 3);
  assert.deepEqual(msgs(run(['vrrp_version 4', 'vrrp_version two'])), [
    "2: number '4' outside range [2, 3]",
    '2: VRRP Error: Version must be either 2 or 3',
    "3: invalid number 'two'",
    '3: VRRP Error: Version must be either 2 or 3',
  ]);
});

test('keepalived global_parser vrrp_mcast_group4_handler: IPv4 multicast only; a range or prefix is cut off', () => {
  assert.deepEqual(msgs(run(['vrrp_mcast_group4 10.0.0.5', 'vrrp_mcast_group4 224.0.0.999', 'vrrp_mcast_group4 ff02::12'])), [
    '2: vrrp_mcast_group4 [10.0.0.5] is not multicast. Skipping',
    "3: Can't parse vrrp_mcast_group4 [224.0.0.999]. Skipping",
    '4: vrrp_mcast_group4 [ff02::12] is not IPv4. Skipping',
  ]);
  assert.equal(globals(run(['vrrp_mcast_group4 239.1.1.1'])).vrrpMcastGroup4, '239.1.1.1');
  assert.equal(globals(run(['vrrp_mcast_group4 224.0.0.19/24'])).vrrpMcastGroup4, '224.0.0.19');
  assert.equal(globals(run([])).vrrpMcastGroup4, '224.0.0.18');
});

test('keepalived global_parser vrrp_mcast_group6_handler: checked (link-local is a WARNING), not implemented', () => {
  const r = run(['vrrp_mcast_group6 ff02::12', 'vrrp_mcast_group6 ff05::1', 'vrrp_mcast_group6 fe80::1', 'vrrp_mcast_group6 224.0.0.18']);
  assert.deepEqual(msgs(r), [
    '3: vrrp_mcast_group6 [ff05::1] should be link-local multicast.',
    '4: vrrp_mcast_group6 [fe80::1] is not multicast. Skipping',
    '5: vrrp_mcast_group6 [224.0.0.18] is not IPv6. Skipping',
  ]);
  assert.equal(r.diagnostics.find((d) => d.message.includes('link-local'))?.cls, 'WARNING');
  assert.equal(notices(r).filter((m) => m.includes("'vrrp_mcast_group6'")).length, 1);
});

test('keepalived global_parser vrrp_garp_*_handler: ranges and messages', () => {
  const r = run([
    'vrrp_garp_master_delay -1',
    'vrrp_garp_master_delay 4295',
    'vrrp_garp_master_repeat 0',
    'vrrp_garp_master_repeat abc',
    'vrrp_garp_master_refresh -1',
    'vrrp_garp_master_refresh_repeat 0',
    'vrrp_garp_lower_prio_delay x',
    'vrrp_garp_lower_prio_repeat -1',
  ]);
  assert.deepEqual(msgs(r), [
    "2: negative number '-1'",
    "2: vrrp_garp_master_delay '-1' invalid - ignoring",
    "3: number '4295' outside range [0, 4294]",
    "3: vrrp_garp_master_delay '4295' invalid - ignoring",
    '4: vrrp_garp_master_repeat must be greater than 0, setting to 1',
    "5: invalid number 'abc'",
    "5: vrrp_garp_master_repeat 'abc' invalid - ignoring",
    "6: negative number '-1'",
    "6: Invalid vrrp_garp_master_refresh '-1' - ignoring",
    '7: vrrp_garp_master_refresh_repeat must be greater than 0, setting to 1',
    "8: invalid number 'x'",
    "8: vrrp_garp_lower_prio_delay 'x' invalid - ignoring",
    "9: negative number '-1'",
    "9: Invalid vrrp_garp_lower_prio_repeat '-1'",
  ]);
  assert.equal(globals(r).garp.masterRepeat, 1);
  assert.equal(globals(r).garp.masterRefreshRepeat, 1);
});

test('keepalived global_parser vrrp_garp_*_handler: values reach the model; lower_prio inherits the master ones', () => {
  const g = globals(run(['vrrp_garp_master_delay 2', 'vrrp_garp_master_repeat 3', 'vrrp_garp_master_refresh 60', 'vrrp_garp_master_refresh_repeat 2']));
  assert.deepEqual(g.garp, { masterDelaySec: 2, masterRepeat: 3, masterRefreshSec: 60, masterRefreshRepeat: 2, lowerPrioDelaySec: 2, lowerPrioRepeat: 3 });
  const h = globals(run(['vrrp_garp_lower_prio_delay 0', 'vrrp_garp_lower_prio_repeat 0']));
  assert.equal(h.garp.lowerPrioDelaySec, 0);
  assert.equal(h.garp.lowerPrioRepeat, 0);
  assert.deepEqual(globals(run([])).garp, { masterDelaySec: 5, masterRepeat: 5, masterRefreshSec: 0, masterRefreshRepeat: 1, lowerPrioDelaySec: 5, lowerPrioRepeat: 5 });
});

test('keepalived global_parser vrrp_garp_refresh_handler: an invalid refresh turns refreshing off', () => {
  assert.equal(globals(run(['vrrp_garp_master_refresh 60', 'vrrp_garp_master_refresh x'])).garp.masterRefreshSec, 0);
});

test('keepalived global_parser vrrp_garp_interval_handler / vrrp_gna_interval_handler: 0 is rejected', () => {
  const r = run(['vrrp_garp_interval 0', 'vrrp_gna_interval 0', 'vrrp_garp_interval 5000', 'vrrp_gna_interval -1']);
  assert.deepEqual(msgs(r), [
    "2: number '0' outside range [0.000001, 4294.967295]",
    "2: vrrp_garp_interval '0' is invalid",
    "3: number '0' outside range [0.000001, 4294.967295]",
    "3: vrrp_gna_interval '0' is invalid",
    "4: number '5000' outside range [0.000001, 4294.967295]",
    "4: vrrp_garp_interval '5000' is invalid",
    "5: negative number '-1'",
    "5: vrrp_gna_interval '-1' is invalid",
  ]);
  const g = globals(run(['vrrp_garp_interval 0.001', 'vrrp_gna_interval 0.000001']));
  assert.equal(g.garpIntervalUs, 1000);
  assert.equal(g.gnaIntervalUs, 1);
});

test('keepalived parser read_decimal_unsigned_long_func: trailing garbage is reported but the digits are kept', () => {
  const r = run(['vrrp_garp_interval 1abc', 'vrrp_startup_delay 2000abc', 'vrrp_startup_delay 5x']);
  assert.deepEqual(msgs(r), ["2: invalid number '1abc'", "3: invalid number '2000abc'", "4: invalid number '5x'", "4: vrrp_startup_delay '5x' is invalid"]);
  assert.equal(globals(r).garpIntervalUs, 1);
  assert.equal(globals(r).startupDelayUs, 2000);
});

test('keepalived global_parser vrrp_garp_interval_handler: too many decimals is an error but rounded and kept', () => {
  const r = run(['vrrp_garp_interval 0.0000015']);
  assert.deepEqual(msgs(r), ["2: number '0.0000015' has too many decimal places"]);
  assert.equal(globals(r).garpIntervalUs, 2);
  assert.ok(notices(run(['vrrp_garp_interval 1'])).includes('The vrrp_garp_interval is very large - 1 seconds'));
});

test('keepalived global_parser vrrp_min_garp_handler: forms, and only values still at their default', () => {
  ok(run(['vrrp_min_garp', 'vrrp_min_garp true', 'vrrp_min_garp off']));
  assert.deepEqual(msgs(run(['vrrp_min_garp maybe'])), ['2: Invalid value for vrrp_min_garp specified']);
  const g = globals(run(['vrrp_min_garp']));
  assert.deepEqual(g.garp, { masterDelaySec: 0, masterRepeat: 1, masterRefreshSec: 0, masterRefreshRepeat: 0, lowerPrioDelaySec: 0, lowerPrioRepeat: 1 });
  assert.equal(globals(run(['vrrp_min_garp off'])).garp.masterRepeat, 5);
  // A value set before is kept unless it equals the default; a value set after always wins.
  assert.equal(globals(run(['vrrp_garp_master_repeat 3', 'vrrp_min_garp'])).garp.masterRepeat, 3);
  assert.equal(globals(run(['vrrp_garp_master_repeat 5', 'vrrp_min_garp'])).garp.masterRepeat, 1);
  assert.equal(globals(run(['vrrp_min_garp', 'vrrp_garp_master_delay 7'])).garp.masterDelaySec, 7);
});

test('keepalived global_parser vrrp_lower_prio_no_advert_handler / vrrp_higher_prio_send_advert_handler', () => {
  const g = globals(run(['vrrp_lower_prio_no_advert yes', 'vrrp_higher_prio_send_advert false']));
  assert.equal(g.lowerPrioNoAdvert, true);
  assert.equal(g.higherPrioSendAdvert, false);
  assert.equal(globals(run(['vrrp_higher_prio_send_advert'])).higherPrioSendAdvert, true);
  assert.deepEqual(msgs(run(['vrrp_higher_prio_send_advert 1', 'vrrp_lower_prio_no_advert 0'])), [
    '2: Invalid value for vrrp_higher_prio_send_advert specified',
    '3: Invalid value for vrrp_lower_prio_no_advert specified',
  ]);
});

test('keepalived global_parser vrrp_check_adv_addr_handler / vrrp_strict / vrrp_check_unicast_src: flags ignore arguments', () => {
  const r = run(['vrrp_skip_check_adv_addr no', 'vrrp_check_unicast_src', 'vrrp_strict']);
  ok(r);
  assert.equal(globals(r).skipCheckAdvAddr, true);
  assert.equal(globals(r).checkUnicastSrc, true);
  assert.equal(globals(r).strict, true);
});

test('keepalived global_parser vrrp_startup_delay_handler: [0.001, 4294.967295] s; missing is exit 2', () => {
  assert.equal(globals(run(['vrrp_startup_delay 5.5'])).startupDelayUs, 5_500_000);
  const r = run(['vrrp_startup_delay -1', 'vrrp_startup_delay 100000', 'vrrp_startup_delay']);
  assert.deepEqual(msgs(r), [
    "2: negative number '-1'",
    "2: vrrp_startup_delay '-1' is invalid",
    "3: number '100000' outside range [0.001000, 4294.967295]",
    "3: vrrp_startup_delay '100000' is invalid",
    '4: *** Configuration line starting `vrrp_startup_delay` is missing a parameter after keyword `vrrp_startup_delay` at word position 2',
  ]);
  assert.equal(r.exitCode, 2);
});

test('keepalived global_parser vrrp_down_timer_adverts_handler: [1, 100]', () => {
  assert.equal(globals(run(['vrrp_down_timer_adverts 4'])).downTimerAdverts, 4);
  assert.equal(globals(run([])).downTimerAdverts, 3);
  assert.deepEqual(msgs(run(['vrrp_down_timer_adverts 0'])), [
    "2: number '0' outside range [1, 100]",
    "2: Invalid vrrp_down_timer_adverts [1:100] '0'",
  ]);
});

test('keepalived global_parser dynamic_interfaces_handler: flag, allow_if_changes, unknown option', () => {
  assert.equal(globals(run(['dynamic_interfaces'])).dynamicInterfaces, true);
  ok(run(['dynamic_interfaces allow_if_changes']));
  const r = run(['dynamic_interfaces x']);
  assert.deepEqual(msgs(r), ["2: Unknown dynamic_interfaces option 'x'"]);
  assert.equal(globals(r).dynamicInterfaces, true);
});

test('keepalived global_parser dynamic_interfaces_handler: an instance may name a missing interface', () => {
  const r = checkText(`global_defs {\n    dynamic_interfaces\n}\n${INSTANCE.replace('eth0', 'eth9')}`);
  assert.equal(r.diagnostics.some((d) => d.cls === 'BAD_IF'), false);
});

test('keepalived global_parser default_interface_handler: name, and missing name', () => {
  ok(run(['default_interface eth1']));
  assert.deepEqual(msgs(run(['default_interface'])), ['2: default_interface requires interface name']);
});

test('keepalived global_parser: a second global_defs block adds to and overrides the first', () => {
  const r = checkText(`global_defs {\n  router_id first\n  smtp_alert\n}\nglobal_defs {\n  router_id second\n}\n${INSTANCE}`);
  ok(r);
  assert.equal(globals(r).routerId, 'second');
  assert.equal(globals(r).smtpAlert, true);
});

// ---- script user, FIFOs, global scripts -----------------------------------------------------

test('keepalived global_parser script_user_handler: user [group] checked against the host', () => {
  const r = run(['script_user nobody nogroup'], { users: ['root', 'nobody'], groups: ['root', 'nogroup'] });
  ok(r);
  assert.deepEqual(globals(r).scriptUser, { user: 'nobody', group: 'nogroup' });
  assert.deepEqual(msgs(run(['script_user no_such_user_tsv'])), ['2: Error setting global script uid/gid']);
  assert.deepEqual(msgs(run(['script_user'])), ['2: No script username specified']);
});

test('keepalived notify set_default_script_user: a failure is sticky for later script_user lines', () => {
  const r = run(['script_user root nosuchgroup', 'script_user root']);
  assert.deepEqual(msgs(r), ['2: Error setting global script uid/gid', '3: Error setting global script uid/gid']);
  assert.equal(globals(r).scriptUser, null);
});

test('keepalived global_parser notify_fifo / vrrp_notify_fifo: path [user [group]]', () => {
  const r = run(['notify_fifo /run/k.fifo', 'vrrp_notify_fifo /run/v.fifo root root']);
  ok(r);
  assert.deepEqual(globals(r).notifyFifo, { path: '/run/k.fifo', user: null, group: null });
  assert.deepEqual(globals(r).vrrpNotifyFifo, { path: '/run/v.fifo', user: 'root', group: 'root' });
});

test('keepalived global_parser notify_fifo: missing name, duplicate, unknown user (only logged)', () => {
  const r = run(['vrrp_notify_fifo', 'notify_fifo /run/a.fifo', 'notify_fifo /run/b.fifo', 'vrrp_notify_fifo /run/c.fifo nosuchuser']);
  assert.deepEqual(msgs(r), ['2: No vrrp_notify_fifo name specified', '4: notify_fifo already specified - ignoring /run/b.fifo']);
  assert.deepEqual(globals(r).notifyFifo, { path: '/run/a.fifo', user: null, group: null });
  assert.equal(globals(r).vrrpNotifyFifo, null);
  assert.ok(notices(r).includes('Invalid user/group for vrrp_ fifo /run/c.fifo - ignoring'));
});

test('keepalived notify get_default_script_user: keepalived_script missing after enable_script_security is an error', () => {
  const r = run(['enable_script_security', 'notify_fifo /run/a.fifo', 'vrrp_notify_fifo /run/b.fifo']);
  assert.deepEqual(msgs(r), ['3: Unable to set default user keepalived_script for script']);
  assert.equal(globals(r).notifyFifo, null);
  assert.equal(globals(r).enableScriptSecurity, true);
});

test('keepalived notify get_default_script_user: decided once, so security enabled later does not matter', () => {
  const r = run(['notify_fifo /run/a.fifo', 'enable_script_security', 'vrrp_notify_fifo /run/b.fifo']);
  ok(r);
  assert.equal(globals(r).vrrpNotifyFifo?.path, '/run/b.fifo');
  ok(run(['enable_script_security', 'notify_fifo /run/a.fifo'], { users: ['root', 'keepalived_script'] }));
});

test('keepalived global_parser notify_fifo_script: a script for the security check; missing and duplicate', () => {
  const r = run(['notify_fifo_script', 'notify_fifo_script /bin/true', 'notify_fifo_script /bin/false'], { scripts: { '/bin/true': {} } });
  assert.deepEqual(msgs(r).slice(0, 2), ['2: No notify_fifo_script specified', '4: notify_fifo_script already specified - ignoring /bin/false']);
  assert.ok(msgs(r).some((m) => m.endsWith('SECURITY VIOLATION - scripts are being executed but script_security not enabled.')));
  assert.equal(r.exitCode, 6);
  ok(run(['enable_script_security', 'vrrp_notify_fifo_script "/bin/true arg" root'], { scripts: { '/bin/true': {} } }));
});

test('keepalived global_parser startup_shutdown_script: checks, kept for the security check', () => {
  const r = run(['startup_script', 'startup_script /bin/true root', 'startup_script /bin/false', 'startup_script_timeout', 'startup_script_timeout 0', 'shutdown_script_timeout 1000']);
  assert.deepEqual(msgs(r), [
    '2: startup script missing',
    '4: startup script already specified',
    '5: startup_script_timeout requires value',
    "6: number '0' outside range [1, 1000]",
    "6: startup_script_timeout '0' must be in [1, 1000] - ignoring",
  ]);
  assert.deepEqual(msgs(run(['shutdown_script /bin/true nosuchuser'])), ['2: Invalid shutdown script']);
  assert.deepEqual(msgs(run(['enable_script_security', 'startup_script /bin/true'])), [
    '3: Unable to set default user keepalived_script for script',
    '3: Invalid startup script',
  ]);
});

// ---- recognised, checked, not implemented --------------------------------------------------

const RARE_WITH_ONE = [
  'process_names', 'process_name', 'vrrp_process_name', 'checker_process_name', 'lvs_process_name', 'bfd_process_name',
  'startup_script_timeout', 'shutdown_script_timeout', 'max_auto_priority', 'min_auto_priority_delay',
  'disable_local_igmp', 'lvs_flush', 'lvs_sync_daemon', 'vrrp_garp_extra_if',
  'nftables', 'nftables_priority', 'nftables_ifindex', 'nftables_ipvs', 'nftables_ipvs_priority', 'nftables_ipvs_start_fwmark', 'nftables_counters',
  'vrrp_priority', 'vrrp_no_swap', 'vrrp_rt_priority', 'vrrp_cpu_affinity', 'vrrp_rlimit_rttime', 'vrrp_rlimit_rtime',
  'checker_priority', 'checker_no_swap', 'checker_rt_priority', 'checker_cpu_affinity', 'checker_rlimit_rttime', 'checker_rlimit_rtime',
  'bfd_priority', 'bfd_no_swap', 'bfd_rt_priority', 'bfd_cpu_affinity', 'bfd_rlimit_rttime', 'bfd_rlimit_rtime',
  'notify_fifo_script', 'vrrp_notify_fifo_script', 'fifo_write_vrrp_states_on_reload', 'lvs_notify_fifo', 'lvs_notify_fifo_script',
  'snmp_socket', 'enable_traps', 'enable_snmp_vrrp', 'enable_snmp_keepalived', 'enable_snmp_rfc', 'enable_snmp_rfcv2', 'enable_snmp_rfcv3',
  'enable_snmp_checker', 'enable_dbus', 'dbus_service_name',
  'vrrp_netlink_cmd_rcv_bufs', 'vrrp_netlink_monitor_rcv_bufs', 'process_monitor_rcv_bufs', 'lvs_netlink_cmd_rcv_bufs', 'lvs_netlink_monitor_rcv_bufs',
  'vrrp_rx_bufs_policy', 'vrrp_rx_bufs_multiplier', 'log_unknown_vrids', 'vmac_prefix', 'vmac_addr_prefix', 'umask', 'random_seed',
  'reload_check_config', 'reload_time_file', 'reload_repeat', 'reload_file', 'config_save_dir', 'tmp_config_directory',
];

test('keepalived global_parser init_global_keywords: every rare keyword is accepted and noticed once', () => {
  for (const kw of RARE_WITH_ONE) {
    const r = run([`${kw} 1`, `${kw} 1`]);
    assert.equal(r.diagnostics.filter((d) => d.cls === 'UNKNOWN_KEYWORD').length, 0, kw);
    const mine = r.diagnostics.filter((d) => d.code === 'CFG_NOT_IMPLEMENTED' && d.message.startsWith(`'${kw}'`));
    assert.equal(mine.length, 1, `${kw}: ${r.diagnostics.map((d) => d.message).join(' | ')}`);
    assert.equal(mine[0]?.cls, 'NOTICE');
  }
});

test('keepalived global_parser init_global_keywords: 1 is accepted where keepalived 2.2.7 accepts it', () => {
  // Keywords keepalived -t accepted with the single argument "1" (recorded on 2.2.7).
  for (const kw of RARE_WITH_ONE) {
    const r = run([`${kw} 1`]);
    assert.deepEqual(msgs(r), [], kw);
  }
});

test('keepalived global_parser: <BOOL> keywords reject other words with their own messages', () => {
  const r = run([
    'smtp_alert_checker 1',
    'checker_log_all_failures 1',
    'vrrp_notify_priority_changes 1',
    'vrrp_netlink_cmd_rcv_bufs_force 1',
    'process_monitor_rcv_bufs_force 1',
    'rs_init_notifies 1',
    'no_checker_emails 1',
    'data_use_instance 1',
  ]);
  assert.deepEqual(msgs(r), [
    "2: Invalid value '1' for global smtp_alert_checker specified",
    '3: Invalid value for checker_log_all_failures specified',
    "4: Invalid value '1' for global vrrp_notify_priority_changes specified",
    "5: Invalid value '1' for global vrrp_netlink_cmd_rcv_bufs_force specified",
    "6: Invalid value '1' for global process_monitor_rcv_bufs_force specified",
    "7: Invalid value '1' for global rs_init_notifies specified",
    "8: Invalid value '1' for global no_checker_emails specified",
    "9: Invalid value '1' for global date_use_instance specified",
  ]);
});

test('keepalived global_parser max_auto_priority_handler / min_auto_priority_delay_handler', () => {
  const r = run(['max_auto_priority', 'max_auto_priority -1', 'max_auto_priority 100', 'min_auto_priority_delay', 'min_auto_priority_delay 0']);
  assert.deepEqual(msgs(r), [
    "4: number '100' outside range [-1, 99]",
    "4: max_auto_priority '100' must be in [0, 99] (or -1 to disable) - ignoring",
    '5: min_auto_priority_delay requires delay time',
    "6: number '0' outside range [1, 10000000]",
    "6: min_auto_priority_delay '0' must be in [1, 10000000] - ignoring",
  ]);
});

test('keepalived global_parser get_priority / get_realtime_priority / get_rt_rlimit', () => {
  const r = run(['vrrp_priority', 'vrrp_priority 20', 'vrrp_rt_priority 0', 'vrrp_rt_priority 100', 'checker_rt_priority x', 'bfd_rlimit_rttime 0']);
  assert.deepEqual(msgs(r), [
    '2: No vrrp process priority specified',
    "3: number '20' outside range [-20, 19]",
    '3: Invalid vrrp process priority specified',
    '4: vrrp process real-time priority 0 less than minimum 1 - setting to minimum',
    '5: vrrp process real-time priority 100 greater than maximum 99 - setting to maximum',
    "6: invalid number 'x'",
    "6: checker process real-time priority 'x' invalid",
    "7: number '0' outside range [1, 4294967295]",
    '7: Invalid bfd real-time limit - 0',
  ]);
  assert.ok(notices(run(['vrrp_rlimit_rtime 5'])).includes("Keyword 'vrrp_rlimit_rtime' is deprecated - please use 'vrrp_rlimit_rttime'"));
});

test('keepalived global_parser vrrp_vmac_garp_extra_if_handler: [all] 1..86400; old name is DEPRECATED', () => {
  const r = run(['vrrp_garp_extra_if', 'vrrp_garp_extra_if all', 'vrrp_garp_extra_if 0', 'vrrp_garp_extra_if all 60', 'vrrp_vmac_garp_intvl 5']);
  assert.deepEqual(msgs(r), [
    '2: vrrp_garp_extra_if specified without time - ignoring',
    '3: vrrp_garp_extra_if specified without time - ignoring',
    "4: number '0' outside range [1, 86400]",
    "4: vrrp_garp_extra_if '0' invalid - ignoring",
    '6: Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"',
  ]);
  assert.equal(r.diagnostics.find((d) => d.message.startsWith('Keyword "vrrp_vmac'))?.cls, 'DEPRECATED');
});

test('keepalived global_parser vrrp_iptables_handler (nftables build) and nftables duplicates', () => {
  const r = run(['vrrp_iptables', 'nftables', 'nftables_ipvs', 'nftables_ipvs y', 'nftables_priority x']);
  assert.deepEqual(msgs(r), [
    "2: iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
    '3: nftables already specified - ignoring',
    '5: ipvs nftables already specified - ignoring',
    "6: invalid number 'x'",
    "6: invalid nftables chain priority 'x'",
  ]);
  assert.equal(r.diagnostics.find((d) => d.message.startsWith('invalid nftables'))?.cls, 'INVALID_NUMBER');
});

test('keepalived global_parser umask_handler: numbers and IRUSR|... forms', () => {
  ok(run(['umask 022', 'umask 0x1ff', 'umask IRUSR|IWUSR', 'umask IRUSR | IWGRP']));
  assert.deepEqual(msgs(run(['umask 01000', 'umask 022 x', 'umask IRUSR|', 'umask IRUSRX', 'umask foo', 'umask'])), [
    '2: invalid umask value 01000',
    '3: Extra parameter(s) to umask option',
    '4: umask missing bit value',
    '5: Invalid umask syntax IRUSRX',
    '6: Unknown umask bit foo',
    '7: *** Configuration line starting `umask` is missing a parameter after keyword `umask` at word position 2',
  ]);
});

test('keepalived global_parser lvs_syncd_handler / lvs_timeouts', () => {
  const r = run([
    'lvs_sync_daemon eth0 VI_1 5 id 7 maxlen 100 port 8848 ttl 3 group 224.0.0.81 foo',
    'lvs_sync_daemon eth1',
    'lvs_timeouts tcp',
    'lvs_timeouts tcp 5 tcpfin x udp 86400000 foo',
  ]);
  assert.deepEqual(msgs(r), [
    '2: Please use keyword "id" before lvs_sync_daemon SYNCID',
    '2: Unknown option foo specified for lvs_sync_daemon',
    '3: lvs_sync_daemon has already been specified as eth0 VI_1 - ignoring',
    '4: lvs_timeouts requires at least one option',
    "5: invalid number 'x'",
    '5: Invalid lvs_timeout tcpfin (x) - ignoring',
    "5: number '86400000' outside range [0, 2678400]",
    '5: Invalid lvs_timeout udp (86400000) - ignoring',
    '5: Unknown option foo specified for lvs_timeouts',
  ]);
  assert.deepEqual(msgs(run(['lvs_sync_daemon averyveryverylongifname', 'lvs_sync_daemon eth0 id 256 group 10.0.0.1'])), [
    "2: lvs_sync_daemon interface name 'averyveryverylongifname' too long - ignoring",
    "3: number '256' outside range [0, 255]",
    '3: Invalid syncid (256) - defaulting to vrid',
    '3: lvs_sync_daemon group address 10.0.0.1 is not multicast - ignoring',
  ]);
});

test('keepalived global_parser vrrp_rx_bufs_policy_handler: keepalived reads the size from the first word', () => {
  assert.deepEqual(msgs(run(['vrrp_rx_bufs_policy mtu advert', 'vrrp_rx_bufs_policy MTU 100'])), [
    '2: Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT',
    "3: invalid number 'MTU'",
    '3: Invalid vrrp_rx_bufs_policy 100',
  ]);
});

test('keepalived global_parser save_process_name / snmp_socket_handler / include_check', () => {
  assert.deepEqual(msgs(run(['process_name abcdefghijklmnop', 'snmp_socket a b', 'snmp_socket tcp:1.2.3.4:705', 'snmp_socket udp:x', 'include_check read match'])), [
    '2: Process name abcdefghijklmnop more than 15 characters, truncating',
    '3: Too many parameters specified for snmp_socket - ignoring',
    '5: SNMP socket already set to tcp:1.2.3.4:705 - ignoring',
    "6: Duplicate include_check 'match' specified - ignoring",
  ]);
});

test('keepalived global_parser: vrrp_ipsets (not installed by the nftables-only 2.2.7 build) is refused', () => {
  assert.equal(run(['vrrp_ipsets keepalived']).exitCode, 5);
});

// ---- top-level keywords of the global parser ---------------------------------------------

function runRoot(lines: readonly string[]): CheckResult {
  return checkText(`${lines.join('\n')}\n${INSTANCE}`);
}

test('keepalived global_parser init_global_keywords: root keywords recognised, noticed once', () => {
  const r = runRoot(['linkbeat_use_polling', 'net_namespace blue', 'net_namespace_ipvs', 'namespace_with_ipsets', 'use_pid_dir', 'instance a', 'child_wait_time 5']);
  ok(r);
  for (const kw of ['linkbeat_use_polling', 'net_namespace', 'net_namespace_ipvs', 'namespace_with_ipsets', 'use_pid_dir', 'instance', 'child_wait_time']) {
    assert.equal(notices(r).filter((m) => m.startsWith(`'${kw}'`)).length, 1, kw);
  }
});

test('keepalived global_parser instance_handler / net_namespace_handler / child_wait_handler', () => {
  const r = runRoot(['instance a', 'instance b', 'instance', 'net_namespace', 'child_wait_time 4294967296', 'child_wait_time -1']);
  assert.deepEqual(msgs(r), [
    '2: Duplicate instance definition b - ignoring',
    '3: instance name missing - ignoring',
    '4: net_namespace name missing - ignoring',
    "5: number '4294967296' outside unsigned integer range",
    '5: Invalid child_wait_time 4294967296',
    "6: negative number '-1'",
    '6: Invalid child_wait_time -1',
  ]);
  assert.equal(runRoot(['child_wait_time']).exitCode, 2);
});

test('keepalived global_parser net_namespace_ipvs_handler: a bare duplicate stops keepalived (exit 2)', () => {
  const r = runRoot(['net_namespace_ipvs', 'net_namespace_ipvs']);
  assert.equal(r.exitCode, 2);
  assert.deepEqual(msgs(runRoot(['net_namespace_ipvs x', 'net_namespace_ipvs y'])), ['2: Duplicate net_namespace_ipvs definition y - ignoring']);
});
