/**
 * `bfd_instance NAME { ... }`: keepalived reads it three times (BFD, checker and VRRP
 * processes), each with its own checks; the union of their messages is reported once each.
 * The BFD session itself is not run by tsvrrpd. keepalived: bfd_parser.c init_bfd_keywords(),
 * bfd_handler(), bfd_end_handler(), bfd_checker_handler(), bfd_vrrp_handler();
 * bfd_data.c alloc_bfd(), find_bfd_by_addr(); vrrp_track.c alloc_vrrp_tracked_bfd().
 */
import { block, kw, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { readDecimal, readInt, readUnsigned, requireArg } from '../values';

import { recordNotRun } from './common';
import { formatIp, stosockaddr, type Sockaddr } from './lvs-net';
import { lvsState, type LvsDraft } from './lvs-state';
import { BFD_INAME_MAX } from './checkers-bfd';

interface BfdScope {
  readonly lvs: LvsDraft;
  readonly name: string;
  /** Which of keepalived's passes still read this block (a pass skips it after an error). */
  bfdPass: boolean;
  checkerPass: boolean;
  vrrpPass: boolean;
  nbr: Sockaddr | null;
  src: Sockaddr | null;
  ttl: number;
  maxHops: number;
  forVrrp: boolean;
  forChecker: boolean;
}

/** keepalived BFD_*_MAX: UINT32_MAX / 1000 milliseconds. */
const BFD_INTERVAL_MAX_MS = 4294967;
const BFD_MAX_SENSIBLE_MS = 10000;
const BFD_TTL_MAX = 255;

function bfdOnly(name: string, handle: (ctx: KeywordContext, s: BfdScope, k: Word, args: readonly Word[]) => void): KeywordDef<BfdScope> {
  return kw<BfdScope>(name, (ctx, s, k, args) => {
    if (s.bfdPass) handle(ctx, s, k, args);
  });
}

function interval(name: 'min_rx' | 'min_tx' | 'idle_tx', minMs: number): KeywordDef<BfdScope> {
  return bfdOnly(name, (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = readDecimal(ctx, w, minMs * 1000, BFD_INTERVAL_MAX_MS * 1000, 3, false);
    if (v === null) {
      ctx.report(
        'GENERAL_ERROR',
        'CFG_BFD_VALUE',
        `Configuration error: BFD instance ${s.name} ${name} value ${w.text} is not valid (must be in range [${minMs}-${BFD_INTERVAL_MAX_MS}]), ignoring`,
        w,
      );
    } else if (v > BFD_MAX_SENSIBLE_MS * 1000) {
      ctx.report('NOTICE', 'CFG_BFD_VALUE', `Configuration warning: BFD instance ${s.name} ${name} value ${w.text} is larger than max sensible (${BFD_MAX_SENSIBLE_MS})`, w);
    }
  });
}

function neighbor(ctx: KeywordContext, s: BfdScope, k: Word, args: readonly Word[]): void {
  const w = requireArg(ctx, k, args, 0);
  if (w === null) return;
  // keepalived compares the address (not the keyword) with "neighbour_ip" to pick its spelling.
  if (w.text === 'neighbour_ip') s.lvs.neighborWord = 'neighbour';
  const a = stosockaddr(ctx, w.text, { ...w, text: '3784' });
  if (a === null) {
    ctx.report(
      'GENERAL_ERROR',
      'CFG_BFD_ADDRESS',
      `Configuration error: BFD instance ${s.name} has malformed ${s.lvs.neighborWord} address ${w.text}, ignoring instance`,
      w,
    );
    s.bfdPass = false;
    return;
  }
  s.nbr = a;
}

const bfdTable = table<BfdScope>(
  bfdOnly('source_ip', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const a = stosockaddr(ctx, w.text, null);
    if (a === null) ctx.report('GENERAL_ERROR', 'CFG_BFD_ADDRESS', `Configuration error: BFD instance ${s.name} has malformed source address ${w.text}, ignoring`, w);
    else s.src = a;
  }),
  bfdOnly('neighbor_ip', neighbor),
  bfdOnly('neighbour_ip', neighbor),
  interval('min_rx', 1),
  interval('min_tx', 1),
  interval('idle_tx', 1000),
  bfdOnly('multiplier', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w && readUnsigned(ctx, w, 1, 255) === null)
      ctx.report('GENERAL_ERROR', 'CFG_BFD_VALUE', `Configuration error: BFD instance ${s.name} multiplier value ${w.text} not valid (must be in range [1-255]), ignoring`, w);
  }),
  bfdOnly('passive', () => undefined),
  ...['ttl', 'hoplimit'].map((name) =>
    bfdOnly(name, (ctx, s, k, args) => {
      const w = requireArg(ctx, k, args, 0);
      if (w === null) return;
      const v = readUnsigned(ctx, w, 1, BFD_TTL_MAX);
      if (v === null)
        ctx.report('GENERAL_ERROR', 'CFG_BFD_VALUE', `Configuration error: BFD instance ${s.name} ttl/hoplimit value ${w.text} not valid (must be in range [1-${BFD_TTL_MAX}]), ignoring`, w);
      else s.ttl = v;
    }),
  ),
  bfdOnly('max_hops', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = readInt(ctx, w, -1, BFD_TTL_MAX);
    if (v === null)
      ctx.report('GENERAL_ERROR', 'CFG_BFD_VALUE', `Configuration error: BFD instance ${s.name} max_hops value ${w.text} not valid (must be in range [-1-${BFD_TTL_MAX}]), ignoring`, w);
    else s.maxHops = v;
  }),
  kw<BfdScope>('weight', (ctx, s, k, args) => {
    // Only the VRRP process reads the weight (of its track_bfd).
    if (!s.vrrpPass) return;
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    if (readInt(ctx, w, -253, 253) === null)
      ctx.report('GENERAL_ERROR', 'CFG_BFD_VALUE', `Configuration error: BFD instance ${s.name} weight value ${w.text} not valid (must be in range [-253-253]), ignoring`, w);
    const opt = args[1];
    if (opt !== undefined && opt.text !== 'reverse')
      ctx.report('GENERAL_ERROR', 'CFG_BFD_VALUE', `Configuration error: BFD instance ${s.name} unknown weight option ${opt.text}`, opt);
  }),
  kw<BfdScope>('vrrp', (_ctx, s) => {
    s.forVrrp = true;
  }),
  kw<BfdScope>('checker', (_ctx, s) => {
    s.forChecker = true;
  }),
);

