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
import { sharedWheel, type CoarseWheel, type WheelClient } from './coarse-wheel';

/** A lone instance or a sync group, as the driver sees it (machines.ts). */
export interface Machine {
  /**
   * One event; `member` names the instance it concerns (an advert, a tracker change), null
   * for events of the whole machine (Startup, Shutdown, DeadlineReached).
   */
  handle(event: Event, member: string | null, nowUs: number): readonly GroupAction[];
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

/**
 * Runs the actions of one step, in order; never rejects. It may return nothing when every
 * action ran synchronously (counters, log lines): the step then needs no promise at all.
 */
export type ActionSink = (actions: readonly GroupAction[]) => Promise<void> | void;

const DONE: Promise<void> = Promise.resolve();
/** A takeover wait longer than this many wheel slots goes to the shared wheel. */
const WHEEL_MIN_WAIT_SLOTS = 3;
/** How many fired timers a driver keeps for refresh(), by delay (see MachineDriver.fired). */
const FIRED_TIMERS_KEPT = 3;
/** A timer that has called its callback, kept for refresh() (MachineDriver.fired). */
interface FiredTimer {
  readonly timer: NodeJS.Timeout;
  readonly delayMs: number;
}
const DEADLINE_REACHED: Event = Object.freeze({ type: 'DeadlineReached' });

export interface DriverOptions {
  /** The timer wheel for long takeover waits (default: the process's shared one). */
  readonly wheel?: CoarseWheel;
  /**
   * Deliver what the sockets have received but not read yet (VrrpSocketFactory.flushReceived,
   * a receive hold): run before a takeover deadline fires, since an advert among them moves it.
   */
  readonly flushReceived?: () => void;
}

export class MachineDriver implements WheelClient {
  private timer: NodeJS.Timeout | null = null;
  /** The wheel slot of a long wait for a takeover deadline (coarse-wheel.ts); null when none. */
  private wheelSlot: number | null = null;
  /**
   * Timers that fired onFire, by delay: the next wait of the same delay (a MASTER's next
   * advert: 999 or 1 000 ms, as the step ran early or late) re-arms one with refresh() rather
   * than allocating another (Node documents refresh() as reactivating a timer that has already
   * called its callback). A cleared timer cannot be refreshed, so clearTimer() forgets it.
   */
  private readonly fired: FiredTimer[] = [];
  /** The time of a deadline being fired; reused, as a step reads it at once (a queued one is copied). */
  private readonly fireTime: { notBeforeUs: number } = { notBeforeUs: 0 };
  /** The same for postAt()'s receive time. */
  private readonly rxTime: { atUs: number } = { atUs: 0 };
  private spin: NodeJS.Immediate | null = null;
  /** The deadline the pending timer or spin was set for; null when none is pending. */
  private armedUs: number | null = null;
  private queue: Promise<void> = DONE;
  /** Steps queued or running; 0 = a new event may run at once, without the queue. */
  private pending = 0;
  private stopped = false;
  /** The "now" of the last step: the machine never sees time go back. */
  private lastNowUs = 0;

  constructor(
    readonly machine: Machine,
    private readonly run: ActionSink,
    private readonly clock: Clock,
    private readonly onStepError: (event: Event, error: unknown) => void = () => undefined,
    options: DriverOptions = {},
  ) {
    this.wheel = options.wheel ?? sharedWheel;
    this.flushReceived = options.flushReceived ?? null;
  }

  private readonly wheel: CoarseWheel;
  private readonly flushReceived: (() => void) | null;

  /** Queue an event; resolves when it and every action it produced have run. */
  post(event: Event, member: string | null = null, time: StepTime = {}): Promise<void> {
    return this.postWith(null, event, member, time);
  }

  /** post(event, member, { atUs }) without the object: a received advert, a thousand a second. */
  postAt(event: Event, member: string | null, atUs: number): Promise<void> {
    this.rxTime.atUs = atUs;
    return this.postWith(null, event, member, this.rxTime);
  }

