/**
 * SMTP alert texts and send rules (reference B18), pure: keepalived 2.2.7's subjects and
 * bodies (vrrp_notify.c vrrp_smtp_notifier()/vrrp_sync_smtp_notifier()), the headers of
 * smtp.c body_cmd(), the envelope of mail_cmd()/rcpt_cmd(), and when a mail is due: the
 * smtp_alert resolution of vrrp_complete_instance(), no_email_faults, one mail per state.
 * The wire is proven in test/integration/smtp-alert.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alertMessage,
  envelopeAddress,
  mailConfigured,
  mailDue,
  rawMessage,
  resolveSmtpAlert,
  rfc822Date,
  type AlertState,
} from '../../../src/runtime/smtp-messages';
import { SmtpAlerter } from '../../../src/io/smtp-alert';
import type { GlobalDefs } from '../../../src/config/model';
import type { Logger } from '../../../src/io/logger';
import { checkText } from '../../support/config-harness';

/** Global defaults and per-instance smtp_alert as the real parser builds them. */
function parse(globals: string, instanceLine = ''): { global: GlobalDefs; smtpAlert: boolean | null } {
  const r = checkText(`global_defs {\n${globals}\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n virtual_ipaddress {\n  10.0.0.1\n }\n${instanceLine}\n}\n`);
  const inst = r.config?.instances[0];
  assert.ok(r.config && inst, JSON.stringify(r.diagnostics));
  return { global: r.config.global, smtpAlert: inst.smtpAlert };
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

test('keepalived vrrp_smtp_notifier: instance subjects and bodies', () => {
  const cases: [AlertState, string, string][] = [
    ['MASTER', 'Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
    ['BACKUP', 'Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
    ['FAULT', 'Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
    ['STOP', 'Stopping', '=> VRRP Instance stopping <='],
    ['DELETED', 'Deleted', '=> VRRP Deleted at reload <='],
  ];
  for (const [state, words, body] of cases) {
    assert.deepEqual(alertMessage('lb1', 'instance', 'VI_1', state), { subject: `[lb1] VRRP Instance VI_1 - ${words}`, body });
  }
});

test('keepalived vrrp_sync_smtp_notifier: group subjects and bodies, no DELETED mail', () => {
  const cases: [AlertState, string, string][] = [
    ['MASTER', 'Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
    ['BACKUP', 'Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
    ['FAULT', 'Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
    ['STOP', 'Stopping', '=> All VRRP group instances are now stopping <='],
  ];
  for (const [state, words, body] of cases) {
    assert.deepEqual(alertMessage('lb1', 'group', 'G1', state), { subject: `[lb1] VRRP Group G1 - ${words}`, body });
  }
  assert.equal(alertMessage('lb1', 'group', 'G1', 'DELETED'), null);
  assert.equal(mailDue({ scope: 'group', state: 'DELETED', smtpAlert: true, noEmailFaults: false, lastMailed: null }), false);
});

test('keepalived body_cmd: Date, From, Subject, X-Mailer, folded To, blank line, body', () => {
  const raw = rawMessage({
    date: new Date(2026, 10, 1, 9, 5, 7),
    from: 'KA <ka@example.org>',
    to: ['a@example.org', 'Ops <ops@example.org>'],
    subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    body: '=> VRRP Instance is now owning VRRP VIPs <=',
  });
  const lines = raw.split('\r\n');
  assert.match(lines[0] ?? '', /^Date: Sun, 01 Nov 2026 09:05:07 [+-]\d{4}$/);
  assert.deepEqual(lines.slice(1), [
    'From: KA <ka@example.org>',
    'Subject: [lb1] VRRP Instance VI_1 - Entering MASTER state',
    'X-Mailer: Keepalived',
    'To: a@example.org,',
    ' Ops <ops@example.org>',
    '',
    '=> VRRP Instance is now owning VRRP VIPs <=',
    '',
    '',
  ]);
  assert.ok(!raw.replace(/\r\n/g, '').includes('\n'), 'CRLF line ends only');
});

test('keepalived body_cmd: Date is strftime "%a, %d %b %Y %H:%M:%S %z" in local time', () => {
  const d = new Date(2026, 0, 2, 23, 4, 5);
  const s = rfc822Date(d);
  assert.match(s, /^Fri, 02 Jan 2026 23:04:05 [+-]\d{4}$/);
  assert.equal(Date.parse(s), d.getTime(), 'the zone offset is right');
});

test('keepalived mail_cmd/rcpt_cmd: "Name <addr>" goes on the envelope as addr', () => {
  assert.equal(envelopeAddress('ops@example.org'), 'ops@example.org');
  assert.equal(envelopeAddress('Ops Team <ops@example.org>'), 'ops@example.org');
  assert.equal(envelopeAddress('a <b> <c@example.org>'), 'c@example.org', 'from the last <');
  assert.equal(envelopeAddress('<ops@example.org'), '<ops@example.org', 'no closing > : as is');
});

test('keepalived smtp_alert(): nothing without recipients and an smtp_server', () => {
  assert.equal(mailConfigured(parse('smtp_server 127.0.0.1').global), false);
  assert.equal(mailConfigured(parse('notification_email {\n a@example.org\n}').global), false);
  assert.equal(mailConfigured(parse('notification_email {\n a@example.org\n}\nsmtp_server 127.0.0.1').global), true);
  const alerter = new SmtpAlerter(parse('smtp_alert').global, quiet);
  assert.equal(alerter.configured, false);
  alerter.alert('instance', 'VI_1', 'MASTER', null); // no transport: nothing to send, nothing thrown
  alerter.close();
});

test('keepalived vrrp_complete_instance: smtp_alert unset -> smtp_alert_vrrp, else smtp_alert, else off', () => {
  const cases: [string, string, boolean][] = [
    ['', '', false],
    ['smtp_alert', '', true],
    ['smtp_alert false', '', false],
    ['smtp_alert_vrrp', '', true],
    ['smtp_alert\nsmtp_alert_vrrp off', '', false],
    ['smtp_alert off\nsmtp_alert_vrrp on', '', true],
    ['smtp_alert', 'smtp_alert false', false],
    ['smtp_alert_vrrp false', 'smtp_alert', true],
    ['', 'smtp_alert yes', true],
  ];
  for (const [globals, own, expected] of cases) {
    const { global, smtpAlert } = parse(globals, own);
    assert.equal(resolveSmtpAlert(smtpAlert, global), expected, `global {${globals}} instance {${own}}`);
  }
});

test('keepalived vrrp_smtp_notifier: one mail per state change, no_email_faults drops FAULT', () => {
  const base = { scope: 'instance' as const, smtpAlert: true, noEmailFaults: false };
  assert.equal(mailDue({ ...base, state: 'MASTER', lastMailed: null }), true);
  assert.equal(mailDue({ ...base, state: 'MASTER', lastMailed: 'MASTER' }), false, 'same state twice');
  assert.equal(mailDue({ ...base, state: 'BACKUP', lastMailed: 'MASTER' }), true);
  assert.equal(mailDue({ ...base, state: 'FAULT', lastMailed: 'BACKUP' }), true);
  assert.equal(mailDue({ ...base, noEmailFaults: true, state: 'FAULT', lastMailed: 'BACKUP' }), false);
  assert.equal(mailDue({ ...base, noEmailFaults: true, state: 'BACKUP', lastMailed: 'MASTER' }), true, 'only FAULT is dropped');
  assert.equal(mailDue({ ...base, smtpAlert: false, state: 'MASTER', lastMailed: null }), false);
});

test('SmtpAlerter.wanted: dedup per instance/group name; a suppressed FAULT does not reset it', () => {
  const { global } = parse('smtp_alert\nno_email_faults');
  const a = new SmtpAlerter(global, quiet);
  const seq: [AlertState, boolean][] = [
    ['BACKUP', true],
    ['BACKUP', false],
    ['MASTER', true],
    ['FAULT', false], // no_email_faults
    ['MASTER', false], // the last mailed state is still MASTER (keepalived last_email_state)
    ['BACKUP', true],
  ];
  for (const [state, expected] of seq) {
    assert.equal(a.wanted('instance', 'VI_1', state, null), expected, state);
    a.alert('instance', 'VI_1', state, null);
  }
  assert.equal(a.wanted('instance', 'VI_2', 'BACKUP', null), true, 'per name');
  assert.equal(a.wanted('group', 'VI_1', 'BACKUP', null), true, 'instances and groups apart');
  assert.equal(a.wanted('instance', 'VI_1', 'BACKUP', false), false, 'instance smtp_alert off wins');
  a.forget('instance', 'VI_1');
  assert.equal(a.wanted('instance', 'VI_1', 'BACKUP', null), true, 'forget: a re-created instance starts afresh');
  a.close();
});

test('SmtpAlerter: From defaults to <user>@<local name> (keepalived set_default_email_from)', () => {
  const { global } = parse('notification_email {\n a@example.org\n}\nsmtp_server 127.0.0.1');
  const a = new SmtpAlerter(global, quiet, { hostname: 'lb1.example.org', userName: 'root' });
  assert.equal(a.sender, 'root@lb1.example.org');
  a.close();
  const b = new SmtpAlerter(parse('notification_email_from ka@example.org').global, quiet);
  assert.equal(b.sender, 'ka@example.org');
  b.close();
});
