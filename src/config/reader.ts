/**
 * Turns a keepalived.conf and everything it includes into one stream of logical lines, each a
 * list of words with its file, line and column. Owns: the include stack (glob, brace expansion,
 * paths relative to the including file, keepalived's missing-file rules, cycle detection),
 * `@id`/`@^id` conditional lines, `$NAME` definitions, cutting lines at braces, and the brace
 * depth count ("Extra '}' found", "missing '}'s" pointing at the unclosed block).
 * keepalived: lib/parser.c read_line(), check_include(), open_and_check_glob(), init_data().
 */
import type { ConfigFs } from './config-fs';
import type { Mutable } from './model';
import { decomment, splitAtBrace, splitWords, type Word } from './lexer';
import { Definitions, type DefinitionEnv } from './definitions';
import { glob, MAX_BRACE_EXPANSIONS } from './glob';
import { parseSeq } from './seq';
import { dirname, resolveFrom } from './paths';
import type { DiagnosticClass, DiagnosticSink, SourceLocation } from './diagnostics';

export interface LogicalLine {
  readonly words: readonly Word[];
  /** The line's text after preprocessing and brace cutting (keepalived's buf_extern). */
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

/** keepalived's include variants (lib/parser.c include_t bits). */
const INCLUDE_R = 0x01; // error if a match is a directory, unreadable...
const INCLUDE_M = 0x02; // error if nothing matches (without wildcards)
const INCLUDE_W = 0x04; // error if nothing matches even with wildcards
const INCLUDE_B = 0x08; // every brace alternative must match

const INCLUDE_KEYWORDS: Readonly<Record<string, number>> = {
  include: 0,
  includer: INCLUDE_R,
  includem: INCLUDE_R | INCLUDE_M,
  includew: INCLUDE_R | INCLUDE_M | INCLUDE_W,
  includeb: INCLUDE_R | INCLUDE_B,
  includea: INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B,
};

/** A multi-line definition may expand into further ones this deep (keepalived: no limit). */
export const MAX_EXPANSION_DEPTH = 64;

/** How deep includes may nest; keepalived stops only when it runs out of file descriptors. */
export const MAX_INCLUDE_DEPTH = 64;

interface OpenFile {
  readonly display: string;
  readonly identity: string;
  readonly lines: readonly string[];
  next: number;
  /** Glob matches still to read after this one, with the include type they came from. */
  readonly pending: string[];
  readonly includeType: number;
  /** The include line the glob came from (for problems with the later matches). */
  readonly includeAt: SourceLocation | null;
}

interface PendingPiece {
  readonly text: string;
  /** Where in `text` this piece starts (the rest of a line cut at a brace). */
  readonly start?: number;
  /** How many multi-line definition expansions produced this piece. */
  readonly depth?: number;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** A `~SEQ` value to define just before this piece is read. */
  readonly define?: { readonly name: string; readonly value: string };
}

export interface ReaderOptions {
  /** `-i/--config-id`; null matches no `@id` line (and every `@^id` line). */
  readonly configId: string | null;
  readonly definitionEnv: Omit<DefinitionEnv, 'currentDir'>;
}

export class LineReader {
  private readonly stack: OpenFile[] = [];
  /** Text after a brace cut: already preprocessed, read before anything else. */
  private readonly pieces: PendingPiece[] = [];
  /** Lines of a multi-line definition being expanded: preprocessed again like file lines. */
  private readonly expansions: PendingPiece[] = [];
  private readonly defs: Definitions;
  private readonly openBraces: SourceLocation[] = [];
  /** The last line handed out, and the column it starts at (its location is built on demand). */
  private lastPiece: PendingPiece | null = null;
  private lastCol = 0;
  /** Expansion depth of the piece being preprocessed (multi-line definitions). */
  private depth = 0;

  constructor(
    private readonly fs: ConfigFs,
    private readonly sink: DiagnosticSink,
    private readonly options: ReaderOptions,
  ) {
    this.defs = new Definitions({
      ...options.definitionEnv,
      currentDir: () => dirname(this.stack[this.stack.length - 1]?.display ?? '.'),
    });
  }

