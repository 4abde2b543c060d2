/**
 * The formatting keepalived 2.2.7's dumps share, for status-data.ts and status-json.ts: the
 * running instances in config order, state words, commands (cmd_str), addresses, routes and
 * rules (format_ipaddress/format_iproute/format_iprule), timevals and ctime strings, printf's
 * %g, and who tracks which interface, script and track file. Pure.
 */
import type { Config, RouteSpec, RuleSpec, ScriptCommand, TrackRef, VirtualAddress, VrrpInstance } from '../config/model';
import type { VrrpState } from '../protocol/types';
import type { InstanceStatus, StatusSnapshot } from './status';

export interface Running {
  readonly cfg: VrrpInstance;
  readonly st: InstanceStatus;
}

/** The running instances in config order, each with its config. */
export function runningInstances(s: StatusSnapshot): Running[] {
  const byName = new Map(s.instances.map((i) => [i.name, i]));
  return s.config.instances.flatMap((cfg) => {
    const st = byName.get(cfg.name);
    return st ? [{ cfg, st }] : [];
  });
}

/** keepalived get_state_str(). */
export function stateStr(state: VrrpState): string {
  return state === 'STOP' ? 'unknown' : state;
}

/** keepalived's wantstate follows the state once running; before that, the configured one. */
export function wantState(r: Running): VrrpState {
  if (r.st.state === 'MASTER' || r.st.state === 'BACKUP') return r.st.state;
  return r.cfg.priority === 255 ? 'MASTER' : r.cfg.state;
}

/** keepalived cmd_str(): every word in single quotes, args[0] as executed. */
export function cmdStr(s: StatusSnapshot, cmd: ScriptCommand): string {
  const first = s.scriptExec.get(cmd)?.path ?? cmd.args[0] ?? '';
  return [first, ...cmd.args.slice(1)]
    .map((w, i) => (i === 0 && (w.startsWith('<') || w.startsWith('>')) ? w : `'${w}'`))
    .join(' ');
}

export function cmdIds(s: StatusSnapshot, cmd: ScriptCommand): string {
  const e = s.scriptExec.get(cmd);
  return `${e?.uid ?? 0}:${e?.gid ?? 0}`;
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');
}

/** keepalived ipaddresstos(): the prefix length unless a host address. */
function withPrefix(address: string, prefix: number, family: 4 | 6): string {
  return prefix === (family === 4 ? 32 : 128) ? address : `${address}/${prefix}`;
}

function scopeName(scope: string | null): string {
  const names: Record<string, string> = { '0': 'global', '200': 'site', '253': 'link', '254': 'host', '255': 'nowhere' };
  return scope === null ? 'global' : (names[scope] ?? scope);
}

/** keepalived format_ipaddress(); `set` = installed now. */
export function formatAddress(a: VirtualAddress, defaultDev: string | null, set: boolean): string {
  let out = withPrefix(a.address, a.prefixLength, a.family);
  if (a.family === 4 && a.broadcast !== null && a.broadcast !== '-') {
    const hostBits = 2 ** (32 - a.prefixLength) - 1;
    const brd = a.broadcast === '+' ? intToIpv4(ipv4ToInt(a.address) - (ipv4ToInt(a.address) % (hostBits + 1)) + hostBits) : a.broadcast;
    out += ` brd ${brd}`;
  }
  out += ` dev ${a.dev ?? defaultDev ?? '(null)'} scope ${scopeName(a.scope)}`;
  if (a.label !== null) out += ` label ${a.label}`;
  if (a.peer !== null) out += ` peer ${a.peer}/${a.prefixLength}`;
  if (a.noDad) out += ' -nodad';
  if (a.noPrefixRoute) out += ' noprefixroute';
  if (a.noTrack) out += ' no_track';
  if (a.family === 6) out += ' preferred_lft forever';
  return set ? `${out} set` : out;
}

/** The word after `key` in an ip(8)-style word list. */
function after(words: readonly string[], ...keys: string[]): string | null {
  const i = words.findIndex((w) => keys.includes(w));
  return i >= 0 ? (words[i + 1] ?? null) : null;
}

function tableNumber(t: string): string {
  return ({ main: '254', local: '255', default: '253' } as Record<string, string>)[t] ?? t;
}

