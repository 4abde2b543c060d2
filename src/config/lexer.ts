/**
 * The lexical rules of keepalived.conf, one physical line at a time.
 *
 * Owns comment stripping (`#`/`!` outside double quotes, `\#`/`\!` escapes), splitting a line
 * at its first `{`/`}` (keepalived reads `vrrp_instance X {` as two lines), and splitting a
 * line into words (a double-quoted word keeps its spaces). Pure string functions; knows nothing
 * of files, includes or keywords. keepalived: lib/parser.c decomment(), read_line(),
 * alloc_strvec_r().
 */

export interface Word {
  readonly text: string;
  /** 1-based column in the physical line. */
  readonly col: number;
  /** The file and line the word was read from. */
  readonly file: string;
  readonly line: number;
}

export interface Decommented {
  /** The line without comment and surrounding blanks; ends in `\` when continued. */
  readonly text: string;
  /** 0-based offset of `text` in the physical line. */
  readonly offset: number;
  readonly unterminatedQuote: boolean;
}

/** keepalived decomment(): strip a trailing comment, escapes of `#`/`!`, and blanks. */
export function decomment(raw: string): Decommented {
  let offset = 0;
  while (offset < raw.length && (raw[offset] === ' ' || raw[offset] === '\t')) offset++;
  // Most lines have no quote, escape or comment: then the text is the line, trimmed, as is
  // (building it a character at a time made a 20 000-line file's -t ~15 ms slower).
  if (!hasLexicalSpecial(raw, offset)) return { text: trimEnd(raw, offset, raw.length), offset, unterminatedQuote: false };
  let out = '';
  let quote = false;
  let cont = false;
  for (let i = offset; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '"') {
      quote = !quote;
      out += c;
      continue;
    }
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) {
        cont = true;
        break;
      }
      if (!quote && (next === '#' || next === '!')) {
        out += next;
      } else {
        out += c + next;
      }
      i++;
      continue;
    }
    if (!quote && (c === '#' || c === '!')) {
      // keepalived keeps scanning past the comment: a final `\` still continues the line.
      cont = endsWithContinuation(raw.slice(i));
      break;
    }
    out += c;
  }
  // keepalived reports an unterminated quote only when no comment cut the line short; we
  // report it whenever the quote is still open at the end, which is the same condition.
  out = trimEnd(out, 0, out.length);
  if (cont) out += '\\';
  return { text: out, offset, unterminatedQuote: quote };
}

const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const BANG = 0x21;

function hasLexicalSpecial(raw: string, from: number): boolean {
  for (let i = from; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === QUOTE || c === BACKSLASH || c === HASH || c === BANG) return true;
  }
  return false;
}

/** Does `s` end in a `\` that is not itself escaped (keepalived pairs backslashes up)? */
function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

export interface BraceSplit {
  /** The text to read as this line (blanks at its end removed). */
  readonly head: string;
  /** Index in the input where the rest starts (read as the next line); null when none. */
  readonly next: number | null;
}

/**
 * keepalived read_line(): a line is cut before its first `{` or `}` outside double quotes;
 * a line that starts with a brace is cut after it. The cut-off rest is read as the next line.
 * Works from `start` without copying the rest, so a long line of braces stays linear.
 */
export function splitAtBrace(line: string, start = 0): BraceSplit {
  let p = -1;
  const first = line.charCodeAt(start);
  if (first === OPEN_BRACE || first === CLOSE_BRACE) {
    p = start;
  } else {
    for (let i = start; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === QUOTE) {
        const close = line.indexOf('"', i + 1);
        if (close < 0) break;
        i = close;
        continue;
      }
      if (c === OPEN_BRACE || c === CLOSE_BRACE) {
        p = i;
        break;
      }
    }
  }
  if (p < 0) return { head: trimEnd(line, start, line.length), next: null };
  let cut = p;
  if (p === start) {
    cut = p + 1;
    while (line[cut] === ' ' || line[cut] === '\t') cut++;
  }
  const rest = trimEnd(line, cut, line.length);
  if (rest.length === 0) return { head: trimEnd(line, start, line.length), next: null };
  return { head: trimEnd(line, start, cut), next: cut };
}

/** line.slice(from, to) without trailing blanks (no regex: long lines stay linear). */
function trimEnd(line: string, from: number, to: number): string {
  let end = to;
  while (end > from && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return line.slice(from, end);
}

/** isspace() in the C locale: space, \t, \n, \v, \f, \r. */
function isWhite(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

export interface WordSplit {
  readonly words: readonly Word[];
  /** Set when a word opened a `"` that the line never closed (keepalived: "Unmatched quote"). */
  readonly unmatchedQuote: boolean;
}

/**
 * keepalived alloc_strvec_r(): words separated by blanks; a word that starts with `"` runs to
 * the next `"` and loses the quotes; a `"` inside a word ends it. No escapes are processed here
 * (scripts get theirs when the command line is split, see script-command.ts).
 */
export function splitWords(line: string, where: { file: string; line: number }, baseCol = 1): WordSplit {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && isWhite(line.charCodeAt(i))) i++;
    if (i >= line.length) break;
    if (line.charCodeAt(i) === QUOTE) {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return { words, unmatchedQuote: true };
      words.push({ text: line.slice(i + 1, close), col: baseCol + i, file: where.file, line: where.line });
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (isWhite(c) || c === QUOTE) break;
      i++;
    }
    words.push({ text: line.slice(start, i), col: baseCol + start, file: where.file, line: where.line });
  }
  return { words, unmatchedQuote: false };
}
