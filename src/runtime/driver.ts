/**
 * The short loop around one pure core (ARCHITECTURE §1): hand it the clock's time and one
 * event, run the actions through the executor, re-arm one timer from nextDeadlineUs().
 * Events for one instance are handled one at a time, in arrival order. A timer that fires
 * early is treated as on time: "now" is clamped up to the deadline it was set for.
 */
import type { Clock } from '../io/ports';
import type { Event, VrrpCore } from '../protocol/types';
import type { ActionExecutor } from './executor';

export class InstanceDriver {
  private timer: NodeJS.Timeout | null = null;
  private spin: NodeJS.Immediate | null = null;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly core: VrrpCore,
    private readonly executor: ActionExecutor,
    private readonly clock: Clock,
  ) {}

  /** Queue an event; resolves when it and every action it produced have run. */
  post(event: Event, notBeforeUs = 0): Promise<void> {
    this.queue = this.queue.then(() => this.step(event, notBeforeUs));
    return this.queue;
  }

  /** No more timers after this (the last event, Shutdown, has been posted). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.spin) clearImmediate(this.spin);
    this.timer = null;
    this.spin = null;
  }

  private async step(event: Event, notBeforeUs: number): Promise<void> {
    if (this.stopped && event.type !== 'Shutdown') return;
    const nowUs = Math.max(this.clock.nowUs(), notBeforeUs);
    const actions = this.core.handle(event, nowUs);
    await this.executor.run(actions);
    this.rearm();
  }

  private rearm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.spin) clearImmediate(this.spin);
    this.timer = null;
    this.spin = null;
    if (this.stopped) return;
    const deadline = this.core.nextDeadlineUs();
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
    if (this.core.state === 'BACKUP') {
      // A BACKUP's Master_Down timer only fires at a takeover (every advert pushes it back), so
      // spending the last millisecond yielding to the event loop to hit it exactly is cheap.
      this.timer = setTimeout(() => this.spinUntil(deadline), Math.max(0, Math.floor(remainingUs / 1000) - 1));
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.post({ type: 'DeadlineReached' }, deadline);
    }, Math.max(0, Math.ceil(remainingUs / 1000)));
  }

  /** Yield to I/O (adverts may still arrive) until the deadline, then fire. */
  private spinUntil(deadline: number): void {
    this.timer = null;
    if (this.stopped) return;
    if (this.clock.nowUs() >= deadline) {
      void this.post({ type: 'DeadlineReached' }, deadline);
      return;
    }
    this.spin = setImmediate(() => this.spinUntil(deadline));
  }
}

/** The monotonic clock in integer microseconds. */
export const monotonicClock: Clock = {
  nowUs: () => Number(process.hrtime.bigint() / 1000n),
};
