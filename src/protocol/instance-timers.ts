/**
 * The timers of one instance, as plain deadlines in µs: RFC 3768's Master_Down_Timer and
 * Adver_Timer, keepalived's GARP timers (second burst, refresh, lower-priority burst) and
 * preempt_delay.
 *
 * Owns: when each timer fires and how it re-arms. It decides nothing about the protocol
 * (instance.ts does) and never reads a clock: every method is handed the time.
 */
import type { GarpSchedule } from './types';

/** How the Master_Down_Timer was armed, so a priority change can recompute it. */
export type DownKind = 'full' | 'skew';

/** What fired at one instant while MASTER, in the order it must be acted on. */
export interface MasterDue {
  readonly advert: boolean;
  /** Gratuitous ARP bursts (count per VIP), in order: second burst, refresh, lower-priority burst. */
  readonly garpCounts: readonly number[];
}

/** The earlier of two deadlines, either of which may be unset. */
function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null || a <= b ? a : b;
}

export class InstanceTimers {
  downStartUs = 0;
  downKind: DownKind = 'full';
  downAtUs: number | null = null;
  adverAtUs: number | null = null;
  garpBurstAtUs: number | null = null;
  garpRefreshAtUs: number | null = null;
  lowerPrioGarpAtUs: number | null = null;
  preemptAtUs: number | null = null;

  constructor(
    private advertIntUs: number,
    private garp: GarpSchedule,
  ) {}

  /**
   * A reload changed the intervals: a running Adver_Timer keeps its last reset and moves to the
   * new interval from there; the GARP timers keep their deadlines until they next re-arm.
   */
  reconfigure(advertIntUs: number, garp: GarpSchedule): void {
    if (this.adverAtUs !== null) this.adverAtUs += advertIntUs - this.advertIntUs;
    this.advertIntUs = advertIntUs;
    this.garp = garp;
  }

  clear(): void {
    this.downAtUs = null;
    this.adverAtUs = null;
    this.garpBurstAtUs = null;
    this.garpRefreshAtUs = null;
    this.lowerPrioGarpAtUs = null;
    this.preemptAtUs = null;
  }

  armDown(nowUs: number, kind: DownKind, intervalUs: number): void {
    this.downStartUs = nowUs;
    this.downKind = kind;
    this.downAtUs = nowUs + intervalUs;
  }

  /** keepalived vrrp_set_effective_priority(): recompute from the last reset, not from now. */
  moveDown(intervalUs: number): void {
    if (this.downAtUs !== null) this.downAtUs = this.downStartUs + intervalUs;
  }

  /** Entering MASTER: Adver_Timer, the second GARP burst (if any) and the GARP refresh (if on). */
  startMaster(nowUs: number): void {
    this.resetAdver(nowUs);
    const g = this.garp;
    if (g.masterRepeat > 0 && g.masterDelayUs > 0) this.garpBurstAtUs = nowUs + g.masterDelayUs;
    if (g.masterRefreshUs > 0) this.garpRefreshAtUs = nowUs + g.masterRefreshUs;
  }

  /** RFC 3768 §6.4.3: Adver_Timer = Advertisement_Interval. */
  resetAdver(nowUs: number): void {
    this.adverAtUs = nowUs + this.advertIntUs;
  }

  armLowerPrioBurst(nowUs: number): void {
    // keepalived schedules a delayed burst per lower-priority advert; with one timer we keep
    // the earliest pending one, so a stream of such adverts never postpones it.
    if (this.garp.lowerPrioDelayUs > 0) this.lowerPrioGarpAtUs ??= nowUs + this.garp.lowerPrioDelayUs;
  }

  /** The earliest MASTER timer; read several times per advert, so it allocates nothing. */
  nextMasterUs(): number | null {
    return earliest(earliest(this.adverAtUs, this.garpBurstAtUs), earliest(this.garpRefreshAtUs, this.lowerPrioGarpAtUs));
  }

  /** Fires every MASTER timer due at `t` and re-arms the periodic ones from `t`. */
  fireMaster(t: number): MasterDue {
    const advert = isDue(this.adverAtUs, t);
    if (advert) this.resetAdver(t);
    if (!isDue(this.garpBurstAtUs, t) && !isDue(this.garpRefreshAtUs, t) && !isDue(this.lowerPrioGarpAtUs, t)) {
      return advert ? ADVERT_ONLY : NOTHING_DUE; // what every advert interval brings: no allocation
    }
    const garpCounts: number[] = [];
    if (isDue(this.garpBurstAtUs, t)) {
      garpCounts.push(this.garp.masterRepeat);
      this.garpBurstAtUs = null;
    }
    if (isDue(this.garpRefreshAtUs, t)) {
      garpCounts.push(this.garp.masterRefreshRepeat);
      this.garpRefreshAtUs = t + this.garp.masterRefreshUs;
    }
    if (isDue(this.lowerPrioGarpAtUs, t)) {
      garpCounts.push(this.garp.lowerPrioRepeat);
      this.lowerPrioGarpAtUs = null;
    }
    return { advert, garpCounts };
  }
}

function isDue(at: number | null, t: number): boolean {
  return at !== null && at <= t;
}

const ADVERT_ONLY: MasterDue = Object.freeze({ advert: true, garpCounts: Object.freeze([]) });
const NOTHING_DUE: MasterDue = Object.freeze({ advert: false, garpCounts: Object.freeze([]) });
