/**
 * Socket addresses as keepalived's checker parser reads and prints them: inet_stosockaddr()
 * (family chosen by ':', a `-range` or `/mask` tail ignored, the port read as an unsigned
 * number 1..65535 with its own number messages), inet_ntop() text, and the
 * `[addr]:proto:port` trio of its messages. keepalived: lib/utils.c inet_stosockaddr(),
 * inet_sockaddrtotrio_r(). Pure.
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import { parseIpv4, parseIpv6 } from '../addresses';
import { readUnsigned } from '../values';

export interface Sockaddr {
  readonly family: 4 | 6;
  /** 4 octets (IPv4) or 8 16-bit words (IPv6). */
  readonly words: readonly number[];
  /** 0 when none was given. */
  port: number;
}

/** inet_pton() of either family, without port. */
export function parseIp(text: string): Sockaddr | null {
  if (text.includes(':')) {
    const w = parseIpv6(text);
    return w ? { family: 6, words: w, port: 0 } : null;
  }
  const w = parseIpv4(text);
  return w ? { family: 4, words: w, port: 0 } : null;
}

/**
 * keepalived inet_stosockaddr(ip, port): null on failure. A bad port is reported by the
 * number reader first, as keepalived's read_unsigned() does.
 */
export function stosockaddr(ctx: KeywordContext, ip: string, port: Word | null): Sockaddr | null {
  let portNum = 0;
  if (port !== null) {
    const p = readUnsigned(ctx, port, 1, 65535);
    if (p === null) return null;
    portNum = p;
  }
  const family = ip.includes(':') ? 6 : 4;
  let core = ip;
  const cut = ip.indexOf('-') >= 0 ? ip.indexOf('-') : ip.indexOf('/');
  if (cut >= 0) core = ip.slice(0, cut);
  const w = family === 6 ? parseIpv6(core) : parseIpv4(core);
  return w ? { family, words: w, port: portNum } : null;
}

/** keepalived's "a port of all zeros means no port" rule (alloc_vs(), alloc_rs()). */
export function portWord(w: Word | undefined): Word | null {
  if (w === undefined) return null;
  return /^0*$/.test(w.text) ? null : w;
}

function ntop6(words: readonly number[]): string {
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // glibc inet_ntop: ::a.b.c.d and ::ffff:a.b.c.d keep the embedded IPv4 address.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      const a = words[6] as number;
      const b = words[7] as number;
      out += `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
      return out;
    }
    out += (words[i] as number).toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** inet_ntop() text of the address (keepalived inet_sockaddrtos()). */
export function formatIp(sa: Sockaddr): string {
  return sa.family === 4 ? sa.words.join('.') : ntop6(sa.words);
}

/** keepalived inet_sockaddrtotrio(): `[addr]:proto:port`. */
export function formatTrio(sa: Sockaddr, proto: string | null): string {
  return `[${formatIp(sa)}]:${proto ?? 'none'}:${sa.port}`;
}

/** keepalived sockstorage_equal(): same family, address and port. */
export function sameSockaddr(a: Sockaddr, b: Sockaddr): boolean {
  return a.family === b.family && a.port === b.port && a.words.every((v, i) => v === b.words[i]);
}

/** IN6_IS_ADDR_LINKLOCAL: fe80::/10. */
export function isLinkLocal6(sa: Sockaddr): boolean {
  return sa.family === 6 && ((sa.words[0] as number) & 0xffc0) === 0xfe80;
}

/**
 * glibc inet_aton() in its exact form (getaddrinfo(AI_NUMERICHOST, AF_INET)): 1 to 4 parts,
 * each decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes.
 */
export function inetAtonExact(text: string): boolean {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return false;
  const vals: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = p.length === 1 ? 0 : parseInt(p.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = Number(p);
    else return false;
    vals.push(v);
  }
  const last = vals[vals.length - 1] as number;
  for (let i = 0; i < vals.length - 1; i++) if ((vals[i] as number) > 255) return false;
  const lastMax = [0xffffffff, 0xffffff, 0xffff, 0xff][vals.length - 1] as number;
  return last <= lastMax;
}
