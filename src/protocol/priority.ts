/**
 * Effective priority from the configured base priority and the trackers' weights.
 *
 * Owns: the clamp rule only (keepalived vrrp_track.c: vrrp_set_effective_priority()). The
 * trackers themselves (scripts, interfaces, files) live in the runtime, which hands the core
 * the summed delta. Pure: no state, no I/O.
 */

import { PRIORITY_OWNER } from './constants';

/** RFC 3768 §5.3.4: backups use 1..254. */
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX_BACKUP = 254;

/**
 * keepalived: vrrp_set_effective_priority(). An owner (base 255) ignores weights and stays
 * 255; anyone else gets base + delta clamped to 1..254.
 */
export function effectivePriority(basePriority: number, trackerDelta: number): number {
  if (basePriority === PRIORITY_OWNER) return PRIORITY_OWNER;
  const total = basePriority + trackerDelta;
  if (total < PRIORITY_MIN) return PRIORITY_MIN;
  if (total > PRIORITY_MAX_BACKUP) return PRIORITY_MAX_BACKUP;
  return total;
}
