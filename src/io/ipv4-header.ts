/**
 * The IPv4 header around a VRRP message, for the raw socket adapter (vrrp-socket.ts): build
 * the 20-octet header we send with IP_HDRINCL (so the source can be any configured address),
 * and parse the header the kernel hands us with every received datagram. Pure: octets in,
 * octets or fields out; no node:* imports, no Buffer, no I/O. It never judges a packet (TTL,
 * lengths and protocol are reported as found; validate.ts and the adapter decide).
 *
 *    0                   1                   2                   3
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 */
import { internetChecksum } from '../protocol/checksum';
import { IPPROTO_VRRP, IPV4_HEADER_LEN, VRRP_TOS, VRRP_TTL } from '../protocol/constants';
import { formatIpv4, ipv4Octets } from '../protocol/ipv4';

/** What goes into the header we send (keepalived vrrp_build_ip4()). */
export interface Ipv4HeaderFields {
  /** Source address: mcast_src_ip / unicast_src_ip or the interface's primary. */
  readonly src: string;
  /** 224.0.0.18 or a unicast peer. */
  readonly dst: string;
  /** Octets after the header (the VRRP message). */
  readonly payloadLength: number;
  /** RFC 3768 §5.2.3: 255 (keepalived `unicast_ttl` may lower it for unicast). */
  readonly ttl?: number;
  /** keepalived: id 0, which the Linux kernel replaces on IP_HDRINCL sends (raw(7)). */
  readonly id?: number;
  /** keepalived: TOS 0xC0 (DSCP CS6). */
  readonly tos?: number;
  /** RFC 3768 §5.2.4: 112 (51 would be AH, which we do not send). */
  readonly protocol?: number;
}

/** What the adapter needs from a received header (ReceivedPacket's IP fields). */
export interface ParsedIpv4Header {
  readonly src: string;
  readonly dst: string;
  readonly ttl: number;
  /** The Total Length field, as found (not checked against the datagram). */
  readonly totalLength: number;
  /** IHL × 4, options included. */
  readonly headerLength: number;
  readonly protocol: number;
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer 0..${max}, got ${value}`);
  }
}

/**
 * A 20-octet IPv4 header: version 4, IHL 5, no options, DF clear, no fragment offset, the
 * checksum filled in (RFC 791 §3.1; the kernel recomputes it on IP_HDRINCL sends anyway).
 * Throws RangeError on addresses or values that cannot go on the wire.
 */
export function buildIpv4Header(fields: Ipv4HeaderFields): Uint8Array {
  const ttl = fields.ttl ?? VRRP_TTL;
  const id = fields.id ?? 0;
  const tos = fields.tos ?? VRRP_TOS;
  const protocol = fields.protocol ?? IPPROTO_VRRP;
  const totalLength = IPV4_HEADER_LEN + fields.payloadLength;
  checkRange('payloadLength', fields.payloadLength, 0xffff - IPV4_HEADER_LEN);
  checkRange('ttl', ttl, 255);
  checkRange('id', id, 0xffff);
  checkRange('tos', tos, 255);
  checkRange('protocol', protocol, 255);

  const h = new Uint8Array(IPV4_HEADER_LEN);
  h[0] = 0x45; // version 4, IHL 5 (20 octets, no options)
  h[1] = tos;
  h[2] = totalLength >>> 8;
  h[3] = totalLength & 255;
  h[4] = id >>> 8;
  h[5] = id & 255;
  // h[6], h[7]: flags and fragment offset 0 (keepalived: DF clear).
  h[8] = ttl;
  h[9] = protocol;
  h.set(ipv4Octets(fields.src), 12);
  h.set(ipv4Octets(fields.dst), 16);
  const sum = internetChecksum(h); // over the header with the checksum field still zero
  h[10] = sum >>> 8;
  h[11] = sum & 255;
  return h;
}

/** The header followed by `payload`, ready for a raw IP_HDRINCL send. */
export function buildIpv4Packet(fields: Omit<Ipv4HeaderFields, 'payloadLength'>, payload: Uint8Array): Uint8Array {
  const header = buildIpv4Header({ ...fields, payloadLength: payload.length });
  const out = new Uint8Array(header.length + payload.length);
  out.set(header);
  out.set(payload, header.length);
  return out;
}

/**
 * The fields of the IPv4 header at the start of `bytes` (what a Linux raw IPv4 socket
 * receives: the header in network order, as on the wire). Null if it is not a complete IPv4
 * header: too short, version ≠ 4, IHL < 5, or fewer octets than IHL says.
 */
export function parseIpv4Header(bytes: Uint8Array, offset = 0, length = bytes.length - offset): ParsedIpv4Header | null {
  if (offset < 0 || length < IPV4_HEADER_LEN || offset + length > bytes.length) return null;
  const vihl = bytes[offset] as number;
  if (vihl >> 4 !== 4) return null;
  const headerLength = (vihl & 0x0f) * 4;
  if (headerLength < IPV4_HEADER_LEN || length < headerLength) return null;
  return {
    src: formatIpv4(bytes, offset + 12),
    dst: formatIpv4(bytes, offset + 16),
    ttl: bytes[offset + 8] as number,
    totalLength: ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number),
    headerLength,
    protocol: bytes[offset + 9] as number,
  };
}
