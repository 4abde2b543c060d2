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
    if (!quote && (c === '#' || c === '!')) break;
    out += c;
  }
  // keepalived reports an unterminated quote only when no comment cut the line short; we
  // report it whenever the quote is still open at the end, which is the same condition.
  out = out.replace(/[ \t]+$/, '');
  if (cont) out += '\\';
  return { text: out, offset, unterminatedQuote: quote };
}

export interface BraceSplit {
  readonly head: string;
  /** Text from the brace on, to be read as the next line; null when there is none. */
  readonly residue: string | null;
  /** Offset of the residue within the input string. */
  readonly residueOffset: number;
}

/**
 * keepalived read_line(): a line is cut before its first `{` or `}` outside double quotes;
 * a line that starts with a brace is cut after it. The cut-off rest is read as the next line.
 */
export function splitAtBrace(line: string): BraceSplit {
  let p = -1;
  if (line[0] === '{' || line[0] === '}') {
    p = 0;
  } else {
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '"') {
        const close = line.indexOf('"', i + 1);
        if (close < 0) break;
        i = close;
        continue;
      }
      if (c === '{' || c === '}') {
        p = i;
        break;
      }
    }
  }
  if (p < 0) return { head: trimEnd(line), residue: null, residueOffset: 0 };
  let skip = 0;
  if (p === 0) {
    skip = 1;
    while (line[skip] === ' ' || line[skip] === '\t') skip++;
  }
  const rest = trimEnd(line.slice(p + skip));
  if (rest.length === 0) return { head: trimEnd(line), residue: null, residueOffset: 0 };
  return { head: trimEnd(line.slice(0, p + skip)), residue: rest, residueOffset: p + skip };
}

function trimEnd(s: string): string {
  return s.replace(/[ \t]+$/, '');
}

const WHITE = new Set([' ', '\t', '\n', '\r', '\v', '\f']);

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
    while (i < line.length && WHITE.has(line[i] as string)) i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      if (close < 0) return { words, unmatchedQuote: true };
      words.push({ text: line.slice(i + 1, close), col: baseCol + i, file: where.file, line: where.line });
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < line.length && !WHITE.has(line[i] as string) && line[i] !== '"') i++;
    words.push({ text: line.slice(start, i), col: baseCol + start, file: where.file, line: where.line });
  }
  return { words, unmatchedQuote: false };
}
