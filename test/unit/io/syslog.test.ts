/**
 * Syslog as keepalived uses it: RFC 3164 lines with PRI = facility × 8 + severity, LOG_DAEMON by
 * default and LOG_LOCAL<N> for `-S N`; an unreachable syslog is reported once, never thrown.
 * The real unix datagram path is proven in test/integration/syslog.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { facilityFromOption, LOG_DAEMON, SyslogWriter, syslogLine } from '../../../src/io/syslog';

test('syslog(3) RFC 3164 line: <PRI>Mmm dd hh:mm:ss tsvrrpd[pid]: message', () => {
  const date = new Date(2026, 10, 1, 9, 5, 7);
  assert.equal(syslogLine(LOG_DAEMON, 'info', '(VI_1) Entering MASTER STATE', 42, date), '<30>Nov  1 09:05:07 tsvrrpd[42]: (VI_1) Entering MASTER STATE');
  assert.equal(syslogLine(facilityFromOption(3), 'error', 'x', 1, date), '<155>Nov  1 09:05:07 tsvrrpd[1]: x');
  assert.equal(syslogLine(facilityFromOption(7), 'debug', 'x', 1, new Date(2026, 0, 21, 23, 59, 0)), '<191>Jan 21 23:59:00 tsvrrpd[1]: x');
});

test('keepalived -S: only 0..7 (LOG_LOCAL0..LOG_LOCAL7)', () => {
  assert.equal(facilityFromOption(0), 16);
  assert.throws(() => facilityFromOption(8), RangeError);
  assert.throws(() => facilityFromOption(-1), RangeError);
});

test('an unreachable syslog is reported once and never throws', () => {
  const reports: string[] = [];
  let calls = 0;
  const w = new SyslogWriter(LOG_DAEMON, '/nowhere', () => ({
    sendDatagram: () => {
      calls++;
      throw Object.assign(new Error('sendto ENOENT'), { code: 'ENOENT' });
    },
  }), (m) => reports.push(m));
  w.write('info', 'one');
  w.write('info', 'two');
  assert.equal(calls, 1);
  assert.equal(reports.length, 1);
  assert.match(reports[0] ?? '', /cannot log to syslog \(\/nowhere\)/);
});
