/**
 * The checklist's lab (shared/reference/rfc3768-checklist.md §2.0) as InstanceParams, and the
 * seeded PRNG every randomised test uses. One definition for the unit tests, the simulator
 * and the integration tests: VRID 51, VIP 10.77.0.100, advert_int 1 s, PASS "s3cr3t",
 * keepalived's GARP defaults (5 per VIP, second burst after 5 s, no refresh).
 */
import type { GarpSchedule, InstanceParams } from '../../src/protocol/types';

export const LAB_GARP: GarpSchedule = {
  masterRepeat: 5,
  masterDelayUs: 5_000_000,
  masterRefreshUs: 0,
  masterRefreshRepeat: 1,
  lowerPrioRepeat: 5,
  lowerPrioDelayUs: 5_000_000,
};

/** Lab node B (priority 100, 10.77.0.2) unless overridden. */
export function labInstanceParams(overrides: Partial<InstanceParams> = {}): InstanceParams {
  return {
    name: 'VI_1',
    vrid: 51,
    basePriority: 100,
    advertIntUs: 1_000_000,
    wantMaster: false,
    auth: { type: 'PASS', password: new TextEncoder().encode('s3cr3t') },
    vips: ['10.77.0.100'],
    sourceIp: '10.77.0.2',
    unicastPeers: [],
    checkUnicastSrc: false,
    nopreempt: false,
    preemptDelayUs: 0,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    skipCheckAdvAddr: false,
    downTimerAdverts: 3,
    garp: LAB_GARP,
    startupDelayUs: 0,
    ...overrides,
  };
}

/** mulberry32: a tiny, fast, seedable 32-bit PRNG; returns floats in [0, 1). */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