/** The name checks of the three passes; false for a pass that skips the block. */
function openBfd(ctx: KeywordContext, draft: ConfigDraft, k: Word, args: readonly Word[]): BfdScope | null {
  recordNotRun(ctx, draft, k);
  const w = requireArg(ctx, k, args, 0);
  if (w === null) return null;
  const lvs = lvsState(draft);
  const name = w.text;
  const s: BfdScope = { lvs, name, bfdPass: true, checkerPass: true, vrrpPass: true, nbr: null, src: null, ttl: 0, maxHops: 0, forVrrp: false, forChecker: false };
  const reportOnce = (message: string): void => ctx.reportOnce(`bfd:${ctx.at(w).file}:${ctx.at(w).line}:${message}`, 'GENERAL_ERROR', 'CFG_BFD_NAME', message, w);
  if (lvs.checkerBfds.includes(name)) {
    reportOnce(`BFD ${name} already specified`);
    s.checkerPass = false;
  }
  if (name.length >= BFD_INAME_MAX) {
    reportOnce(`BFD name ${name} too long`);
    s.vrrpPass = false;
  } else if (lvs.vrrpBfds.includes(name)) {
    reportOnce(`BFD ${name} already specified`);
    s.vrrpPass = false;
  }
  if (name.length >= BFD_INAME_MAX) {
    reportOnce(`Configuration error: BFD instance ${name} name too long (maximum length is ${BFD_INAME_MAX - 1} characters) - ignoring`);
    s.bfdPass = false;
  } else if (lvs.bfdInstances.some((b) => b.name === name)) {
    reportOnce(`Configuration error: BFD instance ${name} already configured - ignoring`);
    s.bfdPass = false;
  }
  if (!s.bfdPass && !s.checkerPass && !s.vrrpPass) return null;
  if (s.checkerPass) lvs.checkerBfds.push(name);
  if (s.vrrpPass) lvs.vrrpBfds.push(name);
  return s;
}

/** keepalived find_bfd_by_addr(): another instance with this neighbour (and source). */
function duplicateOf(s: BfdScope, nbr: Sockaddr): boolean {
  const same = (a: Sockaddr, b: Sockaddr): boolean => a.family === b.family && a.words.every((v, i) => v === b.words[i]);
  return s.lvs.bfdInstances.some((b) => same(b.nbr, nbr) && (b.src === null || s.src === null || same(b.src, s.src)));
}

/** keepalived bfd_end_handler() (BFD pass) and the checker/VRRP passes' end handlers. */
function closeBfd(ctx: KeywordContext, s: BfdScope): void {
  const restricted = s.forVrrp || s.forChecker;
  if (s.checkerPass && restricted && !s.forChecker) s.lvs.checkerBfds.splice(s.lvs.checkerBfds.lastIndexOf(s.name), 1);
  if (s.vrrpPass && restricted && !s.forVrrp) s.lvs.vrrpBfds.splice(s.lvs.vrrpBfds.lastIndexOf(s.name), 1);
  if (!s.bfdPass) return;
  const nw = s.lvs.neighborWord;
  const report = (m: string): void => ctx.report('GENERAL_ERROR', 'CFG_BFD_INSTANCE', m);
  const nbr = s.nbr;
  if (nbr === null) {
    report(`Configuration error: BFD instance ${s.name} has no ${nw} address set, disabling instance`);
    return;
  }
  if (s.src && s.src.family !== nbr.family) {
    // keepalived formats both addresses into one static buffer: the source address wins twice.
    const shown = formatIp(s.src);
    report(`Configuration error: BFD instance ${s.name} source address ${shown} and ${nw} address ${shown} are not of the same family, disabling instance`);
    return;
  }
  if (duplicateOf(s, nbr)) {
    if (s.src) report(`Configuration error: BFD instance ${s.name} has duplicate source/${nw} address ${formatIp(s.src)}/${formatIp(nbr)}, ignoring instance`);
    else report(`Configuration error: BFD instance ${s.name} has duplicate ${nw} address ${formatIp(nbr)}, ignoring instance`);
    return;
  }
  const ttl = s.ttl !== 0 ? s.ttl : nbr.family === 4 ? 255 : 64;
  if (s.maxHops > ttl) report(`BFD instance ${s.name}: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit`);
  s.lvs.bfdInstances.push({ name: s.name, nbr, src: s.src });
}

export const bfdInstanceBlock = block<ConfigDraft, BfdScope>('bfd_instance', openBfd, bfdTable, closeBfd);
