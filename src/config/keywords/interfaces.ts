/**
 * Interface look-ups made while parsing, as keepalived's if_get_by_ifname() does: a name that
 * does not exist on this host is reported on its line and remembered, so validation can add
 * keepalived's "Non-existent interface specified in configuration" (exit 4).
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';

/** keepalived IFNAMSIZ - 1. */
export const MAX_IFNAME_LEN = 15;

/** True if `name` exists; otherwise reports `message` and records the missing interface. */
export function checkInterface(ctx: KeywordContext, draft: ConfigDraft, word: Word, message: string): boolean {
  if (ctx.host.interface(word.text)) return true;
  if (draft.global.dynamicInterfaces) return true;
  ctx.report('GENERAL_ERROR', 'CFG_NO_SUCH_INTERFACE', message, word);
  draft.missingInterfaces.push({ name: word.text, at: ctx.at(word) });
  return false;
}
