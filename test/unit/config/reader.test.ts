/**
 * The include stack, conditional lines, definitions and brace bookkeeping of
 * src/config/reader.ts against keepalived 2.2.7 lib/parser.c read_line(), check_include(),
 * open_and_check_glob(), file_config_error(). Expected verdicts were checked with keepalived -t.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineReader, splitPhysicalLines, type LogicalLine } from '../../../src/config/reader';
import { DiagnosticSink, exitCodeFor, type Diagnostic } from '../../../src/config/diagnostics';
import { checkText, errors, memoryFs, type MemoryTree } from '../../support/config-harness';

const MAIN = '/etc/keepalived/keepalived.conf';

interface ReadAll {
  lines: LogicalLine[];
  texts: string[];
  diags: readonly Diagnostic[];
  opened: boolean;
}

function readAll(tree: MemoryTree, opts: { main?: string; configId?: string | null; random?: (a: number, b: number) => number } = {}): ReadAll {
  const sink = new DiagnosticSink();
  const reader = new LineReader(memoryFs(tree), sink, {
    configId: opts.configId === undefined ? 'lb1' : opts.configId,
    definitionEnv: { instanceName: () => '', random: opts.random ?? (() => 0) },
  });
  const opened = reader.openMain(opts.main ?? MAIN);
  const lines: LogicalLine[] = [];
  for (let l = reader.next(); l !== null; l = reader.next()) lines.push(l);
  return { lines, texts: lines.map((l) => l.text), diags: sink.all, opened };
}

function codes(r: { diags: readonly Diagnostic[] }): string[] {
  return r.diags.map((d) => d.code);
}

// includes

test('keepalived check_include(): a relative include is resolved from the including file', () => {
  const r = readAll({
    [MAIN]: 'include sub/a.conf\nafter_main',
    '/etc/keepalived/sub/a.conf': 'include b.conf\nafter_a',
    '/etc/keepalived/sub/b.conf': 'in_b',
    '/etc/keepalived/b.conf': 'wrong_b',
  });
  assert.deepEqual(r.texts, ['in_b', 'after_a', 'after_main']);
  assert.equal(r.lines[0]?.file, '/etc/keepalived/sub/b.conf');
  assert.equal(r.lines[0]?.line, 1);
  assert.deepEqual(r.diags, []);
});

test('keepalived open_conf_file(): glob matches are read in sorted order, then the including file goes on', () => {
  const r = readAll({
    [MAIN]: 'first\ninclude conf.d/*.conf\nlast',
    '/etc/keepalived/conf.d/z.conf': 'from_z',
    '/etc/keepalived/conf.d/a.conf': 'from_a',
    '/etc/keepalived/conf.d/m.txt': 'not_matched',
    '/etc/keepalived/conf.d/.h.conf': 'hidden',
  });
  assert.deepEqual(r.texts, ['first', 'from_a', 'from_z', 'last']);
  assert.equal(r.lines[3]?.line, 3);
});

test('keepalived file_config_error(): a missing plain `include` is only logged (exit 0)', () => {
  const r = checkText('include nothere.conf\n');
  assert.deepEqual(errors(r), []);
  assert.ok(r.diagnostics.some((d) => d.code === 'CFG_INCLUDE_SKIPPED' && d.cls === 'NOTICE'));
  assert.equal(r.exitCode, 0);
});

test('keepalived file_config_error(): a missing `includem` is an error and -t exits 6', () => {
  const r = checkText('includem nothere.conf\n');
  assert.deepEqual(errors(r), ["(/etc/keepalived/keepalived.conf: Line 1, Col 1) Config files missing '/etc/keepalived/nothere.conf'."]);
  assert.equal(r.diagnostics.find((d) => d.code === 'CFG_INCLUDE_FAILED')?.cls, 'FILE_NOT_FOUND');
  assert.equal(r.exitCode, 6);
});

test('keepalived open_and_check_glob(): `include` of an unmatched wildcard is silent, `includew` is an error', () => {
  const tree = { '/etc/keepalived/conf.d/x.txt': 'x' };
  assert.equal(checkText('include conf.d/*.conf\n', {}, tree).exitCode, 0);
  const w = checkText('includew conf.d/*.conf\n', {}, tree);
  assert.equal(w.exitCode, 6);
  assert.match(errors(w)[0] ?? '', /No config files matched '\/etc\/keepalived\/conf\.d\/\*\.conf'\./);
});

test('keepalived open_and_check_glob(): `includeb` fails when one brace alternative is missing', () => {
  const tree = { '/etc/keepalived/a.conf': 'kw_a' };
  const plain = readAll({ [MAIN]: 'include {a,b}.conf', ...tree });
  assert.deepEqual(plain.texts, ['kw_a']);
  assert.equal(plain.diags.find((d) => d.code === 'CFG_INCLUDE_SKIPPED')?.message, 'Some config files missing: "/etc/keepalived/{a,b}.conf".');
  const strict = readAll({ [MAIN]: 'includeb {a,b}.conf', ...tree });
  assert.deepEqual(strict.texts, []);
  assert.ok(codes(strict).includes('CFG_INCLUDE_FAILED'));
});

test('keepalived check_glob_file(): an included directory is skipped (an error only for includer)', () => {
  const tree = { '/etc/keepalived/conf.d': null };
  const plain = readAll({ [MAIN]: 'include conf.d', ...tree });
  assert.equal(plain.diags[0]?.cls, 'NOTICE');
  assert.equal(plain.diags[0]?.message, "Configuration file '/etc/keepalived/conf.d/' is a directory - skipping");
  const r = readAll({ [MAIN]: 'includer conf.d', ...tree });
  assert.equal(r.diags[0]?.cls, 'FILE_NOT_FOUND');
});

test('keepalived check_glob_file(): an executable include is not read', () => {
  const r = readAll({ [MAIN]: 'includer x.conf', '/etc/keepalived/x.conf': { text: 'secret', executable: true } });
  assert.deepEqual(r.texts, []);
  assert.equal(r.diags[0]?.message, "Configuration file '/etc/keepalived/x.conf' is not a regular non-executable file - skipping");
});

test('keepalived check_include(): an include cycle is reported on the include that closes it (tsvrrpd; keepalived recurses to EMFILE)', () => {
  const r = readAll({
    [MAIN]: 'top\ninclude b.conf\nbottom',
    '/etc/keepalived/b.conf': 'in_b\ninclude keepalived.conf',
  });
  assert.deepEqual(r.texts, ['top', 'in_b', 'bottom']);
  const cycle = r.diags.find((d) => d.code === 'CFG_INCLUDE_CYCLE');
  assert.ok(cycle, codes(r).join());
  assert.deepEqual(cycle.at, { file: '/etc/keepalived/b.conf', line: 2, col: 1 });
  assert.equal(exitCodeFor(r.diags), 5);
});

test('keepalived check_include(): a file including itself is a cycle too (tsvrrpd)', () => {
  const r = readAll({ [MAIN]: 'include keepalived.conf\nrest' });
  assert.deepEqual(r.texts, ['rest']);
  assert.deepEqual(codes(r), ['CFG_INCLUDE_CYCLE']);
});

test('keepalived open_and_check_glob(): a missing main file is fatal (tsvrrpd: keepalived -t exits 0 here)', () => {
  const r = readAll({}, { main: '/etc/keepalived/none.conf' });
  assert.equal(r.opened, false);
  assert.equal(r.diags[0]?.cls, 'FILE_NOT_FOUND');
  assert.equal(exitCodeFor(r.diags), 4);
});

// @id lines

test('keepalived read_line(): `@ID line` is kept only when ID is the config id, `@^ID` only when not', () => {
  const r = readAll({ [MAIN]: '@lb1 one\n@lb2 two\n@^lb1 three\n@^lb2 four\n@lb1x five' }, { configId: 'lb1' });
  assert.deepEqual(r.texts, ['one', 'four']);
  assert.deepEqual(r.lines.map((l) => l.line), [1, 4]);
});

test('keepalived read_line(): without a config id every `@ID` line is dropped and every `@^ID` kept', () => {
  const r = readAll({ [MAIN]: '@lb1 one\n@^lb1 two' }, { configId: null });
  assert.deepEqual(r.texts, ['two']);
});

test('keepalived read_line(): `@ID` with nothing after it is dropped', () => {
  assert.deepEqual(readAll({ [MAIN]: '@lb1\n@^lb2\nx' }).texts, ['x']);
});

// definitions through the reader

test('keepalived read_line(): a definition line is consumed and its use is replaced', () => {
  const r = readAll({ [MAIN]: '$IF=eth0\ninterface $IF' });
  assert.deepEqual(r.texts, ['interface eth0']);
  assert.equal(r.lines[0]?.line, 2);
});

test('keepalived read_line(): a multi-line definition expands to several lines at the place of use', () => {
  const r = readAll({ [MAIN]: '$ADDRS=10.0.0.1/24 \\\n  10.0.0.2/24\nvirtual_ipaddress {\n  $ADDRS\n}' });
  assert.deepEqual(r.texts, ['virtual_ipaddress', '{', '10.0.0.1/24', '10.0.0.2/24', '}']);
  assert.equal(r.lines[3]?.line, 4);
});

test('keepalived read_line(): a definition may expand to text with braces, which is cut as usual', () => {
  const r = readAll({ [MAIN]: '$B={ 10.0.0.1/24 }\nvirtual_ipaddress $B' });
  assert.deepEqual(r.texts, ['virtual_ipaddress', '{', '10.0.0.1/24', '}']);
});

test('keepalived read_line(): a comment-only line ends a multi-line definition (keepalived -t)', () => {
  const r = readAll({ [MAIN]: '$M=a \\\n# note\nb' });
  assert.deepEqual(r.texts, ['b']);
});

// braces, quotes, raw bytes

test("keepalived read_line(): `vrrp_instance X {` gives two logical lines of the same physical line", () => {
  const r = readAll({ [MAIN]: 'vrrp_instance VI_1 {\n}' });
  assert.deepEqual(r.texts, ['vrrp_instance VI_1', '{', '}']);
  assert.deepEqual(r.lines.map((l) => [l.line, l.words[0]?.col]), [[1, 1], [1, 20], [2, 1]]);
});

test("keepalived read_line(): \"There are N missing '}'s\" points at the innermost unclosed '{'", () => {
  const r = readAll({ [MAIN]: 'global_defs {\n  a\n  b {\n    c\n' });
  const d = r.diags.find((x) => x.code === 'CFG_MISSING_EOB');
  assert.equal(d?.message, "There are 2 missing '}'s or extra '{'s");
  assert.deepEqual(d?.at, { file: MAIN, line: 3, col: 5 });
  assert.equal(d?.cls, 'MISSING_EOB');
});

test("keepalived read_line(): \"Extra '}' found\" is reported on its line", () => {
  const r = readAll({ [MAIN]: 'a {\n}\n}\n' });
  const d = r.diags.filter((x) => x.code === 'CFG_EXTRA_EOB');
  assert.equal(d.length, 1);
  assert.equal(d[0]?.message, "Extra '}' found");
  assert.equal(d[0]?.at?.line, 3);
  assert.equal(d[0]?.cls, 'UNEXPECTED_EOB');
});

test('keepalived decomment()/alloc_strvec_r(): an open quote is both "Unterminated" and "Unmatched"', () => {
  const r = readAll({ [MAIN]: 'x\nrouter_id "lb1' });
  assert.deepEqual(
    r.diags.map((d) => [d.cls, d.message, d.at?.line]),
    [
      ['GENERAL_ERROR', `Unterminated quote 'router_id "lb1'`, 2],
      ['UNMATCHED_QUOTE', `Unmatched quote: 'router_id "lb1'`, 2],
    ],
  );
  assert.deepEqual(r.lines[1]?.words.map((w) => w.text), ['router_id']);
});

test('keepalived read_line(): a NUL ends the text of its line; later line numbers stay right', () => {
  const r = readAll({ [MAIN]: 'one\ntwo\0three four\nfive\n' });
  assert.deepEqual(r.texts, ['one', 'two', 'five']);
  assert.equal(r.lines[2]?.line, 3);
});

test('keepalived read_line(): CRLF line ends are accepted', () => {
  const r = readAll({ [MAIN]: 'global_defs {\r\n  router_id lb1\r\n}\r\n' });
  assert.deepEqual(r.texts, ['global_defs', '{', 'router_id lb1', '}']);
  assert.equal(r.lines[2]?.words[1]?.text, 'lb1');
  assert.deepEqual(r.diags, []);
});

test('keepalived read_line(): blank and comment lines still count for the line numbers', () => {
  const r = readAll({ [MAIN]: '\n# c\n   \n! d\nkw' });
  assert.deepEqual(r.lines.map((l) => l.line), [5]);
});

test('keepalived read_line() splitPhysicalLines(): no extra empty line for a final newline, CRs dropped, NUL cuts', () => {
  assert.deepEqual(splitPhysicalLines('a\r\nb\0c\n'), ['a', 'b']);
  assert.deepEqual(splitPhysicalLines('a\n\nb'), ['a', '', 'b']);
});

test('keepalived add_seq(): `~SEQ(i,1,3) kw$i` repeats the line for i = 1, 2, 3 on its own line number', () => {
  const r = readAll({ [MAIN]: 'x\n~SEQ(i,1,3) kw$i\ny' });
  assert.deepEqual(r.texts, ['x', 'kw1', 'kw2', 'kw3', 'y']);
  assert.deepEqual(r.lines.map((l) => l.line), [1, 2, 2, 2, 3]);
  assert.deepEqual(r.diags, []);
});
