/**
 * VRRP-process root sections tsvrrpd recognises and checks like keepalived but does not act
 * on: vrrp_track_process, garp_group, linkbeat_interfaces, interface_up_down_delays and
 * track_group. Each reports "not implemented" once. keepalived: vrrp_parser.c
 * vrrp_tprocess_*_handler(), garp_group_*_handler(), alloc_linkbeat_interface(),
 * alloc_if_up_down_delay(), static_track_group_*_handler().
 */
import { block, kw, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { TIMER_PLACES, readDecimal, readInt, readTimerUs, readUnsigned, requireArg } from '../values';

import { reportNotImplemented } from './common';
import { checkInterface } from './interfaces';
import { lvsState } from './lvs-state';

const WHERE = 'top level';
const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;

function interfaceKnown(ctx: KeywordContext, draft: ConfigDraft, name: string): boolean {
  return ctx.host.interface(name) !== null || draft.global.dynamicInterfaces;
}

/* ---- vrrp_track_process ---------------------------------------------------------------- */

interface ProcessScope {
  readonly name: string;
  process: boolean;
  weight: number;
  quorum: number;
  quorumMax: number;
}

function processDelay(name: string, prefix: string): KeywordDef<ProcessScope> {
  return kw<ProcessScope>(name, (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w !== null && readDecimal(ctx, w, 1, 3600 * 1_000_000, TIMER_PLACES, true) === null) {
      ctx.report(
        'GENERAL_ERROR',
        'CFG_TRACK_PROCESS',
        `${prefix}delay (${w.text}) for vrrp_track_process ${s.name} must be between [0.000001..3600] inclusive. Ignoring...`,
        w,
      );
    }
  });
}

const processTable = table<ProcessScope>(
  kw('process', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    if (s.process) ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `Process already set for track process ${s.name} - ignoring ${w.text}`, w);
    s.process = true;
  }),
  kw('param_match', (ctx, _s, _k, args) => {
    const w = args[0];
    if (w !== undefined && w.text !== 'initial' && w.text !== 'partial')
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `Invalid param_match type ${w.text} - ignoring`, w);
  }),
  kw('weight', (ctx, s, k, args) => {
    const w = args[0];
    if (w === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `No weight specified for track process ${s.name} - ignoring`, k);
      return;
    }
    if (s.weight !== 0) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `Weight already set for track process ${s.name} - ignoring ${w.text}`, w);
      return;
    }
    const v = readInt(ctx, w, -254, 254);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `Weight (${w.text}) for vrrp_track_process ${s.name} must be between [-254..254] inclusive. Ignoring...`, w);
      return;
    }
    const opt = args[1];
    if (opt !== undefined && opt.text !== 'reverse')
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `vrrp_track_process ${s.name} unknown weight option ${opt.text}`, opt);
    s.weight = v;
  }),
  kw('quorum', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = readUnsigned(ctx, w, 1, 65535);
    if (v === null)
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `Quorum (${w.text}) for vrrp_track_process ${s.name} must be between [1..65535] inclusive. Ignoring...`, w);
    else if (v > s.quorumMax) ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', 'Quorum is greater than quorum_max - ignoring', w);
    else s.quorum = v;
  }),
  kw('quorum_max', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = readUnsigned(ctx, w, 0, 65535);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `quorum_max (${w.text}) for vrrp_track_process ${s.name} must be between [0..65535] inclusive. Ignoring...`, w);
      return;
    }
    if ((v !== 0 || s.quorum > 1) && v < s.quorum) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', 'quorum_max is less than quorum - ignoring', w);
      return;
    }
    s.quorumMax = v;
    if (v === 0) s.quorum = 0;
    else if (s.quorum === 0) s.quorum = 1;
  }),
  processDelay('delay', ''),
  processDelay('terminate_delay', 'terminate_'),
  processDelay('fork_delay', 'fork_'),
  kw('full_command', () => undefined),
);

