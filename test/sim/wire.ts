/**
 * The wire side of the simulator (test/sim/lan.ts): a seedable PRNG, IPv4 and RFC 3768 §6.1
 * timer arithmetic used as an independent oracle by the tests, the checklist harness's default
 * InstanceParams, and the packets a SendAdvert becomes (through the real encodeAdvert) or an
 * injector forges. Pure helpers: no clock, no I/O.
 */
import type { InstanceParams, ReceivedPacket } from '../../src/protocol/types';
import { encodeAdvert } from '../../src/protocol/advert';
import { LAB_GARP, labInstanceParams, makeRng } from '../support/lab';

export const VRRP_MCAST_GROUP = '224.0.0.18';
export const IP_HEADER_LEN = 20;
export const SEC_US = 1_000_000;

// ---------------------------------------------------------------------------------------------
// PRNG and small helpers

export { makeRng };

/** Dotted quad to an unsigned 32-bit number (RFC 9568: compare addresses as unsigned integers). */
export function ipToU32(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) {
    throw new Error(`bad IPv4 address ${ip}`);
  }
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
}

/**
 * RFC 3768 §6.1 Skew_Time in µs, rounded down like keepalived's VRRP_TIMER_SKEW integer
 * division (exact for priority 100: 609 375 µs). An independent oracle, not the core's timers.ts.
 */
export function skewUs(priority: number): number {
  return Math.floor(((256 - priority) * SEC_US) / 256);
}

/** RFC 3768 §6.1 Master_Down_Interval in µs. */
export function mdiUs(priority: number, advertIntUs = SEC_US, downTimerAdverts = 3): number {
  return downTimerAdverts * advertIntUs + skewUs(priority);
}


/** The default VIP of a VRID: the harness's 10.77.0.100 for VRID 51, else 10.77.<vrid>.100. */
export function defaultVip(vrid: number): string {
  return vrid === 51 ? '10.77.0.100' : `10.77.${vrid}.100`;
}

export type ParamsInput = Partial<Omit<InstanceParams, 'garp'>> & {
  readonly vrid: number;
  readonly garp?: Partial<InstanceParams['garp']>;
};

/**
 * Full InstanceParams with the checklist harness's defaults (§2.0): priority 100, advert_int
 * 1 s, auth PASS "s3cr3t", keepalived's GARP defaults (5 per VIP, second burst after 5 s).
 */
export function instanceParams(input: ParamsInput, sourceIp = '10.77.0.1'): InstanceParams {
  const { garp, ...rest } = input;
  return labInstanceParams({ name: `VI_${input.vrid}`, vips: [defaultVip(input.vrid)], sourceIp, ...rest, garp: { ...LAB_GARP, ...garp } });
}

/** The VRRP message an instance with `params` sends at `priority`, through the real codec. */
export function encodeFor(params: InstanceParams, priority: number): Uint8Array {
  const adverIntSec = Math.round(params.advertIntUs / SEC_US);
  return params.auth === null
    ? encodeAdvert({ vrid: params.vrid, priority, adverIntSec, addresses: params.vips, authType: 0 })
    : encodeAdvert({
        vrid: params.vrid,
        priority,
        adverIntSec,
        addresses: params.vips,
        authType: 1,
        password: params.auth.password,
      });
}

/** Wrap a VRRP message the way the IP layer hands it to the driver. */
export function toPacket(
  payload: Uint8Array,
  srcIp: string,
  over: Partial<Omit<ReceivedPacket, 'payload' | 'srcIp'>> = {},
): ReceivedPacket {
  return {
    payload,
    srcIp,
    dstIp: VRRP_MCAST_GROUP,
    ttl: 255,
    ipTotalLength: IP_HEADER_LEN + payload.length,
    ipHeaderLength: IP_HEADER_LEN,
    ...over,
  };
}

/** RFC 1071 ones-complement sum over `b` (VRRPv2 checksum, RFC 3768 §5.3.8). */
export function inetChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Recompute the checksum of a (mutated) VRRP message in place; returns it for chaining. */
export function fixChecksum(msg: Uint8Array): Uint8Array {
  msg[6] = 0;
  msg[7] = 0;
  const c = inetChecksum(msg);
  msg[6] = c >>> 8;
  msg[7] = c & 0xff;
  return msg;
}