  /** Open the main file (keepalived: R|M|W include semantics). False if nothing could be read. */
  openMain(path: string): boolean {
    // keepalived prints problems with the main file without a location; we name the file.
    return this.openGlob(path, INCLUDE_R | INCLUDE_M | INCLUDE_W, { file: path, line: 1, col: 0 }, true);
  }

  /** Where the reader is: the location of the last line handed out. */
  get location(): SourceLocation | null {
    const p = this.lastPiece;
    return p === null ? null : { file: p.file, line: p.line, col: this.lastCol };
  }

  private report(cls: DiagnosticClass, code: string, message: string, at: SourceLocation | null = this.here()): void {
    this.sink.report(cls, code, message, at);
  }

  private here(col = 0): SourceLocation | null {
    const top = this.stack[this.stack.length - 1];
    if (!top) return this.location;
    return { file: top.display, line: top.next, col };
  }

  /** The next logical line, or null at the end of all input. */
  next(): LogicalLine | null {
    for (;;) {
      const piece = this.nextPiece();
      if (!piece) {
        this.finish();
        return null;
      }
      const start = piece.start ?? 0;
      const split = splitAtBrace(piece.text, start);
      if (split.next !== null) this.pieces.unshift(restOf(piece, split.next));
      this.lastPiece = piece;
      this.lastCol = piece.col + start;
      const words = splitWords(split.head, piece, piece.col + start);
      if (words.unmatchedQuote) {
        this.report('UNMATCHED_QUOTE', 'CFG_UNMATCHED_QUOTE', `Unmatched quote: '${split.head}'`, this.location);
      }
      if (words.words.length === 0) continue;
      this.countBraces(split.head);
      return { words: words.words, text: split.head, file: piece.file, line: piece.line };
    }
  }

  private countBraces(head: string): void {
    if (head === '{') {
      this.openBraces.push(this.location as SourceLocation);
    } else if (head === '}') {
      if (this.openBraces.pop() === undefined) {
        this.report('UNEXPECTED_EOB', 'CFG_EXTRA_EOB', "Extra '}' found", this.location);
      }
    }
  }

  private finish(): void {
    const depth = this.openBraces.length;
    if (depth === 0) return;
    // keepalived prints this without a line; we point at the innermost block left open.
    const opener = this.openBraces[depth - 1] ?? null;
    this.report('MISSING_EOB', 'CFG_MISSING_EOB', `There are ${depth} missing '}'s or extra '{'s`, opener);
    this.openBraces.length = 0;
  }

  /** The next piece of text to split: residue, multi-line expansion, or a file line. */
  private nextPiece(): PendingPiece | null {
    for (;;) {
      const pending = this.pieces.shift();
      if (pending) return pending;
      const expansion = this.expansions.shift();
      if (expansion) {
        if (expansion.define) this.defs.set(expansion.define.name, expansion.define.value);
        this.depth = expansion.depth ?? 0;
        const expanded = this.preprocess(expansion.text, expansion.file, expansion.line, expansion.col);
        this.depth = 0;
        if (expanded !== null) return expanded;
        continue;
      }
      const raw = this.nextPhysicalLine();
      if (!raw) return null;
      const dec = decomment(raw.text);
      if (dec.unterminatedQuote) {
        this.report('GENERAL_ERROR', 'CFG_UNTERMINATED_QUOTE', `Unterminated quote '${dec.text}'`, {
          file: raw.file,
          line: raw.line,
          col: dec.offset + 1,
        });
      }
      if (this.defs.isCollecting && this.defs.continueDefinition(dec.text)) continue;
      if (dec.text.length === 0) continue;
      const expanded = this.preprocess(dec.text, raw.file, raw.line, dec.offset + 1);
      if (expanded === null) continue;
      return expanded;
    }
  }

