/**
 * VRRPv2 timer arithmetic (RFC 3768 §6.1), in integer microseconds.
 *
 * Owns: Skew_Time and Master_Down_Interval. Pure arithmetic only: no clock, no timers, no
 * state. Rounding follows keepalived's VRRP_TIMER_SKEW for v2, which divides integers
 * ((256 − prio) × TIMER_HZ / 256), so every value here is a whole number of µs.
 */

export const US_PER_SEC = 1_000_000;

/** RFC 3768 §6.1 Master_Down_Interval = 3 × Advertisement_Interval + Skew_Time. */
export const DEFAULT_DOWN_TIMER_ADVERTS = 3;

function assertPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 1 || priority > 255) {
    throw new RangeError(`VRRP priority must be an integer 1..255, got ${priority}`);
  }
}

/**
 * RFC 3768 §6.1 Skew_Time = (256 − Priority) / 256 seconds, in whole µs (keepalived rounds
 * down the same way). Priority 100 → 609 375 µs; 255 → 3 906 µs; 1 → 996 093 µs.
 */
export function skewTimeUs(priority: number): number {
  assertPriority(priority);
  return Math.floor(((256 - priority) * US_PER_SEC) / 256);
}

/**
 * RFC 3768 §6.1 Master_Down_Interval = 3 × Advertisement_Interval + Skew_Time.
 * keepalived: `vrrp_down_timer_adverts` replaces the 3 (VRRP_MS_DOWN_TIMER).
 * Priority 100, advert_int 1 s → 3 609 375 µs.
 */
export function masterDownIntervalUs(
  advertIntUs: number,
  priority: number,
  downTimerAdverts: number = DEFAULT_DOWN_TIMER_ADVERTS,
): number {
  if (!Number.isInteger(advertIntUs) || advertIntUs <= 0) {
    throw new RangeError(`advertisement interval must be a positive integer of µs, got ${advertIntUs}`);
  }
  if (!Number.isInteger(downTimerAdverts) || downTimerAdverts < 1) {
    throw new RangeError(`down_timer_adverts must be a positive integer, got ${downTimerAdverts}`);
  }
  return downTimerAdverts * advertIntUs + skewTimeUs(priority);
}
