/**
 * RFC 3768 §6.1 timer arithmetic in integer µs (src/protocol/timers.ts), with keepalived's
 * integer rounding (VRRP_TIMER_SKEW, VRRP_MS_DOWN_TIMER).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { masterDownIntervalUs, skewTimeUs } from '../../../src/protocol/timers';

test('§6.1 Skew_Time = (256 − 100) / 256 s = 609 375 µs', () => {
  assert.equal(skewTimeUs(100), 609_375);
});

test('§6.1 Skew_Time at the ends of the range: 255 → 3 906 µs, 254 → 7 812 µs, 1 → 996 093 µs (rounded down like keepalived)', () => {
  assert.equal(skewTimeUs(255), 3_906);
  assert.equal(skewTimeUs(254), 7_812);
  assert.equal(skewTimeUs(1), 996_093);
  assert.equal(skewTimeUs(150), 414_062);
});

test('§6.1 Master_Down_Interval = 3 × Advertisement_Interval + Skew_Time: 3 609 375 µs at priority 100, advert_int 1', () => {
  assert.equal(masterDownIntervalUs(1_000_000, 100), 3_609_375);
});

test('§6.1 Master_Down_Interval for the checklist #36 cases: p 1 → 3 996 093, p 254 → 3 007 812, adv 2 s p 100 → 6 609 375', () => {
  assert.equal(masterDownIntervalUs(1_000_000, 1), 3_996_093);
  assert.equal(masterDownIntervalUs(1_000_000, 254), 3_007_812);
  assert.equal(masterDownIntervalUs(2_000_000, 100), 6_609_375);
});

test('keepalived vrrp_down_timer_adverts replaces the 3: 1 → 1 609 375, 5 → 5 609 375 (p 100, adv 1 s)', () => {
  assert.equal(masterDownIntervalUs(1_000_000, 100, 1), 1_609_375);
  assert.equal(masterDownIntervalUs(1_000_000, 100, 5), 5_609_375);
});

test('timers reject values that are not a VRRP priority or a positive integer interval', () => {
  assert.throws(() => skewTimeUs(0), RangeError);
  assert.throws(() => skewTimeUs(256), RangeError);
  assert.throws(() => skewTimeUs(99.5), RangeError);
  assert.throws(() => masterDownIntervalUs(0, 100), RangeError);
  assert.throws(() => masterDownIntervalUs(1.5, 100), RangeError);
  assert.throws(() => masterDownIntervalUs(1_000_000, 100, 0), RangeError);
});
