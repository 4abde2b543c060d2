/**
 * IP address text as keepalived accepts it: inet_pton(3) rules (no leading zeros in IPv4
 * octets, `::` compression and embedded IPv4 in IPv6), the family chosen by the presence of
 * ':' (keepalived parse_ipaddress()), and `/prefix` lengths. Pure; returns null on bad input.
 */
import type { IpFamily } from './model';

/** inet_pton(AF_INET): four decimal octets, no leading zeros, nothing else. */
export function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}

/** inet_pton(AF_INET6): eight 16-bit groups, one `::`, an optional trailing dotted quad. */
export function parseIpv6(text: string): number[] | null {
  if (text.length === 0 || /[^0-9a-fA-F:.]/.test(text)) return null;
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s.length === 0) return [];
    const groups: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] as string;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      groups.push(parseInt(p, 16));
    }
    return groups;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = parseGroups(text.slice(0, dbl));
    const tail = parseGroups(text.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  return groups;
}

export interface ParsedAddress {
  readonly family: IpFamily;
  /** Canonical text (IPv4 dotted quad; IPv6 as given, lower-cased). */
  readonly address: string;
}

/** keepalived inet_stosockaddr()-style: an address of either family, no prefix. */
export function parseAddress(text: string): ParsedAddress | null {
  if (text.includes(':')) {
    return parseIpv6(text) ? { family: 6, address: text.toLowerCase() } : null;
  }
  return parseIpv4(text) ? { family: 4, address: text } : null;
}

export function isIpv4Multicast(text: string): boolean {
  const v = parseIpv4(text);
  return v !== null && (v[0] as number) >= 224 && (v[0] as number) <= 239;
}

/** The 32-bit value of an IPv4 address (for broadcast and prefix arithmetic). */
export function ipv4ToNumber(octets: readonly number[]): number {
  return (((octets[0] as number) << 24) >>> 0) + ((octets[1] as number) << 16) + ((octets[2] as number) << 8) + (octets[3] as number);
}

export function numberToIpv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
