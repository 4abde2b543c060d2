/**
 * Keyword-table helpers shared by every block: keywords tsvrrpd recognises but does not act on
 * ("accepted but not implemented", reported once per keyword), and whole sections it parses but
 * does not run (LVS, checkers, BFD: "not run", reported once per section keyword).
 */
import type { KeywordContext, KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';

/** Report once that `keyword` is accepted but tsvrrpd does not act on it. */
export function reportNotImplemented(ctx: KeywordContext, keyword: Word, where: string): void {
  ctx.reportOnce(
    `not-implemented:${where}:${keyword.text}`,
    'NOTICE',
    'CFG_NOT_IMPLEMENTED',
    `'${keyword.text}' (${where}) is accepted but not implemented by tsvrrpd - ignored`,
    keyword,
  );
}

/**
 * A keyword recognised in block `where` but not acted on. If `valueBlock` is set, the `{ }`
 * block that follows it is read and discarded like keepalived's value blocks.
 */
export function notImplemented<S>(name: string, where: string, opts: { valueBlock?: boolean } = {}): KeywordDef<S> {
  return {
    name,
    handle: (ctx, _scope, keyword, args) => {
      reportNotImplemented(ctx, keyword, where);
      if (opts.valueBlock) ctx.readValueBlock(keyword, args, () => undefined);
    },
  };
}

export const NOT_RUN_MESSAGE = 'not run: tsvrrpd runs the VRRP subsystem only (like keepalived -P)';

/** Record a section that is parsed and checked but never run, with one notice per keyword. */
export function recordNotRun(ctx: KeywordContext, draft: ConfigDraft, keyword: Word): void {
  draft.notRun.push({ keyword: keyword.text, at: ctx.at(keyword) });
  ctx.reportOnce(`not-run:${keyword.text}`, 'NOTICE', 'CFG_NOT_RUN', `'${keyword.text}' ${NOT_RUN_MESSAGE}`, keyword);
}