const ROUTE_TYPES = ['blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'anycast', 'multicast', 'nat'];

/** keepalived format_iproute(), for the options tsvrrpd's RouteSpec keeps. */
export function formatRoute(r: RouteSpec): string {
  const w = r.words;
  const verb = w.includes('add') ? 'add' : w.includes('append') ? 'append' : 'prepend';
  const type = w.find((x) => ROUTE_TYPES.includes(x));
  let out = `${verb} ${type !== undefined ? `${type} ` : ''}${r.destination ?? 'default'}`;
  const from = after(w, 'from');
  if (from !== null) out += ` from ${from}`;
  if (r.src !== null) out += ` src ${r.src}`;
  const tos = after(w, 'tos', 'dsfield');
  if (tos !== null) out += ` tos ${tos}`;
  if (r.via !== null) out += ` via ${r.via.includes(':') ? 'inet6' : 'inet'} ${r.via}`;
  if (r.dev !== null) out += ` dev ${r.dev}`;
  if (r.table !== null && tableNumber(r.table) !== '254') out += ` table ${tableNumber(r.table)}`;
  out += ` proto ${after(w, 'proto', 'protocol') ?? '18'}`;
  const scope = after(w, 'scope');
  if (scope !== null) out += ` scope ${({ global: '0', site: '200', link: '253', host: '254', nowhere: '255' } as Record<string, string>)[scope] ?? scope}`;
  if (r.metric !== null) out += ` metric ${r.metric}`;
  if (w.includes('onlink')) out += ' onlink';
  if (r.noTrack) out += ' no_track';
  return out;
}

/** keepalived format_iprule(), for the options tsvrrpd's RuleSpec keeps. */
export function formatRule(r: RuleSpec): string {
  const w = r.words;
  let out = r.from === null && r.to === null && w.includes('inet6') ? 'inet6 ' : '';
  if (w.includes('not')) out += 'not ';
  out += `from ${r.from === null || r.from === 'all' ? 'all' : r.from.replace(/\/32$/, '')}`;
  if (r.to !== null) out += ` to ${r.to.replace(/\/32$/, '')}`;
  const prio = after(w, 'priority', 'preference', 'order', 'pref', 'prio');
  if (prio !== null) out += ` priority ${prio}`;
  out += ` tos 0x${Number(after(w, 'tos', 'dsfield') ?? 0).toString(16)}`;
  for (const k of ['iif', 'oif']) {
    const v = after(w, k);
    if (v !== null) out += ` ${k} ${v}`;
  }
  out += ` protocol ${after(w, 'protocol') ?? '18'}`;
  const gotoTarget = after(w, 'goto');
  const type = w.find((x) => ['blackhole', 'unreachable', 'prohibit'].includes(x));
  if (r.table !== null) out += ` lookup ${tableNumber(r.table)}`;
  else if (gotoTarget !== null) out += ` goto ${gotoTarget}`;
  else if (w.includes('nop')) out += ' nop';
  else if (type !== undefined) out += ` type ${type}`;
  if (w.includes('no_track')) out += ' no_track';
  return out;
}

/** sec.usec, as keepalived prints a timeval. */
export function timeval(wallUs: number): string {
  return `${Math.floor(wallUs / 1e6)}.${String(wallUs % 1e6).padStart(6, '0')}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** keepalived ctime_us_r(): asctime() with the microseconds, "Wed Dec  2 06:03:19.766683 2026". */
export function ctimeUs(wallUs: number, utcOffsetSec: number): string {
  const sec = Math.floor(wallUs / 1e6) + utcOffsetSec;
  const days = Math.floor(sec / 86400);
  const tod = sec - days * 86400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's days_from_civil, inverted).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const two = (n: number): string => String(n).padStart(2, '0');
  const hms = `${two(Math.floor(tod / 3600))}:${two(Math.floor(tod / 60) % 60)}:${two(tod % 60)}`;
  const wd = DAYS[(((days + 4) % 7) + 7) % 7] ?? '';
  return `${wd} ${MONTHS[month - 1] ?? ''} ${String(day).padStart(2, ' ')} ${hms}.${String(wallUs % 1e6).padStart(6, '0')} ${year}`;
}

export interface TrackEntry {
  readonly instance: string;
  weight: number;
  reverse: boolean;
}

/**
 * Who tracks what, built in keepalived's order (vrrp.c vrrp_complete_instance() per instance,
 * then sync_group_tracking_init()), with add_vrrp_to_interface()'s merge rule: a second entry
 * for the same instance replaces a weighted entry's weight unless it is "not tracked" (255).
 */
export interface Tracking {
  readonly interfaces: ReadonlyMap<string, TrackEntry[]>;
  readonly scripts: ReadonlyMap<string, TrackEntry[]>;
  readonly files: ReadonlyMap<string, TrackEntry[]>;
}

const NOT_TRACKED = 255;

export function tracking(config: Config): Tracking {
  const maps = { interfaces: new Map<string, TrackEntry[]>(), scripts: new Map<string, TrackEntry[]>(), files: new Map<string, TrackEntry[]>() };
  const add = (map: Map<string, TrackEntry[]>, key: string, instance: string, weight: number, reverse: boolean): void => {
    const list = map.get(key) ?? [];
    map.set(key, list);
    const e = list.find((x) => x.instance === instance);
    if (!e) list.push({ instance, weight, reverse });
    else if (e.weight !== 0 && weight !== NOT_TRACKED) Object.assign(e, { weight, reverse });
  };
  const scriptW = (r: TrackRef): number => r.weight ?? config.scripts.find((x) => x.name === r.name)?.weight ?? 0;
  const fileW = (r: TrackRef): number => r.weight ?? config.trackFiles.find((x) => x.name === r.name)?.weight ?? 0;
  for (const inst of config.instances) {
    const own = inst.interface;
    for (const r of inst.trackScripts) add(maps.scripts, r.name, inst.name, scriptW(r), r.reverse);
    for (const r of inst.trackFiles) add(maps.files, r.name, inst.name, fileW(r), r.reverse);
    if (own === null) continue;
    for (const r of inst.trackInterfaces) if (r.name !== own) add(maps.interfaces, r.name, inst.name, r.weight ?? 0, r.reverse);
    add(maps.interfaces, own, inst.name, inst.dontTrackPrimary ? NOT_TRACKED : 0, false);
    for (const a of [...inst.virtualIpaddress, ...inst.virtualIpaddressExcluded]) {
      const dev: string = a.dev ?? own;
      if (!a.noTrack && (!inst.dontTrackPrimary || dev !== own)) add(maps.interfaces, dev, inst.name, 0, false);
    }
    for (const r of inst.virtualRoutes) if (!r.noTrack && r.dev !== null) add(maps.interfaces, r.dev, inst.name, 0, false);
    for (const r of inst.virtualRules) {
      if (r.words.includes('no_track')) continue;
      for (const k of ['iif', 'oif']) {
        const dev = after(r.words, k);
        if (dev !== null) add(maps.interfaces, dev, inst.name, 0, false);
      }
    }
  }
  for (const g of config.syncGroups) {
    for (const m of g.members) {
      for (const r of g.trackScripts) add(maps.scripts, r.name, m, scriptW(r), r.reverse);
      for (const r of g.trackFiles) add(maps.files, r.name, m, fileW(r), r.reverse);
    }
    for (const r of g.trackInterfaces) for (const m of g.members) add(maps.interfaces, r.name, m, r.weight ?? 0, r.reverse);
  }
  return maps;
}

/** dump_tracking_vrrp(): "     VI_1, weight 10[ reverse]". */
export function trackingLines(list: readonly TrackEntry[] | undefined, header: string | null): string[] {
  if (!list || list.length === 0) return [];
  return [...(header !== null ? [header] : []), ...list.map((e) => `     ${e.instance}, weight ${e.weight}${e.reverse ? ' reverse' : ''}`)];
}


/** keepalived's state numbers (vrrp.h VRRP_STATE_*), as the JSON file has them. */
export const STATE_NUMBER: Readonly<Record<VrrpState, number>> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, STOP: 98 };

/** printf("%g"): 6 significant digits, trailing zeros dropped, exponent form outside 1e-4..1e6. */
export function fmtG(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return x === 0 ? '0' : String(x);
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m = '', e = '0'] = x.toExponential(5).split('e');
    const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 5 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
