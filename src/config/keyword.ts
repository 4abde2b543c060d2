/**
 * The shape of the declarative keyword tables (keepalived's install_keyword(), minus its
 * global `current_vrrp`): each block's table maps a keyword to a handler that receives the
 * scope object of the block it is in, and, for block keywords, how to enter the sub-block.
 * Pure types plus the context handlers report through.
 */
import type { Word } from './lexer';
import type { DiagnosticClass, SourceLocation } from './diagnostics';
import type { HostFacts } from './host-facts';

export interface KeywordContext {
  /** The host the config is checked on (interfaces, users), as keepalived -t consults it. */
  readonly host: HostFacts;
  /** Location of the current line's first word, or of `word` when given. */
  at(word?: Word): SourceLocation;
  report(cls: DiagnosticClass, code: string, message: string, word?: Word): void;
  /** Report under `key` once per run (e.g. "not run" notices). */
  reportOnce(key: string, cls: DiagnosticClass, code: string, message: string, word?: Word): void;
  /**
   * keepalived alloc_value_block(): read the `{ ... }` block that follows a value-block keyword
   * (virtual_ipaddress, unicast_peer...), calling `onLine` with each line's words.
   */
  readValueBlock(keyword: Word, args: readonly Word[], onLine: (words: readonly Word[]) => void): void;
  /** The current line's text, for keywords that re-split it (scripts: quotes and escapes). */
  lineText(): string;
  /** keepalived skip_block(): ignore the rest of the current block (e.g. a bad instance). */
  skipBlock(): void;
}

/** A handler gets the keyword word itself and its arguments (trailing `{` removed). */
export type Handler<S> = (ctx: KeywordContext, scope: S, keyword: Word, args: readonly Word[]) => void;

export interface SubBlock {
  readonly scope: unknown;
  readonly table: KeywordTable<unknown>;
  /** keepalived's sub_close_handler: runs when the block's `}` is read. */
  readonly close?: (ctx: KeywordContext) => void;
}

export interface KeywordDef<S> {
  readonly name: string;
  readonly handle?: Handler<S>;
  /** For block keywords: the scope and table of the block; null means skip the block. */
  readonly enter?: (ctx: KeywordContext, scope: S, keyword: Word, args: readonly Word[]) => SubBlock | null;
}

export type KeywordTable<S> = ReadonlyMap<string, KeywordDef<S>>;

export function table<S>(...defs: readonly KeywordDef<S>[]): KeywordTable<S> {
  const m = new Map<string, KeywordDef<S>>();
  for (const d of defs) m.set(d.name, d);
  return m;
}

/** A block keyword whose scope is created by `open` and whose keywords are in `sub`. */
export function block<S, T>(
  name: string,
  open: (ctx: KeywordContext, scope: S, keyword: Word, args: readonly Word[]) => T | null,
  sub: KeywordTable<T> | (() => KeywordTable<T>),
  close?: (ctx: KeywordContext, inner: T) => void,
): KeywordDef<S> {
  // A table given as a function is built on the first entry and kept (tables are immutable):
  // rebuilt per block, a 1 000-instance file built 1 000 tables of ~90 keywords.
  let built: KeywordTable<T> | null = typeof sub === 'function' ? null : sub;
  return {
    name,
    enter: (ctx, scope, keyword, args) => {
      const inner = open(ctx, scope, keyword, args);
      if (inner === null) return null;
      const t = (built ??= (sub as () => KeywordTable<T>)());
      return {
        scope: inner,
        table: t as KeywordTable<unknown>,
        ...(close ? { close: (c: KeywordContext) => close(c, inner) } : {}),
      };
    },
  };
}

/** A plain keyword. */
export function kw<S>(name: string, handle: Handler<S>): KeywordDef<S> {
  return { name, handle };
}
