/**
 * How keepalived splits a script's command line: the keyword's line is re-read with single
 * and double quotes and C-style escapes (`\n \t \xHH \nnn \cX`), then the command word is
 * split the same way into program and arguments. keepalived: lib/parser.c
 * alloc_strvec_quoted_escaped(), lib/notify.c set_script_params_array(), notify_script_init().
 */

export interface ScriptLineError {
  readonly ok: false;
  readonly reason: string;
  /** A quote was left open (keepalived reports it as an error, not just a log line). */
  readonly unmatchedQuote: boolean;
}

export type SplitResult = { readonly ok: true; readonly words: string[] } | ScriptLineError;

const WHITE = ' \t\n\r\v\f';

function escapeChar(src: string, i: number): { ch: string; next: number } {
  const c = src[i] as string;
  if (c === 'x' && /[0-9a-fA-F]/.test(src[i + 1] ?? '')) {
    let j = i + 1;
    let v = 0;
    while (j < src.length && /[0-9a-fA-F]/.test(src[j] as string)) {
      v = ((v << 4) | parseInt(src[j] as string, 16)) & 0xff;
      j++;
    }
    return { ch: String.fromCharCode(v), next: j };
  }
  if (c === 'c' && i + 1 < src.length) {
    return { ch: String.fromCharCode((src.charCodeAt(i + 1) & 0x1f) >>> 0), next: i + 2 };
  }
  if (c >= '0' && c <= '7') {
    let j = i;
    let v = 0;
    while (j < src.length && j < i + 3 && (src[j] as string) >= '0' && (src[j] as string) <= '7') {
      v = (v << 3) + Number(src[j]);
      j++;
    }
    return { ch: String.fromCharCode(v & 0xff), next: j };
  }
  const simple: Record<string, string> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
  return { ch: simple[c] ?? c, next: i + 1 };
}

/** keepalived alloc_strvec_quoted_escaped(). */
export function splitQuotedEscaped(src: string): SplitResult {
  const words: string[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && WHITE.includes(src[i] as string)) i++;
    if (i >= src.length) break;
    let word = '';
    let quote: string | null = null;
    while (i < src.length) {
      const c = src[i] as string;
      if (c === '\\') {
        if (i + 1 >= src.length) return { ok: false, reason: `Missing escape char at end: '${src}'`, unmatchedQuote: false };
        const e = escapeChar(src, i + 1);
        word += e.ch;
        i = e.next;
        continue;
      }
      if (quote !== null) {
        if (c === quote) quote = null;
        else word += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        i++;
        continue;
      }
      if (WHITE.includes(c)) break;
      word += c;
      i++;
    }
    if (quote !== null) return { ok: false, reason: `String '${src}': missing terminating ${quote}`, unmatchedQuote: true };
    words.push(word);
  }
  return { ok: true, words };
}

/** keepalived cmd_str(): every word in single quotes, but a leading `<`/`>` redirection. */
export function cmdStr(args: readonly string[]): string {
  return args.map((a, i) => (i === 0 && (a.startsWith('<') || a.startsWith('>')) ? a : `'${a}'`)).join(' ');
}

export interface ParsedScriptLine {
  /** The command split into program and arguments. */
  readonly args: string[];
  /** The command word as configured. */
  readonly text: string;
  readonly user: string | null;
  readonly group: string | null;
}

/**
 * Split a `notify_master "/path/x.sh arg" [user [group]]` or `script "..."` line.
 * Returns null (with a reason) when keepalived would reject the line.
 */
export function parseScriptLine(lineText: string): { ok: true; value: ParsedScriptLine } | ScriptLineError {
  const line = splitQuotedEscaped(lineText);
  if (!line.ok) return line;
  const cmd = line.words[1];
  if (cmd === undefined) return { ok: false, reason: 'no command given', unmatchedQuote: false };
  const inner = splitQuotedEscaped(cmd);
  if (!inner.ok) return inner;
  if (inner.words.length === 0) return { ok: false, reason: `Unable to parse script '${cmd}' - ignoring`, unmatchedQuote: false };
  return {
    ok: true,
    value: { args: inner.words, text: cmd, user: line.words[2] ?? null, group: line.words[3] ?? null },
  };
}
