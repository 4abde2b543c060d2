/**
 * Shared pieces of the recognised-but-not-implemented global keywords: the `rare()` keyword
 * (check like keepalived, then one "not implemented" notice), error reporting, and the
 * per-parse state for checks that depend on an earlier line ("already specified"). The state
 * lives in a WeakMap keyed by the parse's draft, so nothing leaks between parses and nothing
 * reaches the model. keepalived: core/global_parser.c.
 */
import type { KeywordContext, KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { optionalBool } from '../values';
import { reportNotImplemented } from './common';

export const UINT_MAX = 4294967295;
export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;

/** Values a later line of the same parse is checked against. */
export interface RareState {
  lvsSyncdIf: string | null;
  lvsSyncdInst: string | null;
  nftTable: boolean;
  ipvsNftTable: boolean;
  snmpSocket: string | null;
  vmacPrefix: boolean;
  vmacAddrPrefix: boolean;
  tmpConfigDirectory: boolean;
  rxBufsPolicy: number;
}

const states = new WeakMap<ConfigDraft, RareState>();

export function state(draft: ConfigDraft): RareState {
  let s = states.get(draft);
  if (!s) {
    s = {
      lvsSyncdIf: null,
      lvsSyncdInst: null,
      nftTable: false,
      ipvsNftTable: false,
      snmpSocket: null,
      vmacPrefix: false,
      vmacAddrPrefix: false,
      tmpConfigDirectory: false,
      rxBufsPolicy: 0,
    };
    states.set(draft, s);
  }
  return s;
}

export type Check = (ctx: KeywordContext, draft: ConfigDraft, k: Word, args: readonly Word[]) => void;

/** A keyword checked by `check` (if any) and reported once as not implemented in `where`. */
export function rare(name: string, check?: Check, where = 'global_defs'): KeywordDef<ConfigDraft> {
  return {
    name,
    handle: (ctx, draft, k, args) => {
      reportNotImplemented(ctx, k, where);
      check?.(ctx, draft, k, args);
    },
  };
}

export function err(ctx: KeywordContext, message: string, w?: Word, code = 'CFG_GLOBAL_VALUE'): void {
  ctx.report('GENERAL_ERROR', code, message, w);
}

/** keepalived `<BOOL>` keywords that say "Invalid value '%s' for global NAME specified". */
export function globalBool(name: string): KeywordDef<ConfigDraft> {
  return rare(name, (ctx, _d, _k, args) => {
    optionalBool(ctx, args, (bad) => `Invalid value '${bad}' for global ${name} specified`);
  });
}
