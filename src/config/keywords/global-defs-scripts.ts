/**
 * global_defs keywords about who runs scripts and which global scripts exist: `script_user`,
 * `enable_script_security`, the notify FIFOs (`notify_fifo`, `vrrp_notify_fifo`,
 * `lvs_notify_fifo` and their `*_script`s) and `startup_script`/`shutdown_script`.
 *
 * keepalived decides the default script user once, the first time a script or FIFO needs it
 * (get_default_script_user()), and a failed `script_user` makes every later default fail too;
 * both facts depend on the order of the lines, so they are decided here, while parsing, with the
 * host facts (user and group look-ups) keepalived -t consults. Never runs or stats a script.
 * keepalived: core/global_parser.c script_user_handler(), notify_fifo(), notify_fifo_script(),
 * startup_shutdown_script(); lib/notify.c set_uid_gid(), get_default_script_user(),
 * notify_script_init().
 */
import type { KeywordContext, KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft, GlobalDraft } from '../draft';
import type { NotifyFifo, ScriptCommand } from '../model';
import { parseScriptLine } from '../script-command';
import { readUnsigned } from '../values';
import { reportNotImplemented } from './common';

const WHERE = 'global_defs';

/** keepalived set_uid_gid(): true when the user (and group, if given) exist on this host. */
function userGroupExist(ctx: KeywordContext, user: string, group: string | null, at?: Word): boolean {
  if (!ctx.host.userExists(user)) {
    ctx.report('NOTICE', 'CFG_SCRIPT_USER', `Script user '${user}' does not exist`, at);
    return false;
  }
  if (group !== null && !ctx.host.groupExists(group)) {
    ctx.report('NOTICE', 'CFG_SCRIPT_GROUP', `Script group '${group}' does not exist`, at);
    return false;
  }
  return true;
}

/**
 * keepalived get_default_script_user(): true when scripts without their own user can run.
 * The first call decides: keepalived_script if that user exists, else keepalived's own user;
 * a missing keepalived_script is an error only if `enable_script_security` was already read.
 * Uses the same once-key as notify.ts checkDefaultScriptUser(), so the error appears once.
 */
export function defaultScriptUserOk(ctx: KeywordContext, g: GlobalDraft, at?: Word): boolean {
  if (g.scriptUserFailed) return false;
  if (g.defaultScriptUserSet) return true;
  g.defaultScriptUserSet = true;
  if (!userGroupExist(ctx, 'keepalived_script', null, at) && g.enableScriptSecurity) {
    ctx.reportOnce('default-script-user', 'GENERAL_ERROR', 'CFG_DEFAULT_SCRIPT_USER', 'Unable to set default user keepalived_script for script', at);
    g.scriptUserFailed = true;
    return false;
  }
  return true;
}

/** keepalived script_user_handler() + set_default_script_user(). */
function scriptUser(ctx: KeywordContext, g: GlobalDraft, k: Word, args: readonly Word[]): void {
  const user = args[0];
  if (user === undefined) {
    ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_MISSING', 'No script username specified', k);
    return;
  }
  const group = args[1]?.text ?? null;
  g.defaultScriptUserSet = true;
  if (!userGroupExist(ctx, user.text, group, user)) g.scriptUserFailed = true;
  // keepalived: once setting the default user has failed, every later script_user fails too.
  if (g.scriptUserFailed) {
    ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_USER', 'Error setting global script uid/gid', user);
    return;
  }
  g.scriptUser = { user: user.text, group };
}

/**
 * keepalived notify_script_init(): re-split the line with quotes and escapes, check the user or
 * the default user. Null (with keepalived's log lines as notices) when keepalived drops it.
 */
function scriptInit(ctx: KeywordContext, g: GlobalDraft, k: Word, args: readonly Word[], type: string): ScriptCommand | null {
  const parsed = parseScriptLine(ctx.lineText());
  if (!parsed.ok) {
    if (parsed.reason.includes('missing terminating')) {
      ctx.report('UNMATCHED_QUOTE', 'CFG_UNMATCHED_QUOTE', parsed.reason, k);
    } else {
      ctx.report('NOTICE', 'CFG_SCRIPT_UNPARSABLE', `Unable to parse notify script (${parsed.reason})`, args[0]);
    }
    return null;
  }
  const { user, group } = parsed.value;
  const program = parsed.value.args[0] ?? '';
  if (user !== null) {
    if (!userGroupExist(ctx, user, group, args[1])) {
      ctx.report('NOTICE', 'CFG_SCRIPT_USER', `Invalid user/group for ${type} script ${program} - ignoring`, args[1]);
      return null;
    }
  } else if (!defaultScriptUserOk(ctx, g, args[0])) {
    ctx.report('NOTICE', 'CFG_SCRIPT_USER', `Failed to set default user for ${type} script ${program} - ignoring`, args[0]);
    return null;
  }
  return { args: parsed.value.args, text: parsed.value.text, user, group, at: ctx.at(args[0]) };
}

type FifoKind = '' | 'vrrp_' | 'lvs_';

interface FifoSlot {
  fifo: NotifyFifo | null;
  script: ScriptCommand | null;
}

/** Per-parse state of the FIFOs tsvrrpd keeps only for keepalived's checks. */
const lvsFifos = new WeakMap<ConfigDraft, FifoSlot>();
const fifoScripts = new WeakMap<ConfigDraft, { '': ScriptCommand | null; vrrp_: ScriptCommand | null }>();

function lvsSlot(draft: ConfigDraft): FifoSlot {
  let s = lvsFifos.get(draft);
  if (!s) lvsFifos.set(draft, (s = { fifo: null, script: null }));
  return s;
}