  /**
   * Queue an event with `prepare` run just before it, in queue order (a reload swaps an
   * instance's spec exactly between two steps).
   */
  postWith(prepare: (() => void) | null, event: Event, member: string | null = null, time: StepTime = {}): Promise<void> {
    if (this.pending === 0) {
      // Nothing queued: run the step now. Most steps (an advert heard by a BACKUP) end here
      // without a promise; one that has actions to wait for becomes the queue's tail.
      this.pending++;
      let running: Promise<void> | void;
      try {
        if (!this.stopped || event.type === 'Shutdown') prepare?.();
        running = this.step(event, member, time);
      } catch (e: unknown) {
        this.failed(event, e);
        running = undefined;
      }
      if (running === undefined) {
        this.pending--;
        return DONE;
      }
      this.queue = this.settle(running, event);
      return this.queue;
    }
    this.pending++;
    if (time === this.fireTime) time = { notBeforeUs: this.fireTime.notBeforeUs };
    else if (time === this.rxTime) time = { atUs: this.rxTime.atUs };
    // A step that throws (a bug, never a bad peer) is reported and the queue goes on, so a
    // later event, Shutdown included, still runs.
    this.queue = this.queue.then(() => {
      try {
        if (!this.stopped || event.type === 'Shutdown') prepare?.();
        const running = this.step(event, member, time);
        if (running !== undefined) return this.settle(running, event);
      } catch (e: unknown) {
        this.failed(event, e);
      }
      this.pending--;
      return undefined;
    });
    return this.queue;
  }

  /** No step queued or running: an event posted now is handled before post() returns. */
  get idle(): boolean {
    return this.pending === 0;
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
    this.clearTimer();
  }

  private settle(running: Promise<void>, event: Event): Promise<void> {
    return running.then(
      () => {
        this.pending--;
      },
      (e: unknown) => {
        this.pending--;
        this.failed(event, e);
      },
    );
  }

  private failed(event: Event, e: unknown): void {
    this.onStepError(event, e);
    this.rearm();
  }

  /** One step; a promise only when its actions have something to wait for. */
  private step(event: Event, member: string | null, time: StepTime): Promise<void> | void {
    if (this.stopped && event.type !== 'Shutdown') return;
    const at = time.atUs !== undefined && Number.isFinite(time.atUs) ? time.atUs : this.clock.nowUs();
    const nowUs = Math.max(at, time.notBeforeUs ?? 0, this.lastNowUs);
    this.lastNowUs = nowUs;
    const actions = this.machine.handle(event, member, nowUs);
    const running = actions.length === 0 ? undefined : this.run(actions);
    if (running === undefined) {
      this.rearm();
      return;
    }
    return running.then(() => this.rearm());
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      for (let i = 0; i < this.fired.length; i++) if (this.fired[i]?.timer === this.timer) this.fired.splice(i, 1);
    }
    if (this.spin) clearImmediate(this.spin);
    this.timer = null;
    this.spin = null;
    this.wheelSlot = null; // its wheel entry is now stale (onWheel ignores it)
    this.armedUs = null;
  }

  /**
   * Arm for the machine's next deadline. A wake-up already pending at or before it is kept:
   * it re-reads the deadline when it fires. So an advert that moves a BACKUP's Master_Down
   * later costs no timer operation; the timer wakes once at the old deadline and re-arms.
   */
  private rearm(): void {
    if (this.stopped) {
      this.clearTimer();
      return;
    }
    const deadline = this.machine.nextDeadlineUs();
    if (deadline === null) {
      this.clearTimer();
      return;
    }
    if (this.armedUs !== null && this.armedUs <= deadline && (this.timer !== null || this.spin !== null || this.wheelSlot !== null)) return;
    this.clearTimer();
    this.armFor(deadline);
  }

