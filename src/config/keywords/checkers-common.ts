/**
 * What every health checker block shares: its connection options (connect_ip, connect_port,
 * bindto, bind_port, bind_if, connect_timeout, fwmark) and the retry/delay keywords, with
 * keepalived's messages, plus the link-local check run when a checker block closes.
 * keepalived: check_api.c install_checker_common_keywords(), check_conn_opts(). Pure.
 */
import { kw, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import { parseBool, readTimerUs, readUnsigned, requireArg } from '../values';

import { formatIp, isLinkLocal6, stosockaddr, type Sockaddr } from './lvs-net';
import type { RealServerDraft, VirtualServerDraft } from './lvs-state';
import type { ConfigDraft } from '../draft';

/** keepalived UINT_MAX microseconds, the longest connect_timeout. */
export const UINT_MAX = 4294967295;
/** keepalived IFNAMSIZ - 1. */
const MAX_IFNAME = 15;

export interface ConnOpts {
  /** null: no usable address (keepalived AF_UNSPEC); the port is kept apart like keepalived does. */
  dst: Sockaddr | null;
  dstPort: number;
  bindto: Sockaddr | null;
  bindIf: string;
  /** Any connection option set (keepalived's SMTP_CHECK asks, for its deprecated hosts). */
  touched: boolean;
}

/** The scope of a checker block: where it is and its connection options (null: none). */
export interface CheckerBase {
  readonly draft: ConfigDraft;
  readonly vs: VirtualServerDraft;
  readonly rs: RealServerDraft;
  co: ConnOpts | null;
}

/** keepalived queue_checker(): the destination defaults to the real server. */
export function newConnOpts(rs: RealServerDraft): ConnOpts {
  return { dst: { ...rs.addr }, dstPort: rs.addr.port, bindto: null, bindIf: '', touched: false };
}

/** keepalived check_conn_opts(): a link-local destination needs bind_if. */
export function checkConnOpts(ctx: KeywordContext, co: ConnOpts): boolean {
  if (co.dst && isLinkLocal6(co.dst) && co.bindIf === '') {
    ctx.report('GENERAL_ERROR', 'CFG_CHECKER_LINK_LOCAL', `Checker link local address ${formatIp(co.dst)} requires a bind_if`);
    return false;
  }
  return true;
}

/** An optional boolean keyword with keepalived's "Invalid <what> parameter X" message. */
export function boolKw<S>(name: string, what: string, set?: (scope: S, v: boolean) => void): KeywordDef<S> {
  return kw<S>(name, (ctx, scope, _k, args) => {
    const w = args[0];
    let v = true;
    if (w !== undefined) {
      const b = parseBool(w.text);
      if (b === null) {
        ctx.report('GENERAL_ERROR', 'CFG_INVALID_BOOL', `Invalid ${what} parameter ${w.text}`, w);
        return;
      }
      v = b;
    }
    set?.(scope, v);
  });
}

/** A keyword whose value is read by `read`; on failure `message(value)` is reported. */
export function valueKw<S>(
  name: string,
  read: (ctx: KeywordContext, w: Word) => number | null,
  message: (text: string) => string,
  set?: (scope: S, v: number) => void,
): KeywordDef<S> {
  return kw<S>(name, (ctx, scope, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = read(ctx, w);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_LVS_VALUE', message(w.text), w);
      return;
    }
    set?.(scope, v);
  });
}

export const unsignedIn =
  (min: number, max: number) =>
  (ctx: KeywordContext, w: Word): number | null =>
    readUnsigned(ctx, w, min, max);

/** keepalived read_timer(..., true); a `maxUs` of 0 means TIMER_MAXIMUM, as in keepalived. */
export const timerIn =
  (minUs: number, maxUs: number) =>
  (ctx: KeywordContext, w: Word): number | null =>
    readTimerUs(ctx, w, minUs, maxUs);

function touch(s: CheckerBase): void {
  if (s.co) s.co.touched = true;
}

function connectionKeywords<S extends CheckerBase>(): KeywordDef<S>[] {
  return [
    kw<S>('connect_ip', (ctx, s, k, args) => {
      const w = requireArg(ctx, k, args, 0);
      if (w === null || s.co === null) return;
      const co = s.co;
      const a = stosockaddr(ctx, w.text, null);
      if (a === null) {
        co.dst = null;
        ctx.report('GENERAL_ERROR', 'CFG_CHECKER_ADDRESS', `Invalid connect_ip address ${w.text} - ignoring`, w);
      } else if (co.bindto && co.bindto.family !== a.family) {
        co.dst = null;
        ctx.report('GENERAL_ERROR', 'CFG_CHECKER_ADDRESS', `connect_ip address ${w.text} does not match address family of bindto - skipping`, w);
      } else {
        co.dst = a;
        co.touched = true;
      }
    }),
    valueKw<S>('connect_port', unsignedIn(1, 65535), (t) => `Invalid checker connect_port '${t}'`, (s, v) => {
      if (s.co) {
        s.co.dstPort = v;
        s.co.touched = true;
      }
    }),
    kw<S>('bindto', (ctx, s, k, args) => {
      const w = requireArg(ctx, k, args, 0);
      if (w === null || s.co === null) return;
      const co = s.co;
      const a = stosockaddr(ctx, w.text, null);
      if (a === null) {
        co.bindto = null;
        ctx.report('GENERAL_ERROR', 'CFG_CHECKER_ADDRESS', `Invalid bindto address ${w.text} - ignoring`, w);
      } else if (co.dst && co.dst.family !== a.family) {
        co.bindto = null;
        ctx.report('GENERAL_ERROR', 'CFG_CHECKER_ADDRESS', `bindto address ${w.text} does not match address family of connect_ip - skipping`, w);
      } else {
        co.bindto = a;
        co.touched = true;
      }
    }),
    valueKw<S>('bind_port', unsignedIn(1, 65535), (t) => `Invalid checker bind_port '${t}'`, touch),
    kw<S>('bind_if', (ctx, s, k, args) => {
      const w = requireArg(ctx, k, args, 0);
      if (w === null) return;
      if (w.text.length > MAX_IFNAME) {
        ctx.report('GENERAL_ERROR', 'CFG_CHECKER_BIND_IF', `Interface name ${w.text} is too long - ignoring`, w);
        return;
      }
      if (s.co) {
        s.co.bindIf = w.text;
        if (w.text !== '') s.co.touched = true;
      }
    }),
    valueKw<S>('connect_timeout', timerIn(1, UINT_MAX), (t) => `connect_timeout ${t} invalid - ignoring`, touch),
    valueKw<S>('fwmark', unsignedIn(0, UINT_MAX), (t) => `Invalid fwmark connection value '${t}'`, (s, v) => {
      if (v !== 0) touch(s);
    }),
  ];
}

/** keepalived install_checker_common_keywords(connection_keywords). */
export function commonKeywords<S extends CheckerBase>(connection: boolean): KeywordDef<S>[] {
  return [
    ...(connection ? connectionKeywords<S>() : []),
    valueKw<S>('retry', unsignedIn(0, UINT_MAX), (t) => `Invalid retry connection value '${t}'`),
    valueKw<S>('delay_before_retry', timerIn(0, 0), (t) => `Invalid delay_before_retry connection value '${t}'`),
    valueKw<S>('warmup', timerIn(0, 0), (t) => `Invalid warmup connection value '${t}'`),
    valueKw<S>('delay_loop', timerIn(1, 0), (t) => `delay_loop '${t}' is invalid - ignoring`),
    boolKw<S>('alpha', 'alpha'),
    boolKw<S>('log_all_failures', 'log_all_failures'),
  ];
}
