/**
 * The actions one instance writes besides its state changes: log lines in keepalived's
 * wording ("(VI_1) Entering MASTER STATE"), stats counters, adverts with their counters, and
 * the rate limit for lines a peer can provoke at will (RFC 9568 §7.1; ARCHITECTURE.md §3:
 * a bad peer is counted and logged at a limited rate).
 *
 * Owns: the wording prefix, the counting that goes with each advert sent, and the decision
 * "log this line now or not". Pure: the time is handed in, nothing is logged from here.
 */
import type { Action, LogLevel, NotifyWord, StatCounter, Validation } from './types';

/** One line per reason per 10 s for discarded adverts. */
export const LIMITED_LOG_INTERVAL_US = 10_000_000;

interface KeyState {
  lastUs: number;
  suppressed: number;
}

/** At most one line per key per interval; counts the lines held back. */
export class LogLimiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly intervalUs: number) {}

  /**
   * Returns null when the line must be dropped, else the number of lines for this key that
   * were dropped since the last one let through (0 on the first line).
   */
  admit(key: string, nowUs: number): number | null {
    const entry = this.keys.get(key);
    if (entry === undefined) {
      this.keys.set(key, { lastUs: nowUs, suppressed: 0 });
      return 0;
    }
    if (nowUs - entry.lastUs < this.intervalUs) {
      entry.suppressed += 1;
      return null;
    }
    const held = entry.suppressed;
    entry.lastUs = nowUs;
    entry.suppressed = 0;
    return held;
  }
}

/**
 * Actions are immutable data, so the ones every advert produces are made once and shared
 * (a 1 000-instance daemon handles a thousand adverts a second).
 */
const STAT_ACTIONS = new Map<StatCounter, Action>();
const SEND_ADVERT_ACTIONS: Action[] = [];

export function countStat(counter: StatCounter): Action {
  let a = STAT_ACTIONS.get(counter);
  if (a === undefined) {
    a = Object.freeze({ type: 'CountStat', counter });
    STAT_ACTIONS.set(counter, a);
  }
  return a;
}

function sendAdvert(priority: number): Action {
  if (!Number.isInteger(priority) || priority < 0 || priority > 255) return { type: 'SendAdvert', priority };
  return (SEND_ADVERT_ACTIONS[priority] ??= Object.freeze({ type: 'SendAdvert', priority }));
}

const STEADY_ADVERTS: (readonly Action[])[] = [];

/**
 * advertActions() of a MASTER's Adver_Timer with nothing else due, shared and frozen: what a
 * 1 000-instance MASTER's thousand steps a second return, with no array allocated for each.
 */
export function steadyAdvertActions(priority: number): readonly Action[] {
  if (!Number.isInteger(priority) || priority < 0 || priority > 255) return advertActions(priority);
  return (STEADY_ADVERTS[priority] ??= Object.freeze(advertActions(priority)));
}

/** An advert and its counters (keepalived vrrp_send_adv(): advert_sent; pri_zero_sent for 0). */
export function advertActions(priority: number): Action[] {
  const actions: Action[] = [sendAdvert(priority), countStat('advert_sent')];
  if (priority === 0) actions.push(countStat('pri_zero_sent'));
  return actions;
}

export function notifyAction(state: NotifyWord, priority: number): Action {
  return { type: 'Notify', state, priority };
}

export class InstanceOutput {
  private readonly limiter = new LogLimiter(LIMITED_LOG_INTERVAL_US);

  constructor(private readonly name: string) {}

  /** A line in keepalived's form: "(VI_1) message". */
  log(level: LogLevel, message: string): Action {
    return { type: 'Log', level, message: this.prefixed(message) };
  }

  /** A rate-limited warning, keyed by reason; empty messages (silent drops) log nothing. */
  limited(key: string, message: string, nowUs: number): Action[] {
    if (message === '') return [];
    const held = this.limiter.admit(key, nowUs);
    if (held === null) return [];
    const suffix = held > 0 ? ` (${held} similar messages suppressed)` : '';
    return [{ type: 'Log', level: 'warn', message: this.prefixed(message) + suffix }];
  }

  /**
   * RFC 3768 §7.1: a discarded advert is counted and logged (rate-limited), nothing else;
   * an accepted one has its notes (VIP-list mismatch) counted and logged the same way.
   */
  validation(v: Validation, nowUs: number): Action[] {
    if (!v.ok) {
      const counted = v.counter === null ? [] : [countStat(v.counter)];
      return [...counted, ...this.limited(v.reason, v.message, nowUs)];
    }
    if (v.notes.length === 0) return []; // every advert a BACKUP hears from its MASTER
    return v.notes.flatMap((n) => [countStat(n.counter), ...this.limited(n.counter, n.message, nowUs)]);
  }

  private prefixed(message: string): string {
    return message.startsWith(`(${this.name})`) ? message : `(${this.name}) ${message}`;
  }
}