  /**
   * Wake up at `deadline` (µs). A MASTER's Adver_Timer (and any deadline that is not a
   * takeover) takes one timer, to the millisecond: libuv may wake it up to ~1 ms off, plus the
   * kernel's slack on a long poll timeout (0.1 %, ~1 ms on a 1 s wait), well inside the ±5 ms
   * an advert period may deviate (npm run bench:scale). One timer callback per
   * advert instead of two was a tenth of a 1 000-instance MASTER's CPU.
   *
   * A BACKUP's Master_Down timer decides a takeover, so it is hit as closely as setTimeout
   * allows: a long wait aims early by that slack plus 1 ms and then finishes with a short
   * timer and a spin, which land within about a millisecond of the deadline (keepalived:
   * timerfd, ~0.2 ms). Measured by npm run bench:failover.
   */
  private armFor(deadline: number): void {
    this.armedUs = deadline;
    const remainingUs = deadline - this.clock.nowUs();
    if (!this.machine.awaitsTakeover) {
      // Rounded down: it fires up to 1 ms early and the step is clamped to the deadline, so
      // the next Adver_Timer counts from the deadline and the periods stay centred on
      // advert_int. Rounded up, each advert was ~1 ms late and the next counted from there.
      const delayMs = Math.max(1, Math.floor(remainingUs / 1000));
      const fired = this.fired;
      for (let i = 0; i < fired.length; i++) {
        const f = fired[i] as FiredTimer;
        if (f.delayMs === delayMs) {
          this.timer = f.timer.refresh();
          return;
        }
      }
      this.timer = setTimeout(this.onFire, delayMs);
      if (fired.length === FIRED_TIMERS_KEPT) fired.shift();
      fired.push({ timer: this.timer, delayMs });
      return;
    }
    if (remainingUs > 2_000) {
      const leadUs = 1_000 + Math.ceil(remainingUs * 0.0015);
      const waitMs = Math.floor((remainingUs - leadUs) / 1000);
      if (waitMs > WHEEL_MIN_WAIT_SLOTS * this.wheel.slotMs) {
        // Seconds away, and every advert heard pushes it back: the shared wheel, woken at
        // most a slot late, so aimed a slot early (then the precise timer below takes over).
        this.wheelSlot = this.wheel.add(this, waitMs - this.wheel.slotMs);
        return;
      }
      this.timer = setTimeout(this.onWake, waitMs);
      return;
    }
    // A BACKUP's Master_Down timer only fires at a takeover (every advert pushes it back), so
    // spending the last millisecond yielding to the event loop to hit it exactly is cheap.
    // The spin starts from setImmediate, after the loop's poll phase: a timer found overdue
    // (the process was stalled) never fires before the adverts queued meanwhile are read,
    // each of which moves the deadline from its own arrival time.
    this.timer = setTimeout(this.onSpinStart, Math.max(0, Math.floor(remainingUs / 1000) - 1));
  }

  /** The wheel slot of the long wait has come (a stale slot is ignored): as onWake. */
  onWheel(slot: number): void {
    if (slot !== this.wheelSlot) return;
    this.wheelSlot = null;
    this.armedUs = null;
    this.rearm();
  }

  /** The long wait is over: arm again for the deadline as it is now (it may have moved). */
  private readonly onWake = (): void => {
    this.timer = null;
    this.armedUs = null;
    this.rearm();
  };

  private readonly onSpinStart = (): void => {
    this.timer = null;
    this.spin = setImmediate(this.onSpin);
  };

  /** Yield to I/O (adverts may still arrive and move the deadline) until it is reached. */
  private readonly onSpin = (): void => {
    this.spin = null;
    if (this.stopped) return;
    const deadline = this.machine.nextDeadlineUs();
    const now = this.clock.nowUs();
    if (deadline === null || deadline - now > 2_000) {
      this.armedUs = null;
      this.rearm();
    } else if (now >= deadline) {
      this.fire(deadline);
    } else {
      this.armedUs = deadline;
      this.spin = setImmediate(this.onSpin);
    }
  };

  private readonly onFire = (): void => {
    // The timer that called this has fired: it may be refreshed now (`fired`), not cleared.
    this.timer = null;
    const deadline = this.machine.nextDeadlineUs();
    if (deadline === null || this.armedUs === null || deadline > this.armedUs) {
      this.armedUs = null;
      this.rearm();
      return;
    }
    this.fire(deadline);
  };

  private fire(deadline: number): void {
    if (this.flushReceived !== null && this.machine.awaitsTakeover) {
      // First the adverts a receive hold has kept back: each is handled at its kernel receive
      // time, and one from the MASTER moves this deadline (its step re-arms the driver).
      this.flushReceived();
      if (this.stopped) return;
      const moved = this.machine.nextDeadlineUs();
      if (moved === null || moved > deadline) {
        this.rearm(); // kept if that step already armed for the new deadline
        return;
      }
    }
    this.armedUs = null;
    this.fireTime.notBeforeUs = deadline;
    void this.post(DEADLINE_REACHED, null, this.fireTime);
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