function getFifo(draft: ConfigDraft, kind: FifoKind): NotifyFifo | null {
  if (kind === '') return draft.global.notifyFifo;
  if (kind === 'vrrp_') return draft.global.vrrpNotifyFifo;
  return lvsSlot(draft).fifo;
}

function setFifo(draft: ConfigDraft, kind: FifoKind, fifo: NotifyFifo): void {
  if (kind === '') draft.global.notifyFifo = fifo;
  else if (kind === 'vrrp_') draft.global.vrrpNotifyFifo = fifo;
  else lvsSlot(draft).fifo = fifo;
}

/** keepalived notify_fifo(): `[vrrp_|lvs_]notify_fifo FIFO [user [group]]`. */
function notifyFifo(kind: FifoKind): KeywordDef<ConfigDraft> {
  return {
    name: `${kind}notify_fifo`,
    handle: (ctx, draft, k, args) => {
      const g = draft.global;
      if (kind === 'lvs_') reportNotImplemented(ctx, k, WHERE);
      const name = args[0];
      if (name === undefined) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_MISSING', `No ${kind}notify_fifo name specified`, k);
        return;
      }
      if (getFifo(draft, kind) !== null) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_DUPLICATE', `${kind}notify_fifo already specified - ignoring ${name.text}`, name);
        return;
      }
      const user = args[1]?.text ?? null;
      const group = args[2]?.text ?? null;
      if (user !== null) {
        if (!userGroupExist(ctx, user, group, args[1])) {
          ctx.report('NOTICE', 'CFG_NOTIFY_FIFO_USER', `Invalid user/group for ${kind} fifo ${name.text} - ignoring`, args[1]);
          return;
        }
      } else if (!defaultScriptUserOk(ctx, g, name)) {
        ctx.report('NOTICE', 'CFG_NOTIFY_FIFO_USER', `Failed to set default user for ${kind} fifo ${name.text} - ignoring`, name);
        return;
      }
      setFifo(draft, kind, { path: name.text, user, group });
    },
  };
}

/** keepalived notify_fifo_script(): the reader script keepalived starts on the FIFO. */
function notifyFifoScript(kind: FifoKind): KeywordDef<ConfigDraft> {
  return {
    name: `${kind}notify_fifo_script`,
    handle: (ctx, draft, k, args) => {
      reportNotImplemented(ctx, k, WHERE);
      if (args[0] === undefined) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_MISSING', `No ${kind}notify_fifo_script specified`, k);
        return;
      }
      let scripts = fifoScripts.get(draft);
      if (!scripts) fifoScripts.set(draft, (scripts = { '': null, vrrp_: null }));
      const current = kind === 'lvs_' ? lvsSlot(draft).script : scripts[kind];
      if (current !== null) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_DUPLICATE', `${kind}notify_fifo_script already specified - ignoring ${args[0].text}`, args[0]);
        return;
      }
      const cmd = scriptInit(ctx, draft.global, k, args, `${kind}notify_fifo`);
      if (kind === 'lvs_') {
        lvsSlot(draft).script = cmd;
        return;
      }
      scripts[kind] = cmd;
      // keepalived vrrp.c check_vrrp_script_security() covers notify_fifo and vrrp_notify_fifo scripts.
      if (cmd) draft.scriptCommands.push(cmd);
    },
  };
}

/** keepalived startup_shutdown_script(). */
function startStopScript(type: 'startup' | 'shutdown'): KeywordDef<ConfigDraft> {
  return {
    name: `${type}_script`,
    handle: (ctx, draft, k, args) => {
      reportNotImplemented(ctx, k, WHERE);
      const g = draft.global;
      const current = type === 'startup' ? g.startupScript : g.shutdownScript;
      if (current !== null) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_DUPLICATE', `${type} script already specified`, k);
        return;
      }
      if (args[0] === undefined) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_MISSING', `${type} script missing`, k);
        return;
      }
      const cmd = scriptInit(ctx, g, k, args, type);
      if (cmd === null) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_VALUE', `Invalid ${type} script`, args[0]);
        return;
      }
      if (type === 'startup') g.startupScript = cmd;
      else g.shutdownScript = cmd;
    },
  };
}

/** keepalived startup_shutdown_script_timeout_handler(): 1..1000 seconds. */
function startStopTimeout(type: 'startup' | 'shutdown'): KeywordDef<ConfigDraft> {
  return {
    name: `${type}_script_timeout`,
    handle: (ctx, _draft, k, args) => {
      reportNotImplemented(ctx, k, WHERE);
      const w = args[0];
      if (w === undefined) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_MISSING', `${type}_script_timeout requires value`, k);
        return;
      }
      if (readUnsigned(ctx, w, 1, 1000) === null) {
        ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_VALUE', `${type}_script_timeout '${w.text}' must be in [1, 1000] - ignoring`, w);
      }
    },
  };
}

export const globalScriptKeywords: readonly KeywordDef<ConfigDraft>[] = [
  { name: 'script_user', handle: (ctx, draft, k, args) => scriptUser(ctx, draft.global, k, args) },
  {
    name: 'enable_script_security',
    handle: (_ctx, draft) => {
      draft.global.enableScriptSecurity = true;
    },
  },
  notifyFifo(''),
  notifyFifo('vrrp_'),
  notifyFifo('lvs_'),
  notifyFifoScript(''),
  notifyFifoScript('vrrp_'),
  notifyFifoScript('lvs_'),
  startStopScript('startup'),
  startStopScript('shutdown'),
  startStopTimeout('startup'),
  startStopTimeout('shutdown'),
];
