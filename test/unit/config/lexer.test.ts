/**
 * The lexical rules of keepalived.conf (src/config/lexer.ts) against keepalived 2.2.7's
 * lib/parser.c decomment(), read_line() brace cutting and alloc_strvec_r().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decomment, splitAtBrace, splitWords } from '../../../src/config/lexer';

const WHERE = { file: '/etc/keepalived/keepalived.conf', line: 7 };

function texts(line: string, baseCol = 1): string[] {
  return splitWords(line, WHERE, baseCol).words.map((w) => w.text);
}

// decomment()

test("keepalived decomment(): '#' starts a comment and the blanks before it go", () => {
  assert.equal(decomment('router_id lb1   # the name').text, 'router_id lb1');
});

test("keepalived decomment(): '!' starts a comment like '#'", () => {
  assert.equal(decomment('router_id lb1 ! old style').text, 'router_id lb1');
});

test("keepalived decomment(): a line that is only a comment becomes empty", () => {
  assert.equal(decomment('   # nothing here').text, '');
});

test("keepalived decomment(): '#' and '!' inside double quotes are kept", () => {
  assert.equal(decomment('script "echo #1 !2" # real comment').text, 'script "echo #1 !2"');
});

test("keepalived decomment(): '\\#' and '\\!' outside quotes become a literal '#'/'!'", () => {
  assert.equal(decomment('router_id a\\#b\\!c').text, 'router_id a#b!c');
});

test("keepalived decomment(): '\\#' inside double quotes is left as written", () => {
  assert.equal(decomment('script "a\\#b"').text, 'script "a\\#b"');
});

test("keepalived decomment(): an escaped '\\\"' does not open a quote, so a later '#' still comments", () => {
  const d = decomment('x a\\"b # c');
  assert.equal(d.text, 'x a\\"b');
  assert.equal(d.unterminatedQuote, false);
});

test('keepalived decomment(): leading blanks are removed and their length is the offset', () => {
  const d = decomment(' \t  vrrp_instance VI_1');
  assert.equal(d.text, 'vrrp_instance VI_1');
  assert.equal(d.offset, 4);
});

test("keepalived decomment(): a trailing '\\' is kept as the continuation mark, blanks before it dropped", () => {
  assert.equal(decomment('$ADDRS=10.0.0.1/24    \\').text, '$ADDRS=10.0.0.1/24\\');
});

test(
  "keepalived decomment(): a trailing '\\' after a comment still continues the line",
  () => {
    // keepalived keeps scanning after the comment starts, finds the final '\' and re-appends it
    // after cutting the comment: `$X=a # note \` continues the definition (checked with keepalived -t).
    assert.equal(decomment('$X=a # note \\').text, '$X=a\\');
  },
);

test('keepalived decomment(): an open double quote at the end is "Unterminated quote"', () => {
  assert.equal(decomment('router_id "lb1').unterminatedQuote, true);
  assert.equal(decomment('router_id "lb1"').unterminatedQuote, false);
});

test("keepalived decomment(): a '\"' inside a comment does not count as an open quote", () => {
  assert.equal(decomment('router_id lb1 # say "hi').unterminatedQuote, false);
});

// read_line() brace cutting

/** What splitAtBrace leaves for the next line (the text from `next` on). */
function rest(line: string, s: { next: number | null }): string | null {
  return s.next === null ? null : line.slice(s.next);
}

test("keepalived read_line(): `vrrp_instance X {` is cut into the keyword line and a '{' line", () => {
  const line = 'vrrp_instance VI_1 {';
  const s = splitAtBrace(line);
  assert.equal(s.head, 'vrrp_instance VI_1');
  assert.equal(rest(line, s), '{');
  assert.equal(s.next, 19);
});

test("keepalived read_line(): a line starting with '{' is cut after the brace and its blanks", () => {
  const line = '{  10.0.0.1/24 }';
  const s = splitAtBrace(line);
  assert.equal(s.head, '{');
  assert.equal(rest(line, s), '10.0.0.1/24 }');
  assert.equal(s.next, 3);
  const t = splitAtBrace(line, s.next ?? 0);
  assert.equal(t.head, '10.0.0.1/24');
  assert.equal(rest(line, t), '}');
});

test("keepalived read_line(): '}' followed by text leaves the text for the next line", () => {
  const line = '} foo';
  const s = splitAtBrace(line);
  assert.equal(s.head, '}');
  assert.equal(rest(line, s), 'foo');
});

test('keepalived read_line(): a lone brace or a line without braces is not cut', () => {
  assert.deepEqual(splitAtBrace('{'), { head: '{', next: null });
  assert.deepEqual(splitAtBrace('priority 100   '), { head: 'priority 100', next: null });
});

test("keepalived read_line(): braces inside double quotes do not cut the line", () => {
  assert.equal(splitAtBrace('script "echo {x}" arg').next, null);
});

test("keepalived read_line(): after an unmatched '\"' a later brace does not cut the line", () => {
  assert.equal(splitAtBrace('script "echo {').next, null);
});

test("keepalived read_line(): a brace after a closed quoted word still cuts", () => {
  const line = 'notify "a b" {';
  const s = splitAtBrace(line);
  assert.equal(s.head, 'notify "a b"');
  assert.equal(rest(line, s), '{');
});

// alloc_strvec_r()

test('keepalived alloc_strvec_r(): words are split at blanks, with 1-based columns', () => {
  const r = splitWords('a  b\tc', WHERE);
  assert.deepEqual(r.words.map((w) => [w.text, w.col]), [['a', 1], ['b', 4], ['c', 6]]);
  assert.equal(r.unmatchedQuote, false);
});

test('keepalived alloc_strvec_r(): columns are offset by the base column and carry file and line', () => {
  const r = splitWords('x y', WHERE, 5);
  assert.deepEqual(r.words.map((w) => w.col), [5, 7]);
  assert.equal(r.words[1]?.file, WHERE.file);
  assert.equal(r.words[1]?.line, 7);
});

test('keepalived alloc_strvec_r(): a double-quoted word keeps its blanks and loses the quotes', () => {
  assert.deepEqual(texts('script "/bin/check this" 2'), ['script', '/bin/check this', '2']);
});

test('keepalived alloc_strvec_r(): "" is an empty word', () => {
  assert.deepEqual(texts('fall "" x'), ['fall', '', 'x']);
});

test("keepalived alloc_strvec_r(): a '\"' inside a word ends the word", () => {
  assert.deepEqual(texts('ab"cd"ef'), ['ab', 'cd', 'ef']);
});

test('keepalived alloc_strvec_r(): an unmatched quote keeps the words before it and is flagged', () => {
  const r = splitWords('router_id x "lb1', WHERE);
  assert.deepEqual(r.words.map((w) => w.text), ['router_id', 'x']);
  assert.equal(r.unmatchedQuote, true);
});

test('keepalived alloc_strvec_r(): the column of a quoted word is the column of its opening quote', () => {
  const r = splitWords('k "v w"', WHERE);
  assert.equal(r.words[1]?.col, 3);
});
