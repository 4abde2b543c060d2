/**
 * Walks the logical lines against the keyword tables the way keepalived's process_stream()
 * does, so that a stray brace or unknown keyword is reported on the same line and recovered
 * from the same way: `{`/`}` bookkeeping, "Unknown keyword", "Missing '{'", value blocks
 * (alloc_value_block()) and skipped blocks (skip_block()). Pure: lines come from LineReader.
 */
import type { Word } from './lexer';
import type { LogicalLine } from './reader';
import type { DiagnosticClass, DiagnosticSink, SourceLocation } from './diagnostics';
import type { KeywordContext, KeywordTable } from './keyword';
import type { HostFacts } from './host-facts';

/** Where lines come from: the LineReader, or a recorded block being replayed. */
export interface LineSource {
  next(): LogicalLine | null;
  readonly location: SourceLocation | null;
}

/**
 * Records what a source hands out, so a block can be replayed (see replayAsTopLevel). It
 * records only once begun, from the block's first line, when that line turns out not to be
 * its `{`: almost every block has one, and recording them all cost a large file ~3 MB.
 */
class RecordingSource implements LineSource {
  lines: LogicalLine[] | null = null;
  constructor(readonly inner: LineSource) {}
  begin(first: LogicalLine): void {
    this.lines = [first];
  }
  next(): LogicalLine | null {
    const l = this.inner.next();
    if (l) this.lines?.push(l);
    return l;
  }
  get location(): SourceLocation | null {
    return this.inner.location;
  }
}

class ReplaySource implements LineSource {
  private i = 0;
  constructor(private readonly lines: readonly LogicalLine[]) {}
  next(): LogicalLine | null {
    return this.lines[this.i++] ?? null;
  }
  get location(): SourceLocation | null {
    const l = this.lines[this.i - 1];
    return l ? { file: l.file, line: l.line, col: 0 } : null;
  }
}

/** Nesting deeper than this is refused (keepalived would recurse until it crashes). */
export const MAX_BLOCK_DEPTH = 128;

class StreamContext implements KeywordContext {
  current: LogicalLine | null = null;
  skipRequested = false;

  constructor(
    /** Where lines come from; swapped while a block is being recorded for replay. */
    public source: LineSource,
    private readonly sink: DiagnosticSink,
    readonly host: HostFacts,
  ) {}

  at(word?: Word): SourceLocation {
    if (word) return { file: word.file, line: word.line, col: word.col };
    const line = this.current;
    if (!line) return this.source.location ?? { file: '', line: 0, col: 0 };
    return { file: line.file, line: line.line, col: line.words[0]?.col ?? 0 };
  }

  report(cls: DiagnosticClass, code: string, message: string, word?: Word): void {
    this.sink.report(cls, code, message, this.at(word));
  }

  reportOnce(key: string, cls: DiagnosticClass, code: string, message: string, word?: Word): void {
    this.sink.reportOnce(key, cls, code, message, this.at(word));
  }

  lineText(): string {
    return this.current?.text ?? '';
  }

  skipBlock(): void {
    this.skipRequested = true;
  }

  readValueBlock(keyword: Word, args: readonly Word[], onLine: (words: readonly Word[]) => void): void {
    const saved = this.current;
    let needBob = true;
    if (args.length > 0) {
      if (args[0]?.text === '{') {
        needBob = false;
        const inline = args.slice(1);
        const closes = inline.length > 0 && inline[inline.length - 1]?.text === '}';
        const body = closes ? inline.slice(0, -1) : inline;
        if (body.length > 0) onLine(body);
        if (closes) return;
      } else {
        this.report('GENERAL_ERROR', 'CFG_BLOCK_EXTRA_PARAMS', `Block ${keyword.text} has extra parameters ${args[0]?.text ?? ''} ...`, args[0]);
      }
    }
    for (;;) {
      const line = this.source.next();
      if (!line) break;
      this.current = line;
      let words = line.words;
      if (needBob) {
        needBob = false;
        if (words[0]?.text === '{') {
          if (words.length === 1) continue;
          words = words.slice(1);
        } else {
          // keepalived only logs this (log_message), so it does not change the verdict.
          this.report('NOTICE', 'CFG_VALUE_BLOCK_NO_BOB', `'{' missing from beginning of block ${keyword.text}`);
        }
      }
      const last = words[words.length - 1];
      if (last?.text === '}') {
        if (words.length > 1) onLine(words.slice(0, -1));
        break;
      }
      onLine(words);
    }
    // Like keepalived, what is reported after the block refers to its last line (the `}`).
    void saved;
  }
}

