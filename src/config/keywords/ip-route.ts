/**
 * `virtual_routes`/`static_routes` and `virtual_rules`/`static_rules` lines in ip-route(8)
 * and ip-rule(8) syntax. Every option keepalived 2.2.7 knows is recognised; the ones that
 * matter to an operator (destination, via/gw, dev, src, table, metric, scope; rule from/to/
 * table/preference) are parsed and checked, the rest have their argument consumed.
 * keepalived: vrrp_iproute.c alloc_route(), vrrp_iprule.c alloc_rule().
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import type { Mutable, RouteSpec, RuleSpec } from '../model';
import { parseIpv4, parseIpv6 } from '../addresses';
import { checkInterface } from './interfaces';

/** Route options that take one argument (keepalived alloc_route()). */
const ROUTE_PARAM = new Set([
  'src', 'as', 'gw', 'via', 'from', 'tos', 'dsfield', 'table', 'protocol', 'proto', 'scope', 'metric',
  'priority', 'preference', 'oif', 'dev', 'expires', 'mtu', 'hoplimit', 'advmss', 'rtt', 'rttvar',
  'reordering', 'window', 'cwnd', 'ssthresh', 'realms', 'rto_min', 'initcwnd', 'initrwnd', 'features',
  'quickack', 'congctl', 'pref', 'ttl-propagate', 'fastopen_no_cookie', 'track_group', 'vrf', 'encap',
]);
const ROUTE_FLAGS = new Set(['inet', 'inet6', 'onlink', 'add', 'prepend', 'append', 'no_track']);
const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'throw', 'unreachable', 'prohibit', 'blackhole', 'nat', 'anycast']);
const ROUTE_SCOPES = new Set(['global', 'universe', 'site', 'link', 'host', 'nowhere']);

function parsePrefixed(text: string): { family: 4 | 6; ok: boolean } {
  const [addr, len] = text.split('/') as [string, string | undefined];
  const family: 4 | 6 = addr.includes(':') ? 6 : 4;
  const max = family === 6 ? 128 : 32;
  const addrOk = family === 6 ? parseIpv6(addr) !== null : parseIpv4(addr) !== null;
  const lenOk = len === undefined || (/^[0-9]+$/.test(len) && Number(len) <= max);
  return { family, ok: addrOk && lenOk };
}

/** keepalived alloc_route(): null when the route is dropped (its error already reported). */
export function parseRouteLine(ctx: KeywordContext, draft: ConfigDraft, words: readonly Word[]): RouteSpec | null {
  const route: Mutable<RouteSpec> = {
    words: words.map((w) => w.text),
    destination: null,
    family: null,
    via: null,
    dev: null,
    src: null,
    table: null,
    metric: null,
    noTrack: false,
    at: ctx.at(words[0]),
  };
  const setFamily = (fam: 4 | 6, w: Word): boolean => {
    if (route.family === null) route.family = fam;
    else if (route.family !== fam) {
      ctx.report('GENERAL_ERROR', 'CFG_ROUTE_FAMILY', 'Cannot mix IPv4 and IPv6 addresses for route', w);
      return false;
    }
    return true;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Word;
    if (w.text === 'nexthop') return route;
    if (ROUTE_FLAGS.has(w.text)) {
      if (w.text === 'no_track') route.noTrack = true;
      if (w.text === 'inet6' && !setFamily(6, w)) return null;
      if (w.text === 'inet' && !setFamily(4, w)) return null;
      continue;
    }
    if (ROUTE_PARAM.has(w.text)) {
      const p = words[i + 1];
      i++;
      if (p === undefined) {
        ctx.report('GENERAL_ERROR', 'CFG_ROUTE_PARAM', `unknown route keyword ${w.text}`, w);
        return null;
      }
      switch (w.text) {
        case 'src':
        case 'gw':
        case 'via': {
          if (w.text === 'gw') ctx.report('GENERAL_ERROR', 'CFG_ROUTE_GW_DEPRECATED', '"gw" for routes is deprecated. Please use "via"', w);
          const t = w.text === 'via' && (p.text === 'inet' || p.text === 'inet6') ? words[++i] : p;
          const a = t ? parsePrefixed(t.text) : { ok: false, family: 4 as const };
          if (!t || !a.ok || t.text.includes('/')) {
            ctx.report('GENERAL_ERROR', 'CFG_ROUTE_ADDR', `invalid route ${w.text === 'src' ? 'src' : 'via'} address ${t?.text ?? ''}`, t ?? w);
            return null;
          }
          if (!setFamily(a.family, t)) return null;
          if (w.text === 'src') route.src = t.text;
          else route.via = t.text;
          break;
        }
        case 'dev':
        case 'oif':
          if (!checkInterface(ctx, draft, p, `WARNING - interface ${p.text} for VROUTE nexthop doesn't exist`)) return null;
          route.dev = p.text;
          break;
        case 'table':
          if (!/^[0-9]+$/.test(p.text) && !['main', 'local', 'default'].includes(p.text)) {
            ctx.report('GENERAL_ERROR', 'CFG_ROUTE_TABLE', `Routing table ${p.text} not found for route`, p);
            return null;
          }
          route.table = p.text;
          break;
        case 'metric':
        case 'priority':
        case 'preference':
          if (!/^[0-9]+$/.test(p.text)) {
            ctx.report('GENERAL_ERROR', 'CFG_ROUTE_METRIC', `Invalid metric ${p.text} specified for route`, p);
            return null;
          }
          route.metric = Number(p.text);
          break;
        case 'scope':
          if (!ROUTE_SCOPES.has(p.text) && !/^[0-9]+$/.test(p.text)) {
            ctx.report('GENERAL_ERROR', 'CFG_ROUTE_SCOPE', `Scope ${p.text} not found or invalid for route`, p);
            return null;
          }
          break;
        default:
          break;
      }
      continue;
    }
    // The destination: [to] [TYPE] PREFIX|default
    let d: Word | undefined = w;
    if (d.text === 'to') d = words[++i];
    if (d && ROUTE_TYPES.has(d.text)) d = words[++i];
    if (!d) {
      ctx.report('GENERAL_ERROR', 'CFG_ROUTE_KEYWORD', `unknown route keyword ${w.text}`, w);
      return null;
    }
    if (d.text === 'default') {
      route.destination = 'default';
      continue;
    }
    const dest = parsePrefixed(d.text);
    if (!dest.ok) {
      ctx.report('GENERAL_ERROR', 'CFG_ROUTE_KEYWORD', `unknown route keyword ${d.text}`, d);
      return null;
    }
    if (!setFamily(dest.family, d)) return null;
    route.destination = d.text;
  }
  if (route.destination === null) {
    ctx.report('GENERAL_ERROR', 'CFG_ROUTE_NO_DEST', 'Route must have a destination', words[0]);
    return null;
  }
  if (!route.noTrack && route.dev === null) {
    ctx.report('GENERAL_ERROR', 'CFG_ROUTE_UNTRACKED', `Warning - cannot track route ${route.destination} with no interface specified, not tracking`, words[0]);
    route.noTrack = true;
  }
  return route;
}

