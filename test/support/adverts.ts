/**
 * Received adverts as the socket adapter reports them, for the state-machine tests: the
 * VRRP message comes from the real encoder (src/protocol/advert.ts encodeAdvert), wrapped in
 * what the IP layer tells us (source, destination, TTL, lengths). Defaults are the RFC 3768
 * checklist lab: VRID 51, VIP 10.77.0.100, PASS "s3cr3t", advert_int 1, to 224.0.0.18, TTL 255.
 */
import { encodeAdvert } from '../../src/protocol/advert';
import type { Event, ReceivedPacket } from '../../src/protocol/types';

export const LAB_VRID = 51;
export const LAB_VIP = '10.77.0.100';
export const LAB_PASSWORD = 's3cr3t';

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export interface AdvertSpec {
  readonly priority: number;
  readonly srcIp: string;
  readonly vrid?: number;
  readonly addresses?: readonly string[];
  /** null = auth type 0. */
  readonly password?: string | null;
  readonly adverIntSec?: number;
  readonly ttl?: number;
  readonly dstIp?: string;
}

export function advertPacket(spec: AdvertSpec): ReceivedPacket {
  const password = spec.password === undefined ? LAB_PASSWORD : spec.password;
  const payload = encodeAdvert({
    vrid: spec.vrid ?? LAB_VRID,
    priority: spec.priority,
    adverIntSec: spec.adverIntSec ?? 1,
    addresses: spec.addresses ?? [LAB_VIP],
    authType: password === null ? 0 : 1,
    ...(password === null ? {} : { password: ascii(password) }),
  });
  return {
    payload,
    srcIp: spec.srcIp,
    dstIp: spec.dstIp ?? '224.0.0.18',
    ttl: spec.ttl ?? 255,
    ipTotalLength: 20 + payload.length,
    ipHeaderLength: 20,
  };
}

/** The AdvertReceived event for a lab advert from `srcIp` at `priority`. */
export function advertFrom(
  srcIp: string,
  priority: number,
  spec: Partial<AdvertSpec> = {},
): Extract<Event, { type: 'AdvertReceived' }> {
  return { type: 'AdvertReceived', packet: advertPacket({ ...spec, srcIp, priority }) };
}
