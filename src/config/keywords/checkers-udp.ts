/**
 * UDP_CHECK: payload and expected reply as hex strings (reply nibbles may be `x` wildcards),
 * reply length bounds. Checked with keepalived's messages, never run.
 * keepalived: check_udp.c install_udp_check_keyword(), lib/parser.c read_hex_str().
 */
import { block, kw, table } from '../keyword';
import { checkConnOpts, commonKeywords, newConnOpts, unsignedIn, valueKw, type CheckerBase } from './checkers-common';
import type { RsScope } from './lvs-real-server-scope';

interface UdpScope extends CheckerBase {
  minReply: number;
  maxReply: number;
}

function hexVal(c: string, wildcard: boolean): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  const u = c >= 'a' ? String.fromCharCode(c.charCodeAt(0) - 32) : c;
  if (u >= 'A' && u <= 'F') return u.charCodeAt(0) - 55;
  if (wildcard && u === 'X') return 0xfe;
  return 0xff;
}

/**
 * keepalived read_hex_str(): the number of octets read, 0 when the text is not valid hex.
 * Like keepalived, a string whose last octet is 0xff counts as invalid.
 */
export function readHexStr(str: string, wildcard: boolean): number {
  let p = 0;
  let val = 0;
  let len = 0;
  for (;;) {
    while (str[p] === ' ' || str[p] === '\t') p++;
    if (p >= str.length) break;
    val = hexVal(str[p++] as string, wildcard);
    if (val === 0xff) break;
    if (val === 0xfe) val = 0;
    if (p < str.length && str[p] !== ' ') {
      const hi = val << 4;
      val = hexVal(str[p++] as string, wildcard);
      if (val === 0xff) break;
      if (val === 0xfe) val = 0;
      val |= hi;
    }
    len++;
  }
  return val === 0xff || len === 0 ? 0 : len;
}

const udpTable = table<UdpScope>(
  ...commonKeywords<UdpScope>(true),
  kw('payload', (ctx, _s, k, args) => {
    if (args.length === 0) {
      ctx.report('GENERAL_ERROR', 'CFG_UDP_PAYLOAD', 'UDP_CHECK payload requires a payload', k);
      return;
    }
    if (readHexStr(args.map((w) => w.text).join(' '), false) === 0) {
      ctx.report('GENERAL_ERROR', 'CFG_UDP_PAYLOAD', 'Invalid hex string for UDP_CHECK payload', args[0]);
    }
  }),
  kw('require_reply', (ctx, _s, _k, args) => {
    if (args.length === 0) return;
    if (readHexStr(args.map((w) => w.text).join(' '), true) === 0) {
      ctx.report('GENERAL_ERROR', 'CFG_UDP_REPLY', 'Invalid hex string for UDP_CHECK reply', args[0]);
    }
  }),
  valueKw<UdpScope>('min_reply_length', unsignedIn(0, 65535), (t) => `UDP_CHECK min length ${t} not valid - must be between 0 & 65535`, (s, v) => {
    s.minReply = v;
  }),
  valueKw<UdpScope>('max_reply_length', unsignedIn(0, 65535), (t) => `UDP_CHECK max length ${t} not valid - must be between 0 & 65535`, (s, v) => {
    s.maxReply = v;
  }),
);

export const udpCheck = block<RsScope, UdpScope>(
  'UDP_CHECK',
  (_ctx, s) => ({ draft: s.draft, vs: s.vs, rs: s.rs, co: newConnOpts(s.rs), minReply: 0, maxReply: 255 }),
  udpTable,
  (ctx, c) => {
    if (c.co && !checkConnOpts(ctx, c.co)) return;
    if (c.minReply > c.maxReply) {
      ctx.report(
        'GENERAL_ERROR',
        'CFG_UDP_LENGTHS',
        `UDP_CHECK min_reply length ${c.minReply} > max_reply_length ${c.maxReply} - will always fail`,
      );
    }
  },
);