const trackProcessBlock = block<ConfigDraft, ProcessScope>(
  'vrrp_track_process',
  (ctx, _d, k, args) => {
    reportNotImplemented(ctx, k, WHERE);
    const w = requireArg(ctx, k, args, 0);
    return w === null ? null : { name: w.text, process: false, weight: 0, quorum: 1, quorumMax: UINT_MAX };
  },
  processTable,
  (ctx, s) => {
    if (!s.process) ctx.report('GENERAL_ERROR', 'CFG_TRACK_PROCESS', `track process '${s.name}' process name not specified`);
  },
);

/* ---- garp_group ------------------------------------------------------------------------ */

interface GarpScope {
  readonly draft: ConfigDraft;
  readonly group: { aggregation: number };
  readonly interfaces: string[];
  haveDelay: boolean;
}

function garpInterval(name: 'garp_interval' | 'gna_interval'): KeywordDef<GarpScope> {
  return kw<GarpScope>(name, (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = readDecimal(ctx, w, 0, INT_MAX, TIMER_PLACES, true);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_GARP_GROUP', `garp_group ${name} '${w.text}' invalid`, w);
      return;
    }
    s.haveDelay = true;
    if (v >= 1_000_000) ctx.report('NOTICE', 'CFG_GARP_GROUP', `The ${name} is very large - ${w.text} seconds`, w);
  });
}

/**
 * keepalived garp_group_interface(s)_handler(): attach an interface unless it is unknown or
 * already in a group. `shown` is the name keepalived prints for a duplicate (null: it stops on
 * a missing parameter instead, reported by the caller).
 */
function garpAttach(ctx: KeywordContext, s: GarpScope, w: Word, shown: () => string | null): void {
  const lvs = lvsState(s.draft);
  // keepalived if_get_by_ifname(IF_CREATE_IF_DYNAMIC): also "Non-existent interface" later.
  if (!checkInterface(ctx, s.draft, w, `WARNING - interface ${w.text} specified for garp_group doesn't exist`)) return;
  if (lvs.garpInterfaces.has(w.text)) {
    const text = shown();
    if (text !== null) ctx.report('GENERAL_ERROR', 'CFG_GARP_GROUP', `garp_group already specified for ${text} - ignoring`, w);
    return;
  }
  lvs.garpInterfaces.add(w.text);
  s.interfaces.push(w.text);
}

const garpTable = table<GarpScope>(
  garpInterval('garp_interval'),
  garpInterval('gna_interval'),
  kw('interface', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w !== null) garpAttach(ctx, s, w, () => w.text);
  }),
  kw('interfaces', (ctx, s, k, args) => {
    // keepalived reads the whole block, then checks the names and reports at the block's
    // closing brace; here each message goes on the line of the name it is about.
    const names: Word[] = [];
    ctx.readValueBlock(k, args, (words) => names.push(...words));
    const first = names[0];
    if (first === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_GARP_GROUP', 'Warning - empty garp_group interfaces block', k);
      return;
    }
    const groups = lvsState(s.draft).garpGroups;
    s.group.aggregation = groups.filter((g) => g !== s.group && g.aggregation !== 0).length + 1;
    for (const w of names) {
      // keepalived prints the block's second name for any duplicate, and stops when there is none.
      garpAttach(ctx, s, w, () => {
        const second = names[1];
        if (second !== undefined) return second.text;
        requireArg(ctx, first, [], 0);
        return null;
      });
    }
  }),
);

const garpGroupBlock = block<ConfigDraft, GarpScope>(
  'garp_group',
  (ctx, draft, k) => {
    reportNotImplemented(ctx, k, WHERE);
    const group = { aggregation: 0 };
    lvsState(draft).garpGroups.push(group);
    return { draft, group, interfaces: [], haveDelay: false };
  },
  garpTable,
  (ctx, s) => {
    if (s.haveDelay) return;
    ctx.report('GENERAL_ERROR', 'CFG_GARP_GROUP', `garp group ${s.group.aggregation} does not have any delay set - removing`);
    const lvs = lvsState(s.draft);
    for (const i of s.interfaces) lvs.garpInterfaces.delete(i);
    lvs.garpGroups.splice(lvs.garpGroups.indexOf(s.group), 1);
  },
);

