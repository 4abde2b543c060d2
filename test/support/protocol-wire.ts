/**
 * Test support for the wire codecs of src/protocol: hex helpers, the golden vectors of
 * test/vectors/adverts.json, a seeded PRNG for deterministic property tests, and the lab
 * instance of the RFC 3768 checklist (VRID 51, VIP 10.77.0.100, PASS "s3cr3t", advert_int 1).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuthType, InstanceParams, ReceivedPacket } from '../../src/protocol/types';
import type { AdvertFields } from '../../src/protocol/advert';
import { labInstanceParams } from './lab';

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:|-]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex: ${hex}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export interface AdvertVector {
  readonly name: string;
  readonly origin: string;
  readonly fields: {
    readonly vrid: number;
    readonly priority: number;
    readonly adverIntSec: number;
    readonly authType: AuthType;
    readonly password: string;
    readonly addresses: string[];
  };
  readonly checksum: string;
  readonly hex: string;
}

export interface FrameVector {
  readonly name: string;
  readonly origin: string;
  readonly hex: string;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly ipHeaderChecksum: string;
  readonly advert: string;
}

const VECTORS = path.resolve(__dirname, '..', '..', '..', 'test', 'vectors', 'adverts.json');

export function loadVectors(): { adverts: AdvertVector[]; frames: FrameVector[] } {
  return JSON.parse(fs.readFileSync(VECTORS, 'utf8')) as { adverts: AdvertVector[]; frames: FrameVector[] };
}

export function vectorFields(v: AdvertVector): AdvertFields {
  return { ...v.fields, password: ascii(v.fields.password) };
}

/** mulberry32: a small deterministic PRNG; same seed, same sequence, on every run. */
export function prng(seed: number): { int(maxExclusive: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return { int, bytes: (n) => Uint8Array.from({ length: n }, () => int(256)) };
}

/** The checklist's lab instance on node A (prio 150), as the runtime would map it. */
export function labParams(overrides: Partial<InstanceParams> = {}): InstanceParams {
  return labInstanceParams({ basePriority: 150, sourceIp: '10.77.0.1', ...overrides });
}

/** The checklist's forged advert (injector from 10.77.0.60, prio 200), fields to vary. */
export function labFields(overrides: Partial<AdvertFields> = {}): AdvertFields {
  return {
    vrid: 51,
    priority: 200,
    adverIntSec: 1,
    authType: 1,
    password: ascii('s3cr3t'),
    addresses: ['10.77.0.100'],
    ...overrides,
  };
}

/** A received packet as the socket adapter reports it: 20-octet IP header, TTL 255. */
export function received(payload: Uint8Array, overrides: Partial<ReceivedPacket> = {}): ReceivedPacket {
  return {
    payload,
    srcIp: '10.77.0.60',
    dstIp: '224.0.0.18',
    ttl: 255,
    ipTotalLength: 20 + payload.length,
    ipHeaderLength: 20,
    ...overrides,
  };
}
