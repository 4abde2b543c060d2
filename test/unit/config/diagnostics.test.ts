/**
 * The verdict of --check-config (src/config/diagnostics.ts) against keepalived 2.2.7
 * lib/parser.c vreport_config_error() (the highest class wins) and main.c config_test_exit().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DiagnosticSink,
  exitCodeFor,
  renderDiagnostic,
  severityWord,
  worstClass,
  type Diagnostic,
  type DiagnosticClass,
} from '../../../src/config/diagnostics';

const AT = { file: '/etc/keepalived/keepalived.conf', line: 12, col: 5 };

function d(cls: DiagnosticClass, code = 'CFG_X'): Diagnostic {
  return { cls, code, message: 'm', at: AT };
}

test('keepalived config_test_exit(): no diagnostics is exit 0', () => {
  assert.equal(exitCodeFor([]), 0);
  assert.equal(worstClass([]), null);
});

test('keepalived config_test_exit(): notices never change the verdict', () => {
  assert.equal(exitCodeFor([d('NOTICE'), d('NOTICE')]), 0);
  assert.equal(worstClass([d('NOTICE')]), null);
});

test('keepalived config_test_exit(): FILE_NOT_FOUND, BAD_IF and FATAL alone exit 4', () => {
  for (const cls of ['FILE_NOT_FOUND', 'BAD_IF', 'FATAL'] as const) assert.equal(exitCodeFor([d(cls)]), 4, cls);
});

test('keepalived config_test_exit(): ordinary errors, warnings and deprecations exit 5', () => {
  for (const cls of ['UNKNOWN_KEYWORD', 'UNEXPECTED_EOB', 'MISSING_EOB', 'UNMATCHED_QUOTE', 'INVALID_NUMBER', 'GENERAL_ERROR', 'WARNING', 'DEPRECATED', 'MULTIPLE_FILES'] as const) {
    assert.equal(exitCodeFor([d(cls)]), 5, cls);
  }
});

test('keepalived vreport_config_error(): the highest class wins, so an error after BAD_IF gives 5', () => {
  assert.equal(exitCodeFor([d('BAD_IF'), d('GENERAL_ERROR')]), 5);
  assert.equal(exitCodeFor([d('GENERAL_ERROR'), d('FILE_NOT_FOUND')]), 5);
  assert.equal(worstClass([d('BAD_IF'), d('UNKNOWN_KEYWORD'), d('NOTICE')]), 'UNKNOWN_KEYWORD');
});

test('keepalived config_test_exit(): SECURITY_ERROR outranks everything else and exits 6', () => {
  assert.equal(exitCodeFor([d('SECURITY_ERROR')]), 6);
  assert.equal(exitCodeFor([d('DEPRECATED'), d('SECURITY_ERROR'), d('FATAL')]), 6);
  assert.equal(worstClass([d('SECURITY_ERROR'), d('WARNING')]), 'SECURITY_ERROR');
});

test('keepalived null_strvec(): MISSING_PARAMETER exits 2 whatever else was reported', () => {
  assert.equal(exitCodeFor([d('MISSING_PARAMETER')]), 2);
  assert.equal(exitCodeFor([d('SECURITY_ERROR'), d('MISSING_PARAMETER'), d('FILE_NOT_FOUND')]), 2);
});

test('keepalived had_config_file_error(): a failed includem/w/b/a exits 6', () => {
  assert.equal(exitCodeFor([d('FILE_NOT_FOUND', 'CFG_INCLUDE_FAILED')]), 6);
  assert.equal(exitCodeFor([d('GENERAL_ERROR'), d('FILE_NOT_FOUND', 'CFG_INCLUDE_FAILED')]), 6);
  // Only that code: another FILE_NOT_FOUND (the main file) is 4.
  assert.equal(exitCodeFor([d('FILE_NOT_FOUND', 'CFG_MAIN_FILE')]), 4);
});

test('keepalived vreport_config_error(): rendered as "(file: Line N, Col C) message" with tsvrrpd\'s column', () => {
  assert.equal(
    renderDiagnostic({ cls: 'UNKNOWN_KEYWORD', code: 'CFG_UNKNOWN_KEYWORD', message: "Unknown keyword 'foo'", at: AT }),
    "(/etc/keepalived/keepalived.conf: Line 12, Col 5) Unknown keyword 'foo'",
  );
});

test("keepalived vreport_config_error(): \"(file: Line N) message\" when there is no column", () => {
  assert.equal(renderDiagnostic({ cls: 'GENERAL_ERROR', code: 'C', message: 'msg', at: { ...AT, col: 0 } }), '(/etc/keepalived/keepalived.conf: Line 12) msg');
});

test('keepalived vreport_config_error(): a diagnostic without a location is just its message', () => {
  assert.equal(renderDiagnostic({ cls: 'GENERAL_ERROR', code: 'C', message: 'Non-existent interface', at: null }), 'Non-existent interface');
});

test('severityWord(): fatal / error / warning / security / notice', () => {
  assert.equal(severityWord('BAD_IF'), 'fatal');
  assert.equal(severityWord('MISSING_BOB'), 'error');
  assert.equal(severityWord('DEPRECATED'), 'warning');
  assert.equal(severityWord('SECURITY_ERROR'), 'security');
  assert.equal(severityWord('NOTICE'), 'notice');
});

test('DiagnosticSink: keeps reports in order, reportOnce only the first time per key', () => {
  const sink = new DiagnosticSink();
  sink.report('WARNING', 'A', 'first', AT);
  sink.reportOnce('k', 'NOTICE', 'B', 'second', null);
  sink.reportOnce('k', 'NOTICE', 'B', 'again', null);
  sink.reportOnce('other', 'NOTICE', 'C', 'third', null);
  assert.deepEqual(sink.all.map((x) => x.message), ['first', 'second', 'third']);
  assert.equal(sink.count, 3);
});
