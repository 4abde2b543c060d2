/**
 * Notify-script keywords (`notify_master`, `notify`, ...) for instances and sync groups: the
 * line is re-split with quotes and escapes, the optional user/group checked, and the command
 * recorded for script-security checks. keepalived: notify.c notify_script_init().
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import type { ScriptCommand } from '../model';
import { parseScriptLine } from '../script-command';
import type { ScriptLineError } from '../script-command';
import { requireArg } from '../values';
import { defaultScriptUserOk } from './global-defs-scripts';

/**
 * keepalived re-splits a script line itself: an unterminated quote there is an error
 * (UNMATCHED_QUOTE), a missing command only a log line; neither stops the parse.
 */
export function reportScriptLineError(ctx: KeywordContext, e: ScriptLineError, at: Word): void {
  if (e.unmatchedQuote) ctx.report('UNMATCHED_QUOTE', 'CFG_UNMATCHED_QUOTE', e.reason, at);
  else ctx.report('NOTICE', 'CFG_SCRIPT_UNPARSABLE', `Unable to parse script - ignoring (${e.reason})`, at);
}


/**
 * keepalived notify_script_init(): split a script keyword's line and check its user; null
 * (logged, keepalived ignores the script) when unusable. Shared by VRRP and checker scripts.
 */
export function readScriptCommand(
  ctx: KeywordContext,
  draft: ConfigDraft,
  keyword: Word,
  args: readonly Word[],
  type = 'notify',
): ScriptCommand | null {
  const parsed = parseScriptLine(ctx.lineText());
  if (!parsed.ok) {
    // keepalived names the missing command in its log line via strvec_slot(), which exits 2.
    if (!parsed.unmatchedQuote && args.length === 0) requireArg(ctx, keyword, args, 0);
    else reportScriptLineError(ctx, parsed, keyword);
    return null;
  }
  const { user, group } = parsed.value;
  if (user !== null) {
    if (!ctx.host.userExists(user)) {
      ctx.report('NOTICE', 'CFG_SCRIPT_USER', `Script user '${user}' does not exist`, args[1]);
      ctx.report('NOTICE', 'CFG_SCRIPT_USER', `Invalid user/group for ${type} script ${parsed.value.args[0] ?? ''} - ignoring`, args[1]);
      return null;
    }
    if (group !== null && !ctx.host.groupExists(group)) {
      ctx.report('NOTICE', 'CFG_SCRIPT_GROUP', `Script group '${group}' does not exist`, args[2]);
      return null;
    }
  } else if (!defaultScriptUserOk(ctx, draft.global, keyword)) {
    ctx.report('NOTICE', 'CFG_SCRIPT_NO_USER', `Failed to set default user for ${type} script ${parsed.value.args[0] ?? ''} - ignoring`, keyword);
    return null;
  }
  return { args: parsed.value.args, text: parsed.value.text, user, group, at: ctx.at(args[0]) };
}

/** A VRRP notify script: read, then recorded for the script-security verdict. */
export function parseNotifyScript(ctx: KeywordContext, draft: ConfigDraft, keyword: Word, args: readonly Word[], type = 'notify'): ScriptCommand | null {
  const cmd = readScriptCommand(ctx, draft, keyword, args, type);
  if (cmd) draft.scriptCommands.push(cmd);
  return cmd;
}
