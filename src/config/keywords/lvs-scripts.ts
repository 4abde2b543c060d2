/**
 * Scripts of the checker sections (notify_up/down, quorum_up/down, MISC_CHECK misc_path):
 * split like keepalived does, users checked, and kept for the checker's own script-security
 * verdict. They are never added to draft.scriptCommands: keepalived judges them in its checker
 * process, with its own message. keepalived: notify.c notify_script_init(), cmd_str().
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { splitQuotedEscaped } from '../script-command';
export { cmdStr } from '../script-command';
import { readScriptCommand, reportScriptLineError } from './notify';
import { defaultScriptUserOk } from './global-defs-scripts';
import type { CheckScript } from './lvs-state';

/** A word standing for the current line as a whole (for messages keepalived puts there). */
export function lineWord(ctx: KeywordContext): Word {
  const at = ctx.at();
  return { text: '', col: 0, file: at.file, line: at.line };
}

/** keepalived get_default_script_user() failing (reported once, shared with VRRP scripts). */
export function defaultScriptUserFails(ctx: KeywordContext, draft: ConfigDraft, at: Word): boolean {
  return !defaultScriptUserOk(ctx, draft.global, at);
}


/** keepalived notify_script_init() for the checker: null when the script is dropped (logged). */
export function readCheckNotify(ctx: KeywordContext, draft: ConfigDraft, keyword: Word, args: readonly Word[], type: string): CheckScript | null {
  return readScriptCommand(ctx, draft, keyword, args, type);
}

/** keepalived misc_path: the line re-split with quotes and escapes, then its second word. */
export function readMiscPath(ctx: KeywordContext, keyword: Word): string[] | null {
  const line = splitQuotedEscaped(ctx.lineText());
  if (!line.ok) {
    // keepalived 2.2.7 crashes after reporting an open quote here; we report and go on.
    reportScriptLineError(ctx, line, keyword);
    return null;
  }
  const cmd = line.words[1];
  if (cmd === undefined) return null;
  const inner = splitQuotedEscaped(cmd);
  if (!inner.ok || inner.words.length === 0) return null;
  return inner.words;
}
