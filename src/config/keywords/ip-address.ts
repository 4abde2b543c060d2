/**
 * One address line of `virtual_ipaddress`, `virtual_ipaddress_excluded` or `static_ipaddress`
 * in ip-address(8) syntax: `ADDR[/LEN] [dev IF] [brd|broadcast ADDR|+|-] [scope S]
 * [label L] [peer ADDR] [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin] [no_track]
 * [preferred_lft N] [use_vmac]`. keepalived: vrrp_ipaddress.c parse_ipaddress(),
 * alloc_ipaddress().
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import type { Mutable, VirtualAddress } from '../model';
import { ipv4ToNumber, numberToIpv4, parseIpv4, parseIpv6 } from '../addresses';
import { readUnsigned } from '../values';
import { checkInterface, MAX_IFNAME_LEN } from './interfaces';

const SCOPES: Readonly<Record<string, string>> = { site: 'site', link: 'link', host: 'host', nowhere: 'nowhere', global: 'global' };
const PARAM_KEYWORDS = new Set(['dev', 'scope', 'broadcast', 'brd', 'label', 'peer', 'preferred_lft', 'track_group']);

/** keepalived parse_ipaddress(): `ADDR[/LEN]`, family chosen by ':'. */
export function parseIpWithPrefix(
  ctx: KeywordContext,
  w: Word,
  allowPrefix: boolean,
): { address: string; family: 4 | 6; prefixLength: number } | null {
  const family: 4 | 6 = w.text.includes(':') ? 6 : 4;
  let prefixLength = family === 6 ? 128 : 32;
  const slash = allowPrefix ? w.text.indexOf('/') : -1;
  const addrText = slash >= 0 ? w.text.slice(0, slash) : w.text;
  if (slash >= 0) {
    const lenWord: Word = { text: w.text.slice(slash + 1), col: w.col + slash + 1, file: w.file, line: w.line };
    const v = readUnsigned(ctx, lenWord, 0, prefixLength);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_BAD_PREFIX', `Invalid address prefix len ${lenWord.text} for address ${w.text} - using ${prefixLength}`, w);
    } else {
      prefixLength = v;
    }
  }
  const ok = family === 6 ? parseIpv6(addrText) !== null : parseIpv4(addrText) !== null;
  if (!ok) {
    ctx.report('GENERAL_ERROR', 'CFG_BAD_IP', `VRRP parsed invalid IP ${w.text}. skipping IP...`, w);
    return null;
  }
  return { address: family === 6 ? addrText.toLowerCase() : addrText, family, prefixLength };
}