  /** `@id` lines, definitions, substitution and includes; null when the line is consumed. */
  private preprocess(text: string, file: string, line: number, col: number): PendingPiece | null {
    let buf = text;
    for (let rounds = 0; rounds < 32; rounds++) {
      if (buf.startsWith('@')) {
        const kept = this.conditional(buf);
        if (kept === null) return null;
        buf = kept;
      }
      if (buf.startsWith('$') && this.defs.tryDefine(buf)) return null;
      if (buf.startsWith('~SEQ')) {
        this.expandSeq(buf, file, line, col);
        return null;
      }
      if (buf.startsWith('~LST')) {
        this.report('GENERAL_ERROR', 'CFG_LST_UNSUPPORTED', `tsvrrpd does not support ~LST lists: '${buf}'`, { file, line, col });
        return null;
      }
      if (!buf.includes('$') || buf.startsWith('~')) break;
      const sub = this.defs.substitute(buf);
      if (this.defs.overflow !== null) {
        this.report('NOTICE', 'CFG_SUBSTITUTION_TOO_LONG', `Parameter substitution on line '${this.defs.overflow}' would exceed maximum line length`, { file, line, col });
        this.defs.overflow = null;
        buf = decomment(sub.text).text;
        break;
      }
      if (!sub.changed) break;
      if (sub.extraLines.length > 0 && this.depth >= MAX_EXPANSION_DEPTH) {
        this.report('GENERAL_ERROR', 'CFG_DEFINITION_LOOP', `multi-line definition expands into itself more than ${MAX_EXPANSION_DEPTH} times - line dropped`, { file, line, col });
        return null;
      }
      for (let k = sub.extraLines.length - 1; k >= 0; k--) {
        this.expansions.unshift({ text: sub.extraLines[k] as string, file, line, col, depth: this.depth + 1 });
      }
      buf = decomment(sub.text).text;
      if (!buf.startsWith('@') && !buf.includes('$')) break;
    }
    if (this.tryInclude(buf)) return null;
    return buf.length > 0 ? { text: buf, file, line, col } : null;
  }

  /** keepalived add_seq(): queue the loop's lines, each read with the variable defined. */
  private expandSeq(buf: string, file: string, line: number, col: number): void {
    const close = buf.indexOf(')');
    const params = close >= 0 ? this.defs.substitute(buf.slice(0, close + 1)).text : buf;
    const loop = parseSeq(close >= 0 ? params + buf.slice(close + 1) : buf);
    if ('error' in loop) {
      this.report('GENERAL_ERROR', 'CFG_SEQ_INVALID', loop.error, { file, line, col });
      return;
    }
    const lines = loop.values.map((value) => ({ text: loop.text, file, line, col, define: { name: loop.variable, value } }));
    this.expansions.unshift(...lines);
  }

  /** keepalived: `@ID rest` keeps `rest` only if ID is the config id; `@^ID` only if not. */
  private conditional(buf: string): string | null {
    const reverse = buf[1] === '^';
    const start = reverse ? 2 : 1;
    const m = /[ \t]/.exec(buf.slice(start));
    if (!m) return null;
    const id = buf.slice(start, start + m.index);
    const matches = this.options.configId !== null && id === this.options.configId;
    if (matches === reverse) return null;
    return buf.slice(start + m.index).replace(/^[ \t]+/, '');
  }

  private tryInclude(buf: string): boolean {
    const m = /^(include[rmwba]?)[ \t]+(.*)$/s.exec(buf);
    if (!m) return false;
    const type = INCLUDE_KEYWORDS[m[1] as string] ?? 0;
    const top = this.stack[this.stack.length - 1];
    const base = top ? dirname(top.display) : '.';
    const pattern = resolveFrom(base, (m[2] as string).replace(/^[ \t]+/, ''));
    this.openGlob(pattern, type, this.here(1), false);
    return true;
  }

  /** keepalived open_glob_file() + open_and_check_glob(); pushes the first readable match. */
  private openGlob(pattern: string, type: number, at: SourceLocation | null, isMain: boolean): boolean {
    const res = glob(this.fs, pattern);
    if (res.tooManyAlternatives) {
      this.report('GENERAL_ERROR', 'CFG_BRACE_EXPANSION', `include pattern '${pattern}' expands to more than ${MAX_BRACE_EXPANSIONS} names - skipping`, at);
      return false;
    }
    if (res.paths.length === 0) {
      if (res.missingFiles > 0 || res.missingDirectories > 0) {
        // keepalived 2.2.7 exits 0 from -t when the main file is missing; we report it as fatal.
        this.fileProblem(type, res.hadBraces ? INCLUDE_B : INCLUDE_M, isMain, `Config files missing '${pattern}'.`, at);
      } else if (res.hadWildcards) {
        this.fileProblem(type, INCLUDE_W, isMain, `No config files matched '${pattern}'.`, at);
      }
      return false;
    }
    if (res.missingFiles > 0 || res.missingDirectories > 0) {
      this.fileProblem(type, INCLUDE_B, isMain, `Some config files missing: "${pattern}".`, at);
      if ((type & INCLUDE_B) !== 0) return false;
    }
    return this.pushFirstReadable([...res.paths], type, at, isMain);
  }

