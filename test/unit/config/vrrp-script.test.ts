/**
 * `vrrp_script` blocks, `track_script` references and script security
 * (src/config/keywords/vrrp-script.ts, track-refs.ts, src/config/script-security.ts) against
 * keepalived 2.2.7 vrrp_parser.c vrrp_vscript_*_handler(), vrrp_track.c alloc_track_script(),
 * vrrp.c check_vrrp_script_security() and notify.c get_default_script_user().
 * Expected messages, lines and exit codes were checked with keepalived -t.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText, errors, type FakeHostOptions } from '../../support/config-harness';
import type { CheckResult } from '../../../src/config/check';

const F = '/etc/keepalived/keepalived.conf';
/** Four lines: script security on, scripts run as root. */
const SECURE = 'global_defs {\n  enable_script_security\n  script_user root\n}\n';
const HOST: FakeHostOptions = { scripts: { '/usr/bin/chk': {} } };

function instance(track: string, name = 'VI_1', vrid = 51): string {
  return `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n  track_script {\n${track}  }\n}\n`;
}

/** global_defs (lines 1-4), `vrrp_script chk` from line 5 with `body` from line 6, then VI_1. */
function conf(body: string, track = '    chk\n', pre = SECURE): string {
  return `${pre}vrrp_script chk {\n${body}}\n${instance(track)}`;
}

function check(text: string, host: FakeHostOptions = HOST): CheckResult {
  return checkText(text, host);
}

test('keepalived alloc_vrrp_script(): defaults of a vrrp_script (interval 1, timeout = interval, rise/fall 1)', () => {
  const r = check(conf('  script "/usr/bin/chk arg1 \'arg 2\'"\n'));
  assert.deepEqual(errors(r), []);
  const s = r.config?.scripts[0];
  assert.deepEqual(s?.script.args, ['/usr/bin/chk', 'arg1', 'arg 2']);
  assert.equal(s?.intervalSec, 1);
  assert.equal(s?.timeoutSec, 1);
  assert.equal(s?.weight, 0);
  assert.equal(s?.weightReverse, false);
  assert.equal(s?.rise, 1);
  assert.equal(s?.fall, 1);
  assert.deepEqual(r.config?.instances[0]?.trackScripts.map((t) => [t.name, t.weight]), [['chk', null]]);
});

test('keepalived vrrp_vscript_*_handler(): interval, timeout, rise, fall, weight reverse, init_fail', () => {
  const r = check(conf('  script /usr/bin/chk\n  interval 5\n  timeout 2\n  rise 3\n  fall 4\n  weight -253 reverse\n  init_fail\n'));
  assert.deepEqual(errors(r), []);
  const s = r.config?.scripts[0];
  assert.deepEqual(
    [s?.intervalSec, s?.timeoutSec, s?.rise, s?.fall, s?.weight, s?.weightReverse, s?.initFail],
    [5, 2, 3, 4, -253, true, true],
  );
});

test('keepalived vrrp_script: timeout defaults to the interval', () => {
  const r = check(conf('  script /usr/bin/chk\n  interval 7\n'));
  assert.equal(r.config?.scripts[0]?.timeoutSec, 7);
});

test('keepalived vrrp_vscript_interval_handler(): interval/timeout 0 are set to 1 with a message', () => {
  const r = check(conf('  script /usr/bin/chk\n  interval 0\n  timeout 0\n'));
  assert.deepEqual(errors(r), [
    `(${F}: Line 7, Col 12) (chk): vrrp script interval must be greater than 0, setting to 1`,
    `(${F}: Line 8, Col 11) (chk): vrrp script timeout must be greater than 0, setting to 1`,
  ]);
  assert.equal(r.config?.scripts[0]?.intervalSec, 1);
  assert.equal(r.config?.scripts[0]?.timeoutSec, 1);
});

test('keepalived vrrp_vscript_rise/fall_handler(): invalid values default to 1', () => {
  const r = check(conf('  script /usr/bin/chk\n  rise 0\n  fall abc\n'));
  assert.deepEqual(errors(r), [
    `(${F}: Line 7, Col 8) number '0' outside range [1, 2147483647]`,
    `(${F}: Line 7, Col 8) (chk): vrrp script rise value '0' invalid, defaulting to 1`,
    `(${F}: Line 8, Col 8) invalid number 'abc'`,
    `(${F}: Line 8, Col 8) (chk): vrrp script fall value 'abc' invalid, defaulting to 1`,
  ]);
  assert.equal(r.config?.scripts[0]?.rise, 1);
  assert.equal(r.config?.scripts[0]?.fall, 1);
});

test('keepalived vrrp_vscript_weight_handler(): weight must be within [-253, 253]', () => {
  const r = check(conf('  script /usr/bin/chk\n  weight 254\n'));
  assert.deepEqual(errors(r), [
    `(${F}: Line 7, Col 10) number '254' outside range [-253, 253]`,
    `(${F}: Line 7, Col 10) vrrp_script chk weight 254 must be in [-253, 253]`,
  ]);
  assert.equal(r.config?.scripts[0]?.weight, 0);
});

