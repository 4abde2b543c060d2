/**
 * IPv4 dotted-quad text <-> 4 octets, for the wire codecs of the core (adverts, GARP).
 * inet_pton(AF_INET) rules: four decimal octets 0..255, no leading zeros. Pure; the config
 * front end has its own parser, the core does not import config/.
 */

/** inet_pton(AF_INET) without regexes or allocation: the hot path of every advert. */
function scanIpv4(text: string): number | null {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // no leading zeros
      octet = octet * 10 + (c - 48);
      if (octet > 255) return null;
      digits++;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

/** The same few addresses (VIPs, peers, our source) are parsed on every advert: remember them. */
const cache = new Map<string, number | null>();
const CACHE_LIMIT = 4096;

/** The address as an unsigned 32-bit number (network order), or null if not a dotted quad. */
export function ipv4ToNumber(text: string): number | null {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const n = scanIpv4(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, n);
  return n;
}

/** The 4 octets of a dotted quad, or null if it is not one. */
export function parseIpv4Octets(text: string): Uint8Array | null {
  const n = ipv4ToNumber(text);
  if (n === null) return null;
  return Uint8Array.of((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** Like parseIpv4Octets, but a bad address is a programming error here. */
export function ipv4Octets(text: string): Uint8Array {
  const octets = parseIpv4Octets(text);
  if (octets === null) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return octets;
}


/**
 * The dotted quads formatIpv4 has made, by address as a 32-bit integer. Every received advert
 * formats its source, its destination and its VIPs, which are the same few addresses again and
 * again: a hit costs no string building, and the string it returns already has its hash, so the
 * sets and maps it is looked up in next do not hash it again. Bounded: emptied when full, so a
 * flood from random sources costs no memory.
 */
const IPV4_TEXT_CACHE_MAX = 4096;
const ipv4Text = new Map<number, string>();

/** Dotted quad of 4 octets at `offset`. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  if (offset < 0 || offset + 4 > bytes.length) throw new RangeError('IPv4 address out of range');
  const a = bytes[offset] as number;
  const b = bytes[offset + 1] as number;
  const c = bytes[offset + 2] as number;
  const d = bytes[offset + 3] as number;
  const key = (a << 24) | (b << 16) | (c << 8) | d;
  let text = ipv4Text.get(key);
  if (text === undefined) {
    if (ipv4Text.size >= IPV4_TEXT_CACHE_MAX) ipv4Text.clear();
    text = `${a}.${b}.${c}.${d}`;
    ipv4Text.set(key, text);
  }
  return text;
}

/** 224.0.0.0/4 (RFC 5771). A non-address is not multicast. */
export function isIpv4Multicast(text: string): boolean {
  const n = ipv4ToNumber(text);
  return n !== null && n >>> 28 === 0xe;
}