  /**
   * keepalived file_config_error(): a problem with an included file is only logged for plain
   * `include`; for the checking variants (and, in tsvrrpd, for the main file) it is an error.
   * keepalived then stops right after reading with exit 6 (main.c had_config_file_error()).
   */
  private fileProblem(type: number, bit: number, isMain: boolean, message: string, at: SourceLocation | null): void {
    if (isMain) this.report('FILE_NOT_FOUND', 'CFG_MAIN_FILE', message, at);
    else if ((type & bit) !== 0) this.report('FILE_NOT_FOUND', 'CFG_INCLUDE_FAILED', message, at);
    else this.report('NOTICE', 'CFG_INCLUDE_SKIPPED', message, at);
  }

  private pushFirstReadable(paths: string[], type: number, at: SourceLocation | null, isMain: boolean): boolean {
    while (paths.length > 0) {
      const path = paths.shift() as string;
      if (path.endsWith('/')) {
        // keepalived 2.2.7 skips a directory given as the main file and exits 0; we make it fatal.
        this.fileProblem(type, INCLUDE_R, isMain, `Configuration file '${path}' is a directory - skipping`, at);
        continue;
      }
      const st = this.fs.stat(path);
      if (!st || st.kind !== 'file' || st.executable) {
        this.fileProblem(type, INCLUDE_R, isMain, `Configuration file '${path}' is not a regular non-executable file - skipping`, at);
        continue;
      }
      const cycle = this.stack.find((f) => f.identity === st.identity);
      if (cycle) {
        // keepalived recurses until it runs out of file descriptors; we stop at the cycle.
        this.report('GENERAL_ERROR', 'CFG_INCLUDE_CYCLE', `include cycle: '${path}' is already being read (included from ${cycle.display})`, at);
        continue;
      }
      if (this.stack.length >= MAX_INCLUDE_DEPTH) {
        this.report('GENERAL_ERROR', 'CFG_INCLUDE_DEPTH', `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels - skipping '${path}'`, at);
        continue;
      }
      const read = this.fs.readFile(path);
      if (!read.ok) {
        this.fileProblem(type, INCLUDE_R, isMain, `Configuration file '${path}' open problem (${read.message}) - skipping`, at);
        continue;
      }
      this.stack.push({
        display: path,
        identity: st.identity,
        lines: splitPhysicalLines(read.text),
        next: 0,
        pending: paths,
        includeType: type,
        includeAt: at,
      });
      return true;
    }
    return false;
  }

  private nextPhysicalLine(): { text: string; file: string; line: number } | null {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) return null;
      if (top.next < top.lines.length) {
        const text = top.lines[top.next] as string;
        top.next++;
        return { text, file: top.display, line: top.next };
      }
      this.stack.pop();
      if (top.pending.length > 0) this.pushFirstReadable(top.pending, top.includeType, top.includeAt, false);
    }
  }
}

/**
 * The rest of a piece cut at a brace, from `start`. Written out rather than `{ ...piece, start }`:
 * V8 clones a spread object on a slow path, and this runs for most lines of a file.
 */
function restOf(piece: PendingPiece, start: number): PendingPiece {
  const rest: Mutable<PendingPiece> = { text: piece.text, start, file: piece.file, line: piece.line, col: piece.col };
  if (piece.depth !== undefined) rest.depth = piece.depth;
  if (piece.define !== undefined) rest.define = piece.define;
  return rest;
}

/** Split file text into lines; a NUL ends a line's text like C's strlen, CR is dropped. */
export function splitPhysicalLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => {
    const nul = l.indexOf('\0');
    const cut = nul >= 0 ? l.slice(0, nul) : l;
    return cut.replace(/\r+$/, '');
  });
}