export function parseStream<S>(
  reader: LineSource,
  sink: DiagnosticSink,
  host: HostFacts,
  root: KeywordTable<S>,
  scope: S,
  scratchScope?: () => S,
): void {
  const ctx = new StreamContext(reader, sink, host);
  const replay = scratchScope ? (lines: readonly LogicalLine[]) => replayAsTopLevel(lines, sink, host, root, scratchScope()) : null;
  processStream(ctx, root as KeywordTable<unknown>, scope, 0, false, replay);
}

/**
 * keepalived reads the file once per subsystem (global, VRRP, checker, BFD) and in each pass
 * the other subsystems' block keywords are inactive. An inactive block keyword not followed by
 * `{` does not skip its block: those lines are read as top-level keywords in that pass. We
 * reproduce those diagnostics by replaying the block's lines at top level against a scratch
 * draft. keepalived: lib/parser.c process_stream() (skip_sublevel == -1).
 */
function replayAsTopLevel<S>(lines: readonly LogicalLine[], sink: DiagnosticSink, host: HostFacts, root: KeywordTable<S>, scratch: S): void {
  const source = new ReplaySource(lines);
  const ctx = new StreamContext(source, sink, host);
  processStream(ctx, root as KeywordTable<unknown>, scratch, 0, false, null);
}

/** Skip a block keepalived-style: returns when the block's closing `}` has been read. */
function skipBlock(ctx: StreamContext, needBlockStart: boolean): void {
  let depth = needBlockStart ? -1 : 1;
  for (;;) {
    const line = ctx.source.next();
    if (!line) return;
    ctx.current = line;
    if (depth === -1) {
      if (line.words[0]?.text === '{') {
        depth = 1;
        continue;
      }
      // The skipped keyword had no block after all; this line is a normal one.
      return;
    }
    for (const w of line.words) {
      if (w.text === '{') depth++;
      else if (w.text === '}' && --depth === 0) return;
    }
  }
}

/** keepalived process_stream(). Returns when the block's `}` (or the end of input) is read. */
function processStream(
  ctx: StreamContext,
  tbl: KeywordTable<unknown>,
  scope: unknown,
  level: number,
  needBob: boolean,
  replay: ((lines: readonly LogicalLine[]) => void) | null,
): boolean {
  let missingBob = false;
  for (;;) {
    const line = ctx.source.next();
    if (!line) return missingBob;
    ctx.current = line;
    const first = line.words[0] as Word;
    if (needBob) {
      needBob = false;
      if (first.text === '{' && level > 0) continue;
      ctx.report('MISSING_BOB', 'CFG_MISSING_BOB', "Missing '{' at beginning of configuration block");
      missingBob = true;
      if (level === 1 && ctx.source instanceof RecordingSource) ctx.source.begin(line);
    } else if (first.text === '{') {
      ctx.report('UNEXPECTED_BOB', 'CFG_UNEXPECTED_BOB', "Unexpected '{' - ignoring");
      continue;
    }
    if (first.text === '}' && level > 0) return missingBob;
    const def = tbl.get(first.text);
    if (!def) {
      ctx.report('UNKNOWN_KEYWORD', 'CFG_UNKNOWN_KEYWORD', `Unknown keyword '${first.text}'`, first);
      continue;
    }
    let args = line.words.slice(1);
    let subNeedsBob = false;
    if (def.enter) {
      if (args[args.length - 1]?.text === '{') args = args.slice(0, -1);
      else subNeedsBob = true;
    }
    ctx.skipRequested = false;
    def.handle?.(ctx, scope, first, args);
    if (!def.enter) {
      if (ctx.skipRequested) skipBlock(ctx, true);
      continue;
    }
    const sub = ctx.skipRequested ? null : def.enter(ctx, scope, first, args);
    if (sub === null || ctx.skipRequested) {
      skipBlock(ctx, subNeedsBob);
      continue;
    }
    if (level + 1 >= MAX_BLOCK_DEPTH) {
      ctx.report('GENERAL_ERROR', 'CFG_TOO_DEEP', `blocks nested deeper than ${MAX_BLOCK_DEPTH} levels - skipping`, first);
      skipBlock(ctx, subNeedsBob);
      continue;
    }
    if (level === 0 && subNeedsBob && replay) {
      const recording = new RecordingSource(ctx.source);
      ctx.source = recording;
      const noBrace = processStream(ctx, sub.table, sub.scope, level + 1, subNeedsBob, null);
      ctx.source = recording.inner;
      sub.close?.(ctx);
      if (noBrace) replay(recording.lines ?? []);
      continue;
    }
    processStream(ctx, sub.table, sub.scope, level + 1, subNeedsBob, null);
    sub.close?.(ctx);
  }
}
