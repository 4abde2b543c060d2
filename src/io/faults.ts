/**
 * Where an exception that escaped its own handling goes instead of ending the process: a
 * listener that threw inside a callback from native code (raw-socket, netlink, the addon), an
 * uncaught exception, an unhandled rejection. Such a throw would otherwise abort the process
 * (node-addon-api turns a JS exception inside a native poll callback into a C++ exception:
 * "terminate called after throwing an instance of 'Napi::Error'"), leaving its VIPs in place
 * while the peer takes over: the VIPs on two hosts.
 *
 * Owns: the guard at each native → JS boundary (guardEmitter()), the one sink every
 * fault is reported to (the daemon sets it to its logger), and the rate limit on it (a fault
 * on every packet must not become a log line on every packet). Nothing here decides what an
 * instance does about the fault: the caller that knows the instance does that.
 */

/** Where a fault's line goes: "internal error in WHERE: STACK (N more since the last report)". */
export type FaultSink = (line: string) => void;

/** At most one report per `where` per this interval; the rest are counted. */
export const FAULT_REPORT_INTERVAL_MS = 10_000;

let sink: FaultSink = (line) => void process.stderr.write(`tsvrrpd: ${line}\n`);
const lastReport = new Map<string, { atMs: number; suppressed: number }>();

/** The text of a fault: the stack when there is one (a fault is a bug to report). */
function describeFault(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Send every later fault to `next` (the daemon's logger); returns the previous sink. */
export function setFaultSink(next: FaultSink): FaultSink {
  const previous = sink;
  sink = next;
  return previous;
}

/** Report `error` from `where`, rate-limited per `where`; never throws. */
export function reportFault(where: string, error: unknown, nowMs: number = Date.now()): void {
  const entry = lastReport.get(where);
  if (entry !== undefined && nowMs - entry.atMs < FAULT_REPORT_INTERVAL_MS) {
    entry.suppressed++;
    return;
  }
  const suppressed = entry?.suppressed ?? 0;
  lastReport.set(where, { atMs: nowMs, suppressed: 0 });
  const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
  try {
    sink(`internal error in ${where}: ${describeFault(error)}${more}`);
  } catch {
    // The sink itself failed (a closed log stream): nothing left to tell.
  }
}

/**
 * Make every emit() of `target` (one object, not its class) report what its listeners throw
 * instead of letting it unwind into the native caller. For emitters whose events are raised by
 * native code: raw-socket's socket and its C++ wrapper, the netlink package's raw socket. An
 * object without emit() (a test double) is left as it is.
 */
export function guardEmitter(target: object, where: string): void {
  const emitting = target as { emit?: unknown };
  if (typeof emitting.emit !== 'function') return;
  const emit = (emitting.emit as (event: string | symbol, ...args: unknown[]) => boolean).bind(target);
  emitting.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    try {
      return emit(event, ...args);
    } catch (e: unknown) {
      reportFault(`${where} (${String(event)} event)`, e);
      return true;
    }
  };
}

/**
 * The last line of defence, for the daemon only: an uncaught exception or unhandled rejection
 * is reported and the daemon goes on (an exit would leave the VIPs of every MASTER in place).
 */
export function installProcessFaultHandlers(): void {
  process.on('uncaughtException', (e) => reportFault('an uncaught exception', e));
  process.on('unhandledRejection', (e) => reportFault('an unhandled promise rejection', e));
}
