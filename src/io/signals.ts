/**
 * The daemon's signals, as keepalived 2.2.7 numbers and handles them (keepalived --signum):
 * STOP = SIGTERM (15) and SIGINT stop, RELOAD = SIGHUP (1), DATA = SIGUSR1 (10),
 * STATS = SIGUSR2 (12), JSON = SIGRTMIN+2 (36), STATS_CLEAR = SIGRTMAX-1 (63).
 *
 * Nothing else may end the process or open a socket. keepalived 2.2.7
 * (lib/signals.c signal_handler_parent_init(), measured here for 1..64) ignores every signal
 * but ILL, FPE, SEGV, BUS, KILL and STOP (and 32/33, which glibc keeps): QUIT, ABRT, ALRM,
 * TSTP, TTIN, TTOU, XCPU, the real-time ones... So does tsvrrpd: a no-op listener for each one
 * Node can name, SIG_IGN through the native addon for the real-time ones (which Node cannot
 * name; the addon also delivers JSON and STATS_CLEAR). A listener on SIGUSR1 keeps Node's
 * inspector from ever starting on it (boot.ts installs one before anything else runs). SIGCHLD
 * stays Node's (it reaps the scripts). SIGSEGV, SIGBUS, SIGFPE and SIGILL keep their default,
 * as in keepalived: a listener on a real fault would spin forever (Node's documentation).
 */
import { constants as osConstants } from 'node:os';
import { loadNative } from './native';
import { errorMessage } from './errors';

export const KEEPALIVED_SIGNALS = {
  STOP: 15,
  RELOAD: 1,
  DATA: 10,
  STATS: 12,
  STATS_CLEAR: 63,
  JSON: 36,
} as const;

export type SignalName = keyof typeof KEEPALIVED_SIGNALS;

/** keepalived --signum=NAME; null for a name keepalived 2.2.7 does not know. */
export function signum(name: string): number | null {
  return Object.prototype.hasOwnProperty.call(KEEPALIVED_SIGNALS, name) ? KEEPALIVED_SIGNALS[name as SignalName] : null;
}

export interface SignalActions {
  stop(signal: 'SIGTERM' | 'SIGINT'): void;
  reload(): void;
  data(): void;
  stats(): void;
  statsClear(): void;
  json(): void;
}

/** Left alone: faults (as keepalived), the uncatchable, Node's child reaper, the handled ones. */
const NOT_IGNORED = new Set(['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGKILL', 'SIGSTOP', 'SIGCHLD', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']);

/**
 * The Node-nameable signals tsvrrpd ignores (aliases such as SIGIOT are the same number).
 * SIGPROF is V8's sampling signal while a profiler runs (node --cpu-prof / --prof): it is
 * left to V8 then, or profiling would kill the process.
 */
export function ignoredNamedSignals(execArgv: readonly string[] = process.execArgv): string[] {
  const profiling = execArgv.some((a) => /^--(cpu-)?prof(\b|-|=|$)/.test(a));
  return Object.keys(osConstants.signals).filter((n) => !NOT_IGNORED.has(n) && !(profiling && n === 'SIGPROF'));
}

/** The real-time signals (SIGRTMIN..SIGRTMAX on Linux glibc: 34..64) but JSON and STATS_CLEAR. */
export function ignoredRealtimeSignals(): number[] {
  const out: number[] = [];
  for (let n = 34; n <= 64; n++) if (n !== KEEPALIVED_SIGNALS.JSON && n !== KEEPALIVED_SIGNALS.STATS_CLEAR) out.push(n);
  return out;
}

/**
 * Install the daemon's signal handling. Each action runs on the event loop and is guarded: a
 * throwing action is reported through `onError`, never ends the process.
 */
export function installSignals(actions: SignalActions, onError: (what: string, e: unknown) => void): void {
  const guard = (what: string, fn: () => void) => () => {
    try {
      fn();
    } catch (e) {
      onError(what, e);
    }
  };
  process.on('SIGTERM', guard('SIGTERM', () => actions.stop('SIGTERM')));
  process.on('SIGINT', guard('SIGINT', () => actions.stop('SIGINT')));
  process.on('SIGHUP', guard('SIGHUP', () => actions.reload()));
  process.on('SIGUSR1', guard('SIGUSR1', () => actions.data()));
  process.on('SIGUSR2', guard('SIGUSR2', () => actions.stats()));
  for (const name of ignoredNamedSignals()) process.on(name as NodeJS.Signals, () => undefined);
  try {
    const native = loadNative();
    native.ignoreSignals(ignoredRealtimeSignals());
    native.watchSignals([KEEPALIVED_SIGNALS.JSON, KEEPALIVED_SIGNALS.STATS_CLEAR], (n) =>
      guard(`signal ${n}`, () => (n === KEEPALIVED_SIGNALS.JSON ? actions.json() : actions.statsClear()))(),
    );
  } catch (e) {
    onError(`real-time signals (JSON ${KEEPALIVED_SIGNALS.JSON}, STATS_CLEAR ${KEEPALIVED_SIGNALS.STATS_CLEAR}) not handled: ${errorMessage(e)}`, e);
  }
}
