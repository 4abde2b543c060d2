/**
 * `vrrp_script NAME { script; interval; timeout; weight [reverse]; rise; fall; user; init_fail }`
 * with keepalived 2.2.7's ranges and messages. keepalived: vrrp_parser.c vrrp_script_handler(),
 * vrrp_vscript_*_handler(), vrrp_vscript_end_handler().
 */
import { block, kw, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft, ScriptDraft } from '../draft';
import { cmdStr, parseScriptLine } from '../script-command';
import { readInt, readUnsigned, requireArg } from '../values';
import { reportScriptLineError } from './notify';
import { defaultScriptUserOk } from './global-defs-scripts';

interface ScriptScope {
  readonly draft: ConfigDraft;
  readonly script: ScriptDraft;
}

type Def = KeywordDef<ScriptScope>;

const MAX_SECONDS = Math.floor(4294967295 / 1_000_000);

function one(name: string, fn: (ctx: KeywordContext, s: ScriptScope, w: Word, args: readonly Word[]) => void): Def {
  return kw(name, (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w) fn(ctx, s, w, args);
  });
}

/** interval/timeout: whole seconds, 0 accepted with a warning and made 1. */
function seconds(name: 'interval' | 'timeout'): Def {
  return one(name, (ctx, { script }, w) => {
    const v = readUnsigned(ctx, w, 0, MAX_SECONDS);
    if (v === null) {
      const msg = name === 'interval'
        ? `(${script.name}): vrrp script interval '${w.text}' must be between 1 and ${MAX_SECONDS} - ignoring`
        : `(${script.name}): vrrp script timeout '${w.text}' invalid - ignoring`;
      ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_TIMER', msg, w);
      return;
    }
    let sec = v;
    if (sec === 0) {
      ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_TIMER_ZERO', `(${script.name}): vrrp script ${name} must be greater than 0, setting to 1`, w);
      sec = 1;
    }
    if (name === 'interval') script.intervalSec = sec;
    else script.timeoutSec = sec;
  });
}

function riseFall(name: 'rise' | 'fall'): Def {
  return one(name, (ctx, { script }, w) => {
    const v = readUnsigned(ctx, w, 1, 2147483647);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_RISE_FALL', `(${script.name}): vrrp script ${name} value '${w.text}' invalid, defaulting to 1`, w);
    }
    script[name] = v ?? 1;
  });
}

const scriptKeywords = table<ScriptScope>(
  kw('script', (ctx, { draft, script }, k, args) => {
    const parsed = parseScriptLine(ctx.lineText());
    if (!parsed.ok) {
      reportScriptLineError(ctx, parsed, args[0] ?? k);
      return;
    }
    script.script = { args: parsed.value.args, text: parsed.value.text, user: null, group: null, at: ctx.at(args[0]) };
    void draft;
  }),
  seconds('interval'),
  seconds('timeout'),
  one('weight', (ctx, { script }, w, args) => {
    const v = readInt(ctx, w, -253, 253);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_WEIGHT', `vrrp_script ${script.name} weight ${w.text} must be in [-253, 253]`, w);
    } else {
      script.weight = v;
    }
    const opt = args[1];
    if (opt !== undefined) {
      if (opt.text === 'reverse') script.weightReverse = true;
      else ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_WEIGHT_OPTION', `vrrp_script ${script.name} unknown weight option ${opt.text}`, opt);
    }
  }),
  riseFall('rise'),
  riseFall('fall'),
  one('user', (ctx, { script }, w, args) => {
    const group = args[1];
    if (!ctx.host.userExists(w.text)) {
      ctx.report('NOTICE', 'CFG_SCRIPT_USER', `Script user '${w.text}' does not exist`, w);
    } else if (group !== undefined && !ctx.host.groupExists(group.text)) {
      ctx.report('NOTICE', 'CFG_SCRIPT_GROUP', `Script group '${group.text}' does not exist`, group);
    } else {
      script.user = w.text;
      script.group = group?.text ?? null;
      script.userSet = true;
      script.remove = false;
      return;
    }
    ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_UID', `Unable to set uid/gid for script ${cmdStr(script.script?.args ?? [])}`, w);
    script.remove = true;
  }),
  kw('init_fail', (_ctx, { script }) => {
    script.initFail = true;
  }),
);

/** keepalived vrrp_vscript_end_handler(): a script without a command is dropped. */
function endScript(ctx: KeywordContext, { draft, script }: ScriptScope): void {
  if (script.script === null || script.script.args.length === 0 || script.script.args[0] === '') {
    ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_MISSING', `No script set for vrrp_script ${script.name} - removing`);
    script.remove = true;
  } else if (!script.remove && !script.userSet && !defaultScriptUserOk(ctx, draft.global)) {
    ctx.report('GENERAL_ERROR', 'CFG_SCRIPT_NO_USER', `Unable to set default user for vrrp script ${script.name} - removing`);
    script.remove = true;
  }
  if (!script.remove && script.script) {
    const cmd = { ...script.script, user: script.user, group: script.group };
    script.script = cmd;
    draft.scriptCommands.push(cmd);
  }
}

export const vrrpScriptBlock = block<ConfigDraft, ScriptScope>(
  'vrrp_script',
  (ctx, draft, k, args) => {
    const nameWord = requireArg(ctx, k, args, 0);
    if (!nameWord) return null;
    const script: ScriptDraft = {
      name: nameWord.text,
      at: ctx.at(nameWord),
      script: null,
      intervalSec: 1,
      timeoutSec: null,
      weight: 0,
      weightReverse: false,
      rise: 1,
      fall: 1,
      user: null,
      group: null,
      userSet: false,
      remove: false,
      initFail: false,
    };
    draft.scripts.push(script);
    return { draft, script };
  },
  scriptKeywords,
  endScript,
);
