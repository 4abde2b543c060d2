/**
 * IPv4 dotted-quad text <-> 4 octets, for the wire codecs of the core (adverts, GARP).
 * inet_pton(AF_INET) rules: four decimal octets 0..255, no leading zeros. Pure; the config
 * front end has its own parser, the core does not import config/.
 */

/** The 4 octets of a dotted quad, or null if it is not one. */
export function parseIpv4Octets(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Like parseIpv4Octets, but a bad address is a programming error here. */
export function ipv4Octets(text: string): Uint8Array {
  const octets = parseIpv4Octets(text);
  if (octets === null) throw new RangeError(`not an IPv4 address: ${JSON.stringify(text)}`);
  return octets;
}

/** The address as an unsigned 32-bit number (network order), or null if not a dotted quad. */
export function ipv4ToNumber(text: string): number | null {
  const o = parseIpv4Octets(text);
  if (o === null) return null;
  return (((o[0] as number) << 24) >>> 0) + ((o[1] as number) << 16) + ((o[2] as number) << 8) + (o[3] as number);
}

/** Dotted quad of 4 octets at `offset`. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  if (offset < 0 || offset + 4 > bytes.length) throw new RangeError('IPv4 address out of range');
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/** 224.0.0.0/4 (RFC 5771). A non-address is not multicast. */
export function isIpv4Multicast(text: string): boolean {
  const o = parseIpv4Octets(text);
  return o !== null && ((o[0] as number) & 0xf0) === 0xe0;
}
