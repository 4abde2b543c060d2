/**
 * MISC_CHECK: the script, its timeout and user. Scripts that survive are kept for the
 * checker's script-security verdict (lvs-validate.ts). Never run by tsvrrpd.
 * keepalived: check_misc.c install_misc_check_keyword(), misc_end_handler().
 */
import { block, kw, table } from '../keyword';
import type { Word } from '../lexer';
import { readUnsigned, requireArg } from '../values';
import { commonKeywords, type CheckerBase } from './checkers-common';
import { cmdStr, defaultScriptUserFails, lineWord, readMiscPath } from './lvs-scripts';
import type { RsScope } from './lvs-real-server-scope';
import type { SourceLocation } from '../diagnostics';

interface MiscScope extends CheckerBase {
  readonly at: SourceLocation;
  script: string[] | null;
  scriptAt: SourceLocation | null;
  user: string | null;
  group: string | null;
  userSet: boolean;
  /** keepalived dropped the checker (bad user): its own keywords are ignored from then on. */
  removed: boolean;
}

/** keepalived UINT_MAX / TIMER_HZ: the longest misc_timeout in seconds. */
const MISC_TIMEOUT_MAX = 4294;

const miscTable = table<MiscScope>(
  ...commonKeywords<MiscScope>(false),
  kw('misc_path', (ctx, s, k, args) => {
    if (s.removed) return;
    const script = readMiscPath(ctx, k);
    if (script === null) return;
    s.script = script;
    s.scriptAt = ctx.at(args[0]);
  }),
  kw('misc_timeout', (ctx, s, k, args) => {
    if (s.removed) return;
    const w = requireArg(ctx, k, args, 0);
    if (w !== null && readUnsigned(ctx, w, 0, MISC_TIMEOUT_MAX) === null) {
      ctx.report('GENERAL_ERROR', 'CFG_LVS_VALUE', `Invalid misc_timeout value '${w.text}'`, w);
    }
  }),
  kw('misc_dynamic', () => undefined),
  kw('user', (ctx, s, k, args) => {
    if (s.removed) return;
    if (args.length === 0) {
      ctx.report('GENERAL_ERROR', 'CFG_MISC_USER', `No user specified for misc checker script ${cmdStr(s.script ?? [])}`, k);
      return;
    }
    const user = args[0] as Word;
    const group = args[1] ?? null;
    const ok = ctx.host.userExists(user.text) && (group === null || ctx.host.groupExists(group.text));
    if (!ok) {
      ctx.report('NOTICE', 'CFG_SCRIPT_USER', `Script user '${user.text}' or group does not exist`, user);
      ctx.report('GENERAL_ERROR', 'CFG_MISC_USER', `Failed to set uid/gid for misc checker script ${cmdStr(s.script ?? [])} - removing`, k);
      s.removed = true;
      return;
    }
    s.user = user.text;
    s.group = group?.text ?? null;
    s.userSet = true;
  }),
);

export const miscCheck = block<RsScope, MiscScope>(
  'MISC_CHECK',
  (ctx, s, k) => ({
    draft: s.draft,
    vs: s.vs,
    rs: s.rs,
    co: null,
    at: ctx.at(k),
    script: null,
    scriptAt: null,
    user: null,
    group: null,
    userSet: false,
    removed: false,
  }),
  miscTable,
  (ctx, c) => {
    if (c.removed) return;
    if (c.script === null) {
      ctx.report('GENERAL_ERROR', 'CFG_MISC_NO_PATH', 'No script path has been specified for MISC_CHECKER - skipping');
      return;
    }
    if (!c.userSet && defaultScriptUserFails(ctx, c.draft, lineWord(ctx))) {
      ctx.report('GENERAL_ERROR', 'CFG_MISC_USER', `Unable to set default user for misc script ${cmdStr(c.script)} - removing`);
      return;
    }
    c.rs.miscScripts.push({ args: c.script, user: c.user, group: c.group, at: c.scriptAt ?? c.at });
  },
);
