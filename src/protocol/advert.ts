/**
 * The VRRPv2 advertisement on the wire (RFC 3768 §5.1, §5.3), field by field: encode what we
 * send, decode what we receive. Owns the byte layout only. It never judges a received advert
 * (validate.ts does: version, type, auth, checksum...), never builds the IP header (the
 * socket adapter does) and never touches Buffer: Uint8Array and DataView only.
 *
 *    0                   1                   2                   3
 *   |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
 *   |   Auth Type   |   Adver Int   |          Checksum             |
 *   |                         IP Address (1..n)                     |
 *   |                     Authentication Data (1)                   |
 *   |                     Authentication Data (2)                   |
 */
import {
  AUTH_TYPE_PASS,
  IPV4_ADDR_LEN,
  VRRP_AUTH_LEN,
  VRRP_HEADER_LEN,
  VRRP_MAX_ADDRS,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_VERSION,
  advertLength,
} from './constants';
import { internetChecksum } from './checksum';
import { formatIpv4, ipv4ToNumber } from './ipv4';
import type { Advert, AuthType, RejectReason } from './types';

/** What we put in an advert we send (keepalived vrrp_build_vrrp_v2()). */
export interface AdvertFields {
  /** RFC 3768 §5.3.3, 1..255 (0 is accepted here only so tests can forge it). */
  readonly vrid: number;
  /** RFC 3768 §5.3.4: 0..255, the effective priority; 0 = stop participating. */
  readonly priority: number;
  /** RFC 3768 §5.3.7, whole seconds 0..255. */
  readonly adverIntSec: number;
  /** RFC 3768 §5.3.9, dotted quads in configured order; at most 255. */
  readonly addresses: readonly string[];
  /** RFC 3768 §5.3.6 (1 = keepalived's PASS). */
  readonly authType: AuthType;
  /** PASS only: the password, zero-padded (or truncated) to 8 octets. */
  readonly password?: Uint8Array;
}

export type DecodeResult =
  | { readonly ok: true; readonly advert: Advert }
  | { readonly ok: false; readonly reason: Extract<RejectReason, 'too_short'> };

/** Offsets inside the message (RFC 3768 §5.1). */
export const OFFSET_VERSION_TYPE = 0;
export const OFFSET_VRID = 1;
export const OFFSET_PRIORITY = 2;
export const OFFSET_COUNT = 3;
export const OFFSET_AUTH_TYPE = 4;
export const OFFSET_ADVER_INT = 5;
export const OFFSET_CHECKSUM = 6;

/**
 * The 8 authentication octets for a PASS password (RFC 2338 §5.3.10 type 1; keepalived
 * copies at most 8 characters and zero-fills the rest).
 */
export function passAuthData(password: Uint8Array): Uint8Array {
  const out = new Uint8Array(VRRP_AUTH_LEN);
  out.set(password.subarray(0, VRRP_AUTH_LEN));
  return out;
}

function checkOctet(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 255) {
    throw new RangeError(`${name} must be an integer ${min}..255, got ${value}`);
  }
}

/**
 * Encode an advert: the VRRP message only (IP payload), auth octets included, checksum filled
 * in (RFC 3768 §5.3.8: over the whole message, auth data included, checksum field zero).
 * Throws RangeError on values that cannot be put on the wire: the caller's config is wrong.
 */