test('keepalived vrrp_vscript_weight_handler(): an unknown word after the weight is reported', () => {
  const r = check(conf('  script /usr/bin/chk\n  weight 10 foo\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 7, Col 13) vrrp_script chk unknown weight option foo`]);
  assert.equal(r.config?.scripts[0]?.weight, 10);
  assert.equal(r.config?.scripts[0]?.weightReverse, false);
});

test(
  'keepalived read_int_func(): `weight "   "` is an invalid number',
  () => {
    const r = check(conf('  script /usr/bin/chk\n  weight "   "\n'));
    assert.deepEqual(errors(r), [
      `(${F}: Line 7, Col 10) invalid number '   '`,
      `(${F}: Line 7, Col 10) vrrp_script chk weight     must be in [-253, 253]`,
    ]);
  },
);

test('keepalived vrrp_vscript_end_handler(): a vrrp_script without script is removed', () => {
  const r = check(conf('  interval 2\n'));
  assert.deepEqual(errors(r), [
    `(${F}: Line 7, Col 1) No script set for vrrp_script chk - removing`,
    `(${F}: Line 15, Col 5) (VI_1) track script chk not found, ignoring...`,
  ]);
  assert.deepEqual(r.config?.scripts, []);
  assert.deepEqual(r.config?.instances[0]?.trackScripts, []);
});

test('keepalived vrrp_vscript_user_handler(): an unknown user removes the script', () => {
  const r = check(conf('  script /usr/bin/chk\n  user nosuchuser\n'));
  assert.deepEqual(errors(r).slice(1), [`(${F}: Line 16, Col 5) (VI_1) track script chk not found, ignoring...`]);
  assert.match(errors(r)[0] ?? '', /^\(\/etc\/keepalived\/keepalived\.conf: Line 7, Col 8\) Unable to set uid\/gid for script /);
  assert.deepEqual(r.config?.scripts, []);
});

test(
  "keepalived vrrp_vscript_user_handler(): the script is named as cmd_str() quotes it ('prog' 'arg')",
  () => {
    const r = check(conf('  script "/usr/bin/chk arg"\n  user nosuchuser\n'));
    assert.equal(errors(r)[0], `(${F}: Line 7, Col 8) Unable to set uid/gid for script '/usr/bin/chk' 'arg'`);
  },
);

test('keepalived vrrp_vscript_user_handler(): an existing user (and group) is taken', () => {
  const r = check(conf('  script /usr/bin/chk\n  user nobody nogroup\n'), { ...HOST, users: ['root', 'nobody'], groups: ['root', 'nogroup'] });
  assert.deepEqual(errors(r), []);
  assert.equal(r.config?.scripts[0]?.script.user, 'nobody');
  assert.equal(r.config?.scripts[0]?.script.group, 'nogroup');
});

// track_script

test('keepalived alloc_track_script(): tracking an undefined script is reported and ignored', () => {
  const r = check(conf('  script /usr/bin/chk\n', '    chk\n    nosuch\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 16, Col 5) (VI_1) track script nosuch not found, ignoring...`]);
  assert.deepEqual(r.config?.instances[0]?.trackScripts.map((t) => t.name), ['chk']);
});

test('keepalived alloc_track_script(): a script must be defined before the instance that tracks it', () => {
  const r = check(`${SECURE}${instance('    chk\n')}vrrp_script chk {\n  script /usr/bin/chk\n}\n`);
  assert.deepEqual(errors(r), [`(${F}: Line 12, Col 5) (VI_1) track script chk not found, ignoring...`]);
});

test('keepalived alloc_track_script(): a script tracked twice is reported once per extra line', () => {
  const r = check(conf('  script /usr/bin/chk\n', '    chk\n    chk weight 5\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 16, Col 5) (VI_1) duplicate track_script chk - ignoring`]);
  assert.equal(r.config?.instances[0]?.trackScripts.length, 1);
});

test('keepalived alloc_track_script(): weight ±254 is clamped to ±253 with a message', () => {
  const r = check(conf('  script /usr/bin/chk\n', '    chk weight -254\n'));
  assert.deepEqual(errors(r), [`(${F}: Line 15, Col 16) (VI_1) weight for chk cannot be +/-254. Setting to +/-253`]);
  assert.equal(r.config?.instances[0]?.trackScripts[0]?.weight, -253);
});

test('keepalived alloc_track_script(): a tracked weight overrides the script weight, reverse/noreverse too', () => {
  const r = check(conf('  script /usr/bin/chk\n  weight 10 reverse\n', '    chk weight 20 noreverse\n'));
  assert.deepEqual(errors(r), []);
  const t = r.config?.instances[0]?.trackScripts[0];
  assert.equal(t?.weight, 20);
  assert.equal(t?.reverse, false);
});

test('keepalived alloc_track_script(): weight out of [-254, 254] falls back to the script weight', () => {
  const r = check(conf('  script /usr/bin/chk\n  weight 10\n', '    chk weight 255\n'));
  assert.equal(errors(r)[0], `(${F}: Line 16, Col 16) number '255' outside range [-254, 254]`);
  assert.equal(errors(r).length, 2);
  assert.equal(r.config?.instances[0]?.trackScripts[0]?.weight, 10);
});

test(
  "keepalived alloc_track_script(): the out-of-range message is the track script one",
  () => {
    const r = check(conf('  script /usr/bin/chk\n  weight 10\n', '    chk weight 255\n'));
    assert.equal(errors(r)[1], `(${F}: Line 16, Col 16) (VI_1) track script chk: weight must be between [-253..253] inclusive, ignoring...`);
  },
);

test('keepalived alloc_track_if(): track_interface weight ±254 is clamped to ±253 too', () => {
  const text = conf('  script /usr/bin/chk\n').replace('  track_script {', '  track_interface {\n    eth1 weight 254\n  }\n  track_script {');
  const r = check(text, { ...HOST, interfaces: ['eth0', 'eth1'] });
  assert.deepEqual(errors(r), [`(${F}: Line 15, Col 17) (VI_1) weight for eth1 cannot be +/-254. Setting to +/-253`]);
  assert.equal(r.config?.instances[0]?.trackInterfaces[0]?.weight, 253);
});

// script security

test('keepalived check_vrrp_script_security(): scripts without enable_script_security are a SECURITY VIOLATION (exit 6)', () => {
  const r = check(conf('  script /usr/bin/chk\n', '    chk\n', ''));
  assert.deepEqual(errors(r), [`(${F}: Line 2, Col 10) SECURITY VIOLATION - scripts are being executed but script_security not enabled.`]);
  assert.equal(r.diagnostics.find((d) => d.code === 'CFG_SCRIPT_SECURITY')?.cls, 'SECURITY_ERROR');
  assert.equal(r.exitCode, 6);
});

test('keepalived check_vrrp_script_security(): a notify script alone also needs script security', () => {
  const text = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n  notify_master "/usr/bin/chk master"\n}\n';
  const r = check(text);
  assert.equal(r.exitCode, 6);
  assert.equal(check(SECURE + text).exitCode, 0);
});

test('keepalived check_vrrp_script_security(): with enable_script_security a secure script is fine', () => {
  const r = check(conf('  script /usr/bin/chk\n'));
  assert.equal(r.exitCode, 0);
  assert.equal(r.config?.scripts.length, 1);
});

test('keepalived check_script_secure(): an insecure script is disabled when script security is on', () => {
  const r = check(conf('  script /usr/bin/chk\n'), { scripts: { '/usr/bin/chk': { writableByNonRoot: true } } });
  assert.deepEqual(errors(r), [`(${F}: Line 5, Col 13) Disabling track script chk due to insecure`]);
  assert.equal(r.exitCode, 5);
});

test(
  'keepalived check_vrrp_script_security(): a disabled script leaves the Config and every track_script list',
  () => {
    const insecure = check(conf('  script /usr/bin/chk\n'), { scripts: { '/usr/bin/chk': { writableByNonRoot: true } } });
    assert.deepEqual(insecure.config?.scripts, []);
    assert.deepEqual(insecure.config?.instances[0]?.trackScripts, []);
    const missing = check(conf('  script /nonexistent/x.sh\n'), {});
    assert.deepEqual(missing.config?.scripts, []);
    assert.deepEqual(missing.config?.instances[0]?.trackScripts, []);
  },
);

test('keepalived check_vrrp_script_security(): without script security an insecure script is named in the violation', () => {
  const r = check(conf('  script /usr/bin/chk\n', '    chk\n', ''), { scripts: { '/usr/bin/chk': { writableByNonRoot: true } } });
  assert.deepEqual(errors(r), [
    `(${F}: Line 2, Col 10) SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.`,
  ]);
  assert.equal(r.exitCode, 6);
});

test('keepalived check_script_secure(): a script that cannot be found disables its tracker (exit 5, no violation)', () => {
  const r = check(conf('  script /nonexistent/x.sh\n', '    chk\n', ''), {});
  assert.deepEqual(errors(r), [`(${F}: Line 1, Col 13) Disabling track script chk since not found/accessible`]);
  assert.equal(r.exitCode, 5);
});

test(
  'keepalived get_default_script_user(): without keepalived_script or script_user the script is removed',
  () => {
    const r = check(conf('  script /usr/bin/chk\n', '    chk\n', 'global_defs {\n  enable_script_security\n}\n'));
    assert.deepEqual(errors(r), [
      `(${F}: Line 6, Col 1) Unable to set default user keepalived_script for script`,
      `(${F}: Line 6, Col 1) Unable to set default user for vrrp script chk - removing`,
      `(${F}: Line 14, Col 5) (VI_1) track script chk not found, ignoring...`,
    ]);
    assert.deepEqual(r.config?.scripts, []);
  },
);

test('keepalived get_default_script_user(): the keepalived_script user is used when it exists', () => {
  const r = check(conf('  script /usr/bin/chk\n', '    chk\n', 'global_defs {\n  enable_script_security\n}\n'), {
    ...HOST,
    users: ['root', 'keepalived_script'],
  });
  assert.deepEqual(errors(r), []);
  assert.equal(r.config?.scripts.length, 1);
});
