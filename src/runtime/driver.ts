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
    this.timer = null;
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
    this.timer = null;
    if (this.stopped) return;
    const deadline = this.core.nextDeadlineUs();
    if (deadline === null) return;
    const delayMs = Math.max(0, Math.ceil((deadline - this.clock.nowUs()) / 1000));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.post({ type: 'DeadlineReached' }, deadline);
    }, delayMs);
  }
}

/** The monotonic clock in integer microseconds. */
export const monotonicClock: Clock = {
  nowUs: () => Number(process.hrtime.bigint() / 1000n),
};