export function encodeAdvert(fields: AdvertFields): Uint8Array {
  checkOctet('vrid', fields.vrid, 0);
  checkOctet('priority', fields.priority, 0);
  checkOctet('adverIntSec', fields.adverIntSec, 0);
  if (fields.authType !== 0 && fields.authType !== 1 && fields.authType !== 2) {
    throw new RangeError(`authType must be 0, 1 or 2, got ${String(fields.authType)}`);
  }
  const count = fields.addresses.length;
  if (count > VRRP_MAX_ADDRS) throw new RangeError(`at most ${VRRP_MAX_ADDRS} addresses, got ${count}`);

  const out = new Uint8Array(advertLength(count));
  out[OFFSET_VERSION_TYPE] = (VRRP_VERSION << 4) | VRRP_TYPE_ADVERTISEMENT; // §5.3.1, §5.3.2
  out[OFFSET_VRID] = fields.vrid; // §5.3.3
  out[OFFSET_PRIORITY] = fields.priority; // §5.3.4
  out[OFFSET_COUNT] = count; // §5.3.5
  out[OFFSET_AUTH_TYPE] = fields.authType; // §5.3.6
  out[OFFSET_ADVER_INT] = fields.adverIntSec; // §5.3.7
  for (let i = 0; i < count; i++) {
    const address = fields.addresses[i] as string;
    const n = ipv4ToNumber(address);
    if (n === null) throw new RangeError(`not an IPv4 address: ${JSON.stringify(address)}`);
    const at = VRRP_HEADER_LEN + i * IPV4_ADDR_LEN; // §5.3.9
    out[at] = n >>> 24;
    out[at + 1] = (n >>> 16) & 255;
    out[at + 2] = (n >>> 8) & 255;
    out[at + 3] = n & 255;
  }
  // §5.3.10: zero on transmission, except keepalived's PASS, which carries the password.
  if (fields.authType === AUTH_TYPE_PASS && fields.password !== undefined) {
    out.set(fields.password.subarray(0, VRRP_AUTH_LEN), VRRP_HEADER_LEN + count * IPV4_ADDR_LEN);
  }
  setChecksum(out);
  return out;
}

/**
 * (Re)compute the checksum of a VRRPv2 message in place (RFC 3768 §5.3.8), over the octets
 * the Count field says the message has, clamped to the array. Returns the value written.
 */
export function setChecksum(message: Uint8Array): number {
  if (message.length < VRRP_HEADER_LEN) throw new RangeError('message shorter than the VRRP header');
  const len = Math.min(message.length, advertLength(message[OFFSET_COUNT] as number));
  message[OFFSET_CHECKSUM] = 0;
  message[OFFSET_CHECKSUM + 1] = 0;
  const sum = internetChecksum(message.subarray(0, len));
  message[OFFSET_CHECKSUM] = sum >>> 8;
  message[OFFSET_CHECKSUM + 1] = sum & 255;
  return sum;
}

/**
 * Decode a VRRPv2 message, field by field. Octets after header + Count×4 + 8 auth octets are
 * Ethernet padding and ignored. Decoding judges nothing but completeness: version, type,
 * auth and checksum are reported as found, for validate.ts to check.
 */
export function decodeAdvert(bytes: Uint8Array): DecodeResult {
  if (bytes.length < VRRP_HEADER_LEN) return { ok: false, reason: 'too_short' };
  const count = bytes[OFFSET_COUNT] as number;
  const len = advertLength(count);
  // §7.1: the packet MUST contain the fixed fields, the addresses and the auth data.
  if (bytes.length < len) return { ok: false, reason: 'too_short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vt = bytes[OFFSET_VERSION_TYPE] as number;
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) addresses.push(formatIpv4(bytes, VRRP_HEADER_LEN + i * IPV4_ADDR_LEN));
  const authStart = VRRP_HEADER_LEN + count * IPV4_ADDR_LEN;
  return {
    ok: true,
    advert: {
      version: vt >> 4,
      type: vt & 0x0f,
      vrid: bytes[OFFSET_VRID] as number,
      priority: bytes[OFFSET_PRIORITY] as number,
      countIpAddrs: count,
      authType: bytes[OFFSET_AUTH_TYPE] as number,
      adverIntSec: bytes[OFFSET_ADVER_INT] as number,
      checksum: view.getUint16(OFFSET_CHECKSUM),
      addresses,
      // A copy: the caller may reuse its receive buffer.
      authData: bytes.slice(authStart, authStart + VRRP_AUTH_LEN),
    },
  };
}
