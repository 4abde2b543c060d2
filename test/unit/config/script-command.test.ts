/**
 * How a script's command line is split (src/config/script-command.ts) against keepalived 2.2.7
 * lib/parser.c alloc_strvec_quoted_escaped() and lib/notify.c set_script_params_array().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScriptLine, splitQuotedEscaped } from '../../../src/config/script-command';

function words(src: string): string[] {
  const r = splitQuotedEscaped(src);
  assert.ok(r.ok, `split failed: ${JSON.stringify(r)}`);
  return r.words;
}

test('keepalived alloc_strvec_quoted_escaped(): words are split at any white space', () => {
  assert.deepEqual(words('  a b\t\tc\vd  '), ['a', 'b', 'c', 'd']);
  assert.deepEqual(words(''), []);
});

test('keepalived alloc_strvec_quoted_escaped(): single and double quotes group words and are removed', () => {
  assert.deepEqual(words(`'a b' "c d"`), ['a b', 'c d']);
  assert.deepEqual(words(`a"b c"d'e f'`), ['ab cde f']);
  assert.deepEqual(words(`"it's" 'say "hi"'`), ["it's", 'say "hi"']);
});

test('keepalived alloc_strvec_quoted_escaped(): an empty quoted string is an empty word', () => {
  assert.deepEqual(words(`x "" y`), ['x', '', 'y']);
});

test('keepalived alloc_strvec_quoted_escaped(): C escapes \\n \\t \\r \\v \\f \\a \\b \\E', () => {
  assert.deepEqual(words('a\\nb\\tc\\rd\\ve\\ff\\ag\\bh\\Ei'), ['a\nb\tc\rd\ve\ff\x07g\bh\x1bi']);
});

test('keepalived alloc_strvec_quoted_escaped(): \\xHH is a hex byte, \\x without a hex digit is x', () => {
  assert.deepEqual(words('\\x41\\x6a'), ['Aj']);
  assert.deepEqual(words('\\x4G'), ['\x04G']);
  assert.deepEqual(words('\\xZ'), ['xZ']);
});

test('keepalived alloc_strvec_quoted_escaped(): \\NNN is up to three octal digits', () => {
  assert.deepEqual(words('\\101\\1018'), ['AA8']);
  assert.deepEqual(words('\\7x'), ['\x07x']);
});

test('keepalived alloc_strvec_quoted_escaped(): \\cX is the control character of X', () => {
  assert.deepEqual(words('\\cA\\c['), ['\x01\x1b']);
});

test('keepalived alloc_strvec_quoted_escaped(): any other escaped character is itself (\\  \\" \\\' \\\\)', () => {
  assert.deepEqual(words('a\\ b \\"q\\" \\\'s\\\' c\\\\d'), ['a b', '"q"', "'s'", 'c\\d']);
});

test('keepalived alloc_strvec_quoted_escaped(): escapes are processed inside quotes too', () => {
  assert.deepEqual(words(`"a\\tb" 'c\\x41'`), ['a\tb', 'cA']);
  assert.deepEqual(words(`"say \\"hi\\""`), ['say "hi"']);
});

test('keepalived alloc_strvec_quoted_escaped(): an unterminated quote is an UNMATCHED_QUOTE error', () => {
  const r = splitQuotedEscaped(`notify "/bin/x.sh arg`);
  assert.deepEqual(r, { ok: false, reason: `String 'notify "/bin/x.sh arg': missing terminating "`, unmatchedQuote: true });
  const s = splitQuotedEscaped(`a 'b`);
  assert.equal(s.ok, false);
  assert.equal(!s.ok && s.reason, `String 'a 'b': missing terminating '`);
});

test('keepalived alloc_strvec_quoted_escaped(): a final lone backslash is "Missing escape char at end"', () => {
  const r = splitQuotedEscaped('a b\\');
  assert.deepEqual(r, { ok: false, reason: "Missing escape char at end: 'a b\\'", unmatchedQuote: false });
});

test('keepalived set_script_params_array(): the quoted command is split into program and arguments', () => {
  const r = parseScriptLine(`notify_master "/usr/local/bin/notify.sh MASTER 'two words'"`);
  assert.ok(r.ok);
  assert.deepEqual(r.value.args, ['/usr/local/bin/notify.sh', 'MASTER', 'two words']);
  assert.equal(r.value.text, `/usr/local/bin/notify.sh MASTER 'two words'`);
  assert.equal(r.value.user, null);
  assert.equal(r.value.group, null);
});

test('keepalived notify_script_init(): a user and a group may follow the command', () => {
  const r = parseScriptLine('notify_backup /bin/backup.sh nobody nogroup');
  assert.ok(r.ok);
  assert.deepEqual(r.value.args, ['/bin/backup.sh']);
  assert.equal(r.value.user, 'nobody');
  assert.equal(r.value.group, 'nogroup');
  const u = parseScriptLine('notify_backup /bin/backup.sh nobody');
  assert.ok(u.ok);
  assert.equal(u.value.user, 'nobody');
  assert.equal(u.value.group, null);
});

test('keepalived notify_script_init(): no command, or an empty one, is refused', () => {
  const none = parseScriptLine('script');
  assert.equal(none.ok, false);
  assert.equal(!none.ok && none.unmatchedQuote, false);
  const empty = parseScriptLine('script ""');
  assert.equal(empty.ok, false);
  assert.equal(!empty.ok && empty.reason, "Unable to parse script '' - ignoring");
});

test('keepalived notify_script_init(): an open quote inside the command word is an unmatched quote', () => {
  const r = parseScriptLine(`script "/bin/x.sh 'a"`);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.unmatchedQuote, true);
});