/* ---- linkbeat_interfaces, interface_up_down_delays ------------------------------------ */

const LINKBEAT_TYPES = ['MII', 'ETHTOOL', 'IOCTL'];

const linkbeatInterfaces = kw<ConfigDraft>('linkbeat_interfaces', (ctx, draft, k, args) => {
  reportNotImplemented(ctx, k, WHERE);
  ctx.readValueBlock(k, args, (words) => {
    const ifw = words[0] as Word;
    if (!interfaceKnown(ctx, draft, ifw.text)) {
      ctx.report('FATAL', 'CFG_LINKBEAT_INTERFACE', `unknown interface ${ifw.text} specified for linkbeat interface`, ifw);
      return;
    }
    const t = words[1];
    if (t !== undefined && (!LINKBEAT_TYPES.includes(t.text) || words.length > 2))
      ctx.report('GENERAL_ERROR', 'CFG_LINKBEAT_INTERFACE', `extra characters ${t.text} in linkbeat interface`, t);
  });
});

const upDownDelays = kw<ConfigDraft>('interface_up_down_delays', (ctx, draft, k, args) => {
  reportNotImplemented(ctx, k, WHERE);
  ctx.readValueBlock(k, args, (words) => {
    const ifw = words[0] as Word;
    if (!interfaceKnown(ctx, draft, ifw.text)) {
      ctx.report('FATAL', 'CFG_UP_DOWN_DELAY', `unknown interface ${ifw.text} specified for up/down delay`, ifw);
      return;
    }
    const [, down, up] = words;
    if (down === undefined) {
      ctx.report('NOTICE', 'CFG_UP_DOWN_DELAY', `No timeouts specified for ${ifw.text} up/down delays`, ifw);
      return;
    }
    if (words.length > 3) ctx.report('NOTICE', 'CFG_UP_DOWN_DELAY', `Too many parameters for ${ifw.text} up/down delays`, ifw);
    if (readTimerUs(ctx, down, 0, 255_000_000) === null) {
      ctx.report('NOTICE', 'CFG_UP_DOWN_DELAY', `Invalid down delay ${down.text} for ${ifw.text}`, down);
      return;
    }
    if (up !== undefined && readTimerUs(ctx, up, 0, 255_000_000) === null)
      ctx.report('NOTICE', 'CFG_UP_DOWN_DELAY', `Invalid up delay ${up.text} for ${ifw.text}`, up);
  });
});

/* ---- track_group ----------------------------------------------------------------------- */

interface TrackGroupScope {
  readonly name: string;
  haveGroup: boolean;
}

const trackGroupBlock = block<ConfigDraft, TrackGroupScope>(
  'track_group',
  (ctx, draft, k, args) => {
    reportNotImplemented(ctx, k, WHERE);
    const w = args[0];
    if (args.length !== 1 || w === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_GROUP', 'track_group must have a name - skipping', k);
      return null;
    }
    const groups = lvsState(draft).trackGroups;
    if (groups.includes(w.text)) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_GROUP', `track_group ${w.text} already defined`, w);
      return null;
    }
    groups.push(w.text);
    return { name: w.text, haveGroup: false };
  },
  table<TrackGroupScope>(
    kw('group', (ctx, s, k, args) => {
      if (s.haveGroup) {
        // keepalived's wording (it shares the sync group code).
        ctx.report('GENERAL_ERROR', 'CFG_TRACK_GROUP', `Group list already specified for sync group ${s.name}`, k);
        ctx.skipBlock();
        return;
      }
      let n = 0;
      ctx.readValueBlock(k, args, (words) => {
        n += words.length;
      });
      if (n > 0) s.haveGroup = true;
      else ctx.report('GENERAL_ERROR', 'CFG_TRACK_GROUP', `Warning - track group ${s.name} has empty group block`, k);
    }),
  ),
);

export const otherRootKeywords: readonly KeywordDef<ConfigDraft>[] = [
  trackProcessBlock,
  garpGroupBlock,
  linkbeatInterfaces,
  upDownDelays,
  trackGroupBlock,
];
