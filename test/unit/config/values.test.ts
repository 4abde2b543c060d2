/**
 * Keyword value readers (src/config/values.ts) against keepalived 2.2.7 lib/parser.c
 * read_unsigned_func(), read_int_func(), read_decimal_unsigned_long_func(), null_strvec() and
 * check_true_false(). Messages and acceptance follow strtoul/strtol as keepalived calls them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeywordContext } from '../../../src/config/keyword';
import type { Word } from '../../../src/config/lexer';
import type { DiagnosticClass, SourceLocation } from '../../../src/config/diagnostics';
import { optionalBool, parseBool, readDecimal, readInt, readTimerUs, readUnsigned, requireArg } from '../../../src/config/values';
import { checkText, fakeHost } from '../../support/config-harness';

interface Reported {
  cls: DiagnosticClass;
  code: string;
  message: string;
  at: SourceLocation;
}

function fakeCtx(): { ctx: KeywordContext; reports: Reported[] } {
  const reports: Reported[] = [];
  const at = (w?: Word): SourceLocation => ({ file: 'f', line: w?.line ?? 1, col: w?.col ?? 0 });
  const ctx: KeywordContext = {
    host: fakeHost(),
    at,
    report: (cls, code, message, w) => void reports.push({ cls, code, message, at: at(w) }),
    reportOnce: (_k, cls, code, message, w) => void reports.push({ cls, code, message, at: at(w) }),
    readValueBlock: () => undefined,
    lineText: () => '',
    skipBlock: () => undefined,
  };
  return { ctx, reports };
}

function word(text: string, col = 9): Word {
  return { text, col, file: 'f', line: 3 };
}

function unsigned(text: string, min: number, max: number): { v: number | null; msgs: string[] } {
  const { ctx, reports } = fakeCtx();
  const v = readUnsigned(ctx, word(text), min, max);
  return { v, msgs: reports.map((r) => r.message) };
}

function int(text: string, min: number, max: number): { v: number | null; msgs: string[] } {
  const { ctx, reports } = fakeCtx();
  const v = readInt(ctx, word(text), min, max);
  return { v, msgs: reports.map((r) => r.message) };
}

function decimal(text: string, min: number, max: number, places: number): { v: number | null; msgs: string[] } {
  const { ctx, reports } = fakeCtx();
  const v = readDecimal(ctx, word(text), min, max, places);
  return { v, msgs: reports.map((r) => r.message) };
}

// read_unsigned_func()

test('keepalived read_unsigned_func(): a plain number in range is accepted silently', () => {
  assert.deepEqual(unsigned('42', 0, 100), { v: 42, msgs: [] });
});

test("keepalived read_unsigned_func(): leading blanks and a '+' sign are accepted (strtoul)", () => {
  assert.deepEqual(unsigned('  7', 1, 10), { v: 7, msgs: [] });
  assert.deepEqual(unsigned('+5', 1, 10), { v: 5, msgs: [] });
});

test("keepalived read_unsigned_func(): '' reads as 0 and is then range-checked", () => {
  assert.deepEqual(unsigned('', 0, 10), { v: 0, msgs: [] });
  assert.deepEqual(unsigned('', 1, 2147483647), { v: null, msgs: ["number '' outside range [1, 2147483647]"] });
});

test("keepalived read_unsigned_func(): a '-' is \"negative number\", even after blanks", () => {
  assert.deepEqual(unsigned('-1', 0, 10), { v: null, msgs: ["negative number '-1'"] });
  assert.deepEqual(unsigned(' -0', 0, 10), { v: null, msgs: ["negative number ' -0'"] });
});

test('keepalived read_unsigned_func(): trailing text, trailing blanks or hex are "invalid number"', () => {
  for (const t of ['5x', '5 ', '0x10', '1.5']) assert.deepEqual(unsigned(t, 0, 100), { v: null, msgs: [`invalid number '${t}'`] }, t);
});

test('keepalived read_unsigned_func(): above UINT_MAX is "outside unsigned integer range"', () => {
  assert.deepEqual(unsigned('4294967296', 0, 4294967295), { v: null, msgs: ["number '4294967296' outside unsigned integer range"] });
  assert.deepEqual(unsigned('4294967295', 0, 4294967295), { v: 4294967295, msgs: [] });
});

test('keepalived read_unsigned_func(): out of [min, max] names the range', () => {
  assert.deepEqual(unsigned('256', 1, 255), { v: null, msgs: ["number '256' outside range [1, 255]"] });
  assert.deepEqual(unsigned('0', 1, 255), { v: null, msgs: ["number '0' outside range [1, 255]"] });
});

test('keepalived read_unsigned_func(): reports are INVALID_NUMBER on the value word', () => {
  const { ctx, reports } = fakeCtx();
  readUnsigned(ctx, word('x', 14), 0, 1);
  assert.equal(reports[0]?.cls, 'INVALID_NUMBER');
  assert.deepEqual(reports[0]?.at, { file: 'f', line: 3, col: 14 });
});

// read_int_func()

test('keepalived read_int_func(): signed values at both ends of the range', () => {
  assert.deepEqual(int('-253', -253, 253), { v: -253, msgs: [] });
  assert.deepEqual(int('+253', -253, 253), { v: 253, msgs: [] });
  assert.deepEqual(int(' 12', 0, 100), { v: 12, msgs: [] });
});

test('keepalived read_int_func(): out of range names the range, out of int is "outside integer range"', () => {
  assert.deepEqual(int('-254', -253, 253), { v: null, msgs: ["number '-254' outside range [-253, 253]"] });
  assert.deepEqual(int('2147483648', -2147483648, 2147483647), { v: null, msgs: ["number '2147483648' outside integer range"] });
  assert.deepEqual(int('-2147483649', -2147483648, 2147483647), { v: null, msgs: ["number '-2147483649' outside integer range"] });
});

test("keepalived read_int_func(): '' reads as 0 (strtol converts nothing but stops at the end)", () => {
  assert.deepEqual(int('', -5, 5), { v: 0, msgs: [] });
});

test("keepalived read_int_func(): '+', '-', '1.5' and '3x' are \"invalid number\"", () => {
  for (const t of ['+', '-', '1.5', '3x']) assert.deepEqual(int(t, -10, 10), { v: null, msgs: [`invalid number '${t}'`] }, t);
});

test(
  "keepalived read_int_func(): a value of only blanks is \"invalid number\" (strtol leaves endptr at the start)",
  () => {
    assert.deepEqual(int('   ', -253, 253), { v: null, msgs: ["invalid number '   '"] });
  },
);

// read_decimal_unsigned_long_func()

test('keepalived read_decimal_unsigned_long_func(): decimals are scaled to 10^places', () => {
  assert.deepEqual(decimal('1.5', 0, 1e9, 6), { v: 1_500_000, msgs: [] });
  assert.deepEqual(decimal('.5', 0, 1e9, 6), { v: 500_000, msgs: [] });
  assert.deepEqual(decimal('2.', 0, 1e9, 6), { v: 2_000_000, msgs: [] });
  assert.deepEqual(decimal('3', 0, 1e9, 3), { v: 3000, msgs: [] });
});

test('keepalived read_decimal_unsigned_long_func(): too many decimals is reported, rounded half up and kept', () => {
  assert.deepEqual(decimal('1.0000005', 0, 1e9, 6), { v: 1_000_001, msgs: ["number '1.0000005' has too many decimal places"] });
  assert.deepEqual(decimal('1.0000004', 0, 1e9, 6), { v: 1_000_000, msgs: ["number '1.0000004' has too many decimal places"] });
});

test("keepalived read_decimal_unsigned_long_func(): a leading '-' is \"negative number\"", () => {
  assert.deepEqual(decimal('-1', 0, 1e9, 6), { v: null, msgs: ["negative number '-1'"] });
});

test('keepalived read_decimal_unsigned_long_func(): junk is "invalid number"', () => {
  assert.deepEqual(decimal('1.2.3', 0, 1e9, 6).msgs, ["invalid number '1.2.3'"]);
  assert.deepEqual(decimal('1.2.3', 0, 1e9, 6).v, null);
});

test('keepalived read_decimal_unsigned_long_func(): the range is printed with the decimals', () => {
  assert.deepEqual(decimal('0', 10_000, 255_000_000, 6), { v: null, msgs: ["number '0' outside range [0.010000, 255.000000]"] });
  assert.deepEqual(decimal('1001', 0, 1_000_000_000, 6), { v: null, msgs: ["number '1001' outside range [0.000000, 1000.000000]"] });
});

test('keepalived read_timer(): seconds with 6 decimals, in microseconds', () => {
  const { ctx } = fakeCtx();
  assert.equal(readTimerUs(ctx, word('0.25'), 0, 1e9), 250_000);
});

// null_strvec()

test('keepalived null_strvec(): a missing argument is MISSING_PARAMETER with keepalived\'s wording', () => {
  const { ctx, reports } = fakeCtx();
  const k = word('priority', 3);
  assert.equal(requireArg(ctx, k, [], 0), null);
  assert.deepEqual(reports.map((r) => [r.cls, r.message, r.at.col]), [
    ['MISSING_PARAMETER', '*** Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2', 3],
  ]);
});

test('keepalived null_strvec(): the word position counts the keyword, the previous word is named', () => {
  const { ctx, reports } = fakeCtx();
  assert.equal(requireArg(ctx, word('user'), [word('nobody')], 1), null);
  assert.match(reports[0]?.message ?? '', /after keyword `nobody` at word position 3$/);
  const { ctx: ctx2, reports: none } = fakeCtx();
  assert.equal(requireArg(ctx2, word('user'), [word('nobody')], 0)?.text, 'nobody');
  assert.deepEqual(none, []);
});

test('keepalived null_strvec(): -t exits 2 for a keyword without its argument', () => {
  const r = checkText('vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n');
  assert.equal(r.exitCode, 2);
  assert.equal(r.diagnostics.find((d) => d.cls === 'MISSING_PARAMETER')?.at?.line, 4);
});

// check_true_false()

test('keepalived check_true_false(): true/on/yes and false/off/no, anything else is null', () => {
  for (const t of ['true', 'on', 'yes']) assert.equal(parseBool(t), true, t);
  for (const t of ['false', 'off', 'no']) assert.equal(parseBool(t), false, t);
  for (const t of ['TRUE', '1', '', 'y']) assert.equal(parseBool(t), null, t);
});

test('optionalBool(): an absent value is true, a bad one is reported with the keyword\'s message', () => {
  const { ctx, reports } = fakeCtx();
  assert.equal(optionalBool(ctx, [], () => 'never'), true);
  assert.equal(optionalBool(ctx, [word('off')], () => 'never'), false);
  assert.equal(optionalBool(ctx, [word('maybe')], (b) => `invalid x ${b} specified`), null);
  assert.deepEqual(reports.map((r) => [r.cls, r.message]), [['GENERAL_ERROR', 'invalid x maybe specified']]);
});
