/**
 * The short loop around one pure machine (ARCHITECTURE §1): a lone instance or a sync group of
 * them. Hand it the clock's time and one event, run the actions it answers with, re-arm one
 * timer from nextDeadlineUs(). Events are handled one at a time, in arrival order. A timer
 * that fires early is treated as on time: "now" is clamped up to the deadline it was set for.
 * A received advert is handled at the time the kernel received it, not the time the event loop
 * got to it: that time anchors Master_Down_Timer (RFC 3768 §6.4.2). "now" never goes back.
 */
import type { Clock } from '../io/ports';
import type { Event } from '../protocol/types';
import type { GroupAction } from '../protocol/sync-group';

/** A lone instance or a sync group, as the driver sees it (machines.ts). */
export interface Machine {
  /**
   * One event; `member` names the instance it concerns (an advert, a tracker change), null
   * for events of the whole machine (Startup, Shutdown, DeadlineReached).
   */
  handle(event: Event, member: string | null, nowUs: number): GroupAction[];
  nextDeadlineUs(): number | null;
  /** Some member is BACKUP: the next deadline is a takeover, worth hitting exactly. */
  readonly awaitsTakeover: boolean;
}

/** When an event is handled, when the clock's time is not the right answer. */
export interface StepTime {
  /** A deadline being fired: now is at least this (a timer that fires early is on time). */
  readonly notBeforeUs?: number;
  /** When the event happened (a datagram's kernel receive time), used instead of the clock. */
  readonly atUs?: number;
}

/** Runs the actions of one step, in order; never rejects. */
export type ActionSink = (actions: readonly GroupAction[]) => Promise<void>;

export class MachineDriver {
  private timer: NodeJS.Timeout | null = null;
  private spin: NodeJS.Immediate | null = null;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The "now" of the last step: the machine never sees time go back. */
  private lastNowUs = 0;

  constructor(
    readonly machine: Machine,
    private readonly run: ActionSink,
    private readonly clock: Clock,
    private readonly onStepError: (event: Event, error: unknown) => void = () => undefined,
  ) {}

  /** Queue an event; resolves when it and every action it produced have run. */
  post(event: Event, member: string | null = null, time: StepTime = {}): Promise<void> {
    return this.postWith(null, event, member, time);
  }

  /**
   * Queue an event with `prepare` run just before it, in queue order (a reload swaps an
   * instance's spec exactly between two steps).
   */
  postWith(prepare: (() => void) | null, event: Event, member: string | null = null, time: StepTime = {}): Promise<void> {
    // A step that throws (a bug, never a bad peer) is reported and the queue goes on, so a
    // later event, Shutdown included, still runs.
    this.queue = this.queue
      .then(() => {
        if (!this.stopped || event.type === 'Shutdown') prepare?.();
        return this.step(event, member, time);
      })
      .catch((e: unknown) => {
        this.onStepError(event, e);
        this.rearm();
      });
    return this.queue;
  }

  /** Resolves when every queued step has run. */
  drain(): Promise<void> {
    return this.queue;
  }

  /** Arm the timer from the machine's deadlines (a machine rebuilt around running cores). */
  resume(): void {
    this.rearm();
  }

  /** No more timers after this (the last event, Shutdown, has been posted). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.spin) clearImmediate(this.spin);
    this.timer = null;
    this.spin = null;
  }

  private async step(event: Event, member: string | null, time: StepTime): Promise<void> {
    if (this.stopped && event.type !== 'Shutdown') return;
    const at = time.atUs !== undefined && Number.isFinite(time.atUs) ? time.atUs : this.clock.nowUs();
    const nowUs = Math.max(at, time.notBeforeUs ?? 0, this.lastNowUs);
    this.lastNowUs = nowUs;
    const actions = this.machine.handle(event, member, nowUs);
    await this.run(actions);
    this.rearm();
  }

  private rearm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.spin) clearImmediate(this.spin);
    this.timer = null;
    this.spin = null;
    if (this.stopped) return;
    const deadline = this.machine.nextDeadlineUs();
    if (deadline === null) return;
    this.armFor(deadline);
  }

  /**
   * Wake up at `deadline` (µs) as closely as setTimeout allows. The kernel may stretch a long
   * poll timeout by 0.1 % (3.6 ms on a Master_Down_Interval), so a long wait aims early by that
   * slack plus 1 ms and then finishes with a short timer, which lands within about a millisecond
   * of the deadline (keepalived: timerfd, ~0.2 ms). Measured by npm run bench:failover.
   */
  private armFor(deadline: number): void {
    const remainingUs = deadline - this.clock.nowUs();
    if (remainingUs > 2_000) {
      const leadUs = 1_000 + Math.ceil(remainingUs * 0.0015);
      this.timer = setTimeout(() => this.armFor(deadline), Math.floor((remainingUs - leadUs) / 1000));
      return;
    }
    if (this.machine.awaitsTakeover) {
      // A BACKUP's Master_Down timer only fires at a takeover (every advert pushes it back), so
      // spending the last millisecond yielding to the event loop to hit it exactly is cheap.
      // The spin starts from setImmediate, after the loop's poll phase: a timer found overdue
      // (the process was stalled) never fires before the adverts queued meanwhile are read,
      // each of which re-arms it from its own arrival time.
      this.timer = setTimeout(() => {
        this.timer = null;
        this.spin = setImmediate(() => this.spinUntil(deadline));
      }, Math.max(0, Math.floor(remainingUs / 1000) - 1));
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.post({ type: 'DeadlineReached' }, null, { notBeforeUs: deadline });
    }, Math.max(0, Math.ceil(remainingUs / 1000)));
  }

  /** Yield to I/O (adverts may still arrive) until the deadline, then fire. */
  private spinUntil(deadline: number): void {
    this.spin = null;
    if (this.stopped) return;
    if (this.clock.nowUs() >= deadline) {
      void this.post({ type: 'DeadlineReached' }, null, { notBeforeUs: deadline });
      return;
    }
    this.spin = setImmediate(() => this.spinUntil(deadline));
  }
}

/**
 * The monotonic clock in integer microseconds. performance.now() is monotonic, has
 * sub-microsecond resolution and allocates no BigInt, so the last-millisecond spin before a
 * takeover does not feed the garbage collector (a young-generation scavenge there costs ~1 ms).
 */
export const monotonicClock: Clock = {
  nowUs: () => Math.floor(performance.now() * 1000),
};