/** keepalived alloc_ipaddress(): one address line; null when the line is dropped. */
export function parseAddressLine(
  ctx: KeywordContext,
  draft: ConfigDraft,
  words: readonly Word[],
  isStatic: boolean,
): VirtualAddress | null {
  const first = words[0] as Word;
  const parsed = parseIpWithPrefix(ctx, first, true);
  if (!parsed) return null;
  const addr: Mutable<VirtualAddress> = {
    address: parsed.address,
    family: parsed.family,
    prefixLength: parsed.prefixLength,
    broadcast: null,
    dev: null,
    scope: null,
    label: null,
    peer: null,
    noDad: false,
    noPrefixRoute: false,
    noTrack: false,
    at: ctx.at(first),
  };
  let brd: 'plus' | 'minus' | null = null;
  let haveBroadcast = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as Word;
    const param = words[i + 1];
    if (PARAM_KEYWORDS.has(w.text) && param === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_ADDR_PARAM_MISSING', `No ${w.text} parameter specified for ${first.text}`, w);
      return null;
    }
    switch (w.text) {
      case 'dev': {
        const p = param as Word;
        i++;
        if (addr.dev !== null) {
          ctx.report('GENERAL_ERROR', 'CFG_ADDR_DEV_TWICE', `Cannot specify ipaddress device more than once for ${first.text}`, p);
          break;
        }
        if (p.text.length > MAX_IFNAME_LEN || !checkInterface(ctx, draft, p, `WARNING - interface ${p.text} for ip address ${first.text} doesn't exist`)) {
          break;
        }
        addr.dev = p.text;
        break;
      }
      case 'scope': {
        const p = param as Word;
        i++;
        const scope = SCOPES[p.text] ?? (/^[0-9]+$/.test(p.text) && Number(p.text) <= 255 ? p.text : undefined);
        if (scope === undefined) {
          ctx.report('GENERAL_ERROR', 'CFG_ADDR_SCOPE', `Invalid scope '${p.text}' specified for ${first.text} - ignoring`, p);
        } else {
          addr.scope = scope;
        }
        break;
      }
      case 'broadcast':
      case 'brd': {
        const p = param as Word;
        i++;
        if (addr.family === 6) {
          ctx.report('GENERAL_ERROR', 'CFG_ADDR_BRD_V6', `VRRP is trying to assign a broadcast ${p.text} to the IPv6 address ${first.text} !!?? WARNING... skipping broadcast`, p);
          break;
        }
        haveBroadcast = true;
        if (p.text === '+') brd = 'plus';
        else if (p.text === '-') brd = 'minus';
        else if (parseIpv4(p.text)) addr.broadcast = p.text;
        else ctx.report('GENERAL_ERROR', 'CFG_ADDR_BRD', `VRRP is trying to assign invalid broadcast ${p.text}. skipping broadcast`, p);
        break;
      }
      case 'label': {
        const p = param as Word;
        i++;
        if (p.text.length > MAX_IFNAME_LEN) {
          ctx.report('GENERAL_ERROR', 'CFG_ADDR_LABEL', `Address label ${p.text} is longer than maximum length ${MAX_IFNAME_LEN} - removing address`, p);
          return null;
        }
        addr.label = p.text;
        break;
      }
      case 'peer': {
        const p = param as Word;
        i++;
        if (addr.peer !== null) {
          ctx.report('GENERAL_ERROR', 'CFG_ADDR_PEER_TWICE', `Peer ${p.text} - another peer has already been specified`, p);
          break;
        }
        const fam = p.text.includes(':') ? 6 : 4;
        const ok = fam === 6 ? parseIpv6(p.text.split('/')[0] as string) : parseIpv4(p.text.split('/')[0] as string);
        if (!ok) ctx.report('GENERAL_ERROR', 'CFG_ADDR_PEER', `Invalid peer address ${p.text}`, p);
        else if (fam !== addr.family) ctx.report('GENERAL_ERROR', 'CFG_ADDR_PEER_FAMILY', `Peer address ${p.text} does not match address family`, p);
        else addr.peer = p.text;
        break;
      }
      case 'preferred_lft': {
        const p = param as Word;
        i++;
        if (p.text !== 'forever' && !/^[0-9]+$/.test(p.text)) {
          ctx.report('GENERAL_ERROR', 'CFG_ADDR_LFT', `preferred_lft ${p.text} is invalid`, p);
        }
        break;
      }
      case 'track_group':
        i++;
        if (!isStatic) ctx.report('GENERAL_ERROR', 'CFG_ADDR_UNKNOWN', `Unknown configuration entry '${w.text}' for ip address - ignoring`, w);
        break;
      case 'home':
      case 'mngtmpaddr':
      case 'autojoin':
        break;
      case '-nodad':
        addr.noDad = true;
        break;
      case 'noprefixroute':
        addr.noPrefixRoute = true;
        break;
      case 'no_track':
        addr.noTrack = true;
        break;
      case 'use_vmac':
        if (isStatic) ctx.report('GENERAL_ERROR', 'CFG_ADDR_UNKNOWN', `Unknown configuration entry '${w.text}' for ip address - ignoring`, w);
        break;
      default:
        ctx.report('GENERAL_ERROR', 'CFG_ADDR_UNKNOWN', `Unknown configuration entry '${w.text}' for ip address - ignoring`, w);
    }
  }
  if (haveBroadcast && addr.peer !== null) {
    ctx.report('GENERAL_ERROR', 'CFG_ADDR_BRD_PEER', 'Cannot specify broadcast and peer addresses - ignoring broadcast address', first);
    addr.broadcast = null;
  } else if (brd !== null && addr.family === 4) {
    if (addr.prefixLength <= 30) {
      const base = ipv4ToNumber(parseIpv4(addr.address) as number[]);
      const mask = addr.prefixLength === 0 ? 0xffffffff : (0xffffffff >>> addr.prefixLength) >>> 0;
      addr.broadcast = numberToIpv4(brd === 'plus' ? (base | mask) >>> 0 : (base & ~mask) >>> 0);
    } else {
      ctx.report('GENERAL_ERROR', 'CFG_ADDR_BRD_LEN', `Address prefix length ${addr.prefixLength} too long for broadcast`, first);
    }
  }
  if (addr.family === 6) {
    if (addr.scope !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_ADDR_SCOPE_V6', `Cannot specify scope for IPv6 addresses (${first.text}) - ignoring scope`, first);
      addr.scope = null;
    }
    if (addr.label !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_ADDR_LABEL_V6', `Cannot specify label for IPv6 addresses (${first.text}) - ignoring label`, first);
      addr.label = null;
    }
  }
  return addr;
}