const RULE_PARAM = new Set([
  'from', 'to', 'table', 'lookup', 'preference', 'order', 'priority', 'tos', 'dsfield', 'fwmark', 'realms',
  'suppress_prefixlength', 'sup_pl', 'suppress_ifgroup', 'sup_group', 'iif', 'dev', 'oif', 'tunnel-id',
  'uidrange', 'protocol', 'ipproto', 'sport', 'dport', 'track_group', 'type', 'goto', 'l3mdev',
]);
const RULE_ACTIONS = new Set(['blackhole', 'prohibit', 'unreachable', 'nop']);
const RULE_FLAGS = new Set(['inet', 'inet6', 'no_track', 'not']);

/** keepalived alloc_rule(): null when the rule is dropped (its error already reported). */
export function parseRuleLine(ctx: KeywordContext, draft: ConfigDraft, words: readonly Word[]): RuleSpec | null {
  const rule: Mutable<RuleSpec> = { words: words.map((w) => w.text), from: null, to: null, table: null, at: ctx.at(words[0]) };
  let action = false;
  let preference = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Word;
    if (RULE_FLAGS.has(w.text)) continue;
    if (RULE_ACTIONS.has(w.text)) {
      action = true;
      continue;
    }
    if (!RULE_PARAM.has(w.text)) {
      ctx.report('GENERAL_ERROR', 'CFG_RULE_OPTION', `Unknown rule option ${w.text}`, w);
      return null;
    }
    const p = words[++i];
    if (p === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_RULE_OPTION', `Unknown rule option ${w.text}`, w);
      return null;
    }
    switch (w.text) {
      case 'from':
      case 'to': {
        if (p.text !== 'all' && !parsePrefixed(p.text).ok) {
          ctx.report('GENERAL_ERROR', 'CFG_RULE_ADDR', `Invalid rule ${w.text} address ${p.text}`, p);
          return null;
        }
        if (w.text === 'from') rule.from = p.text;
        else rule.to = p.text;
        break;
      }
      case 'table':
      case 'lookup':
        if (!/^[0-9]+$/.test(p.text) && !['main', 'local', 'default'].includes(p.text)) {
          ctx.report('GENERAL_ERROR', 'CFG_RULE_TABLE', `Routing table ${p.text} not found for rule`, p);
          return null;
        }
        if (p.text === '0') {
          ctx.report('GENERAL_ERROR', 'CFG_RULE_TABLE0', 'Table 0 is not valid', p);
          return null;
        }
        rule.table = p.text;
        action = true;
        break;
      case 'goto':
      case 'l3mdev':
        action = true;
        break;
      case 'preference':
      case 'order':
      case 'priority':
        if (!/^[0-9]+$/.test(p.text)) {
          ctx.report('GENERAL_ERROR', 'CFG_RULE_PREF', `Invalid rule preference ${p.text} specified`, p);
          return null;
        }
        preference = true;
        break;
      case 'iif':
      case 'dev':
      case 'oif':
        checkInterface(ctx, draft, p, `WARNING - interface ${p.text} for rule doesn't exist`);
        break;
      default:
        break;
    }
  }
  if (!action) {
    ctx.report('GENERAL_ERROR', 'CFG_RULE_NO_ACTION', 'No action specified for rule - ignoring', words[0]);
    return null;
  }
  if (!preference) {
    ctx.report('GENERAL_ERROR', 'CFG_RULE_NO_PREF', 'Rule has no preference specified - setting to a default. This is probably not what you want.', words[0]);
  }
  return rule;
}
