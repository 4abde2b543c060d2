/**
 * One vrrp_script run on its interval, the way keepalived's VRRP process does it
 * (vrrp_scheduler.c vrrp_init_script(), vrrp_script_thread(), vrrp_script_child_thread()).
 * Owns the run loop, the timeout escalation, keepalived's log lines and feeding each outcome to
 * the pure rise/fall counter (protocol/script-result.ts); it reports only the counter's
 * transitions. It never decides priorities (protocol/tracking.ts does) and never leaves a
 * process behind: every child is reaped, and stop() kills and waits for a running one.
 *
 *  - The first run starts at once; the next is due `interval` after each run's start. A run
 *    still active when the next is due is skipped ("Track script X is already running, expect
 *    idle - skipping run", or "being timed out" once the timeout has fired).
 *  - `timeout` after the start the script's process group gets SIGTERM, 2 s later SIGKILL,
 *    2 s after that SIGKILL again with "Script X child (PID n) failed to terminate after
 *    kill", then every 10 s. A script that died of our SIGTERM has its group SIGKILLed, so
 *    its own children go too.
 *  - Exit 0 is a success; another status or a signal is a failure. "Script `X` now returning
 *    N" is logged when the exit status changes (keepalived starts from 0); "VRRP_Script(X)
 *    succeeded / failed (exited with status N) / failed (due to signal N) / timed_out" only
 *    at a reported transition.
 * Deviations from keepalived, deliberate:
 *  - any run that reached its timeout is a failure reported `timed_out`, however it ended
 *    (keepalived counts a script that catches SIGTERM and exits 0 as a success), and its
 *    process group is always SIGKILLed once it ends (keepalived: only after death by SIGTERM);
 *  - a script that cannot be started is a failure, logged as keepalived's exec error
 *    (keepalived's forked child exits 0 after a failed execve, i.e. a success);
 *  - after stop() outcomes are no longer reported.
 */
import { constants as osConstants } from 'node:os';
import type { VrrpScript } from '../config/model';
import { ScriptResult } from '../protocol/script-result';
import { errorMessage } from './errors';
import type { Logger } from './logger';
import type { ScriptRunnerReport } from '../runtime/trackers';
import { spawnScript, type RunningScript, type ScriptExit, type ScriptIdentity } from './script-exec';

/** keepalived vrrp_script_child_thread(): REQUESTING -> FORCING and FORCING -> repeat, seconds. */
const TERM_GRACE_MS = 2000;
const KILL_GRACE_MS = 2000;
const KILL_REPEAT_MS = 10_000;
/** keepalived script_killall() at shutdown: SIGKILL 1 s after SIGTERM. */
const STOP_KILL_MS = 1000;

type RunState = 'idle' | 'running' | 'requesting_termination' | 'forcing_termination';

interface Outcome {
  readonly success: boolean;
  /** keepalived's script_exit_type. */
  readonly exitType: 'succeeded' | 'failed' | 'timed_out';
  readonly reason: string | null;
}

export class CheckScriptRunner {
  private readonly result: ScriptResult;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private state: RunState = 'idle';
  private current: RunningScript | null = null;
  private lastStatus = 0;
  private started = false;
  private stopped = false;
  private nextRunAt = 0;
  private runTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private reaped: Promise<void> = Promise.resolve();

  constructor(
    private readonly script: VrrpScript,
    private readonly identity: ScriptIdentity,
    private readonly log: Logger,
    private readonly onReport: (ok: boolean) => void,
  ) {
    // keepalived 2.2.7 (and its HEAD): alloc_track_script() puts every script a track_script
    // names back into the init state, so `init_fail` has no effect on a tracked script (and an
    // untracked one is never run). tsvrrpd does the same; keepalived's docs promise otherwise.
    this.result = new ScriptResult({ rise: script.rise, fall: script.fall, initFail: false });
    this.intervalMs = Math.max(1, script.intervalSec * 1000);
    // keepalived vrrp_script_thread(): no timeout means the interval.
    this.timeoutMs = (script.timeoutSec > 0 ? script.timeoutSec : script.intervalSec) * 1000;
  }

  /** What keepalived's data dump shows of this script. */
  report(): ScriptRunnerReport {
    const run = this.state === 'requesting_termination' ? 'requested termination' : this.state === 'forcing_termination' ? 'forcing termination' : this.state;
    return { result: this.result.counter, initState: this.result.inInit ? 'INIT' : 'DONE', run };
  }

  /** true = OK, false = FAILED, null = no result yet. */
  get status(): boolean | null {
    return this.result.status;
  }

  /** keepalived vrrp_init_script(): the first run is an immediate event. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.nextRunAt = performance.now();
    this.tick();
  }

  /** No more runs; a running script is SIGTERMed, then SIGKILLed; resolves once it is reaped. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.clearRunTimer();
      const running = this.current;
      if (running !== null) {
        this.clearKillTimer();
        running.killGroup('SIGTERM');
        this.armKill(STOP_KILL_MS, () => {
          running.killGroup('SIGKILL');
          return STOP_KILL_MS;
        });
      }
    }
    await this.reaped;
  }

  private tick(): void {
    this.runTimer = null;
    if (this.stopped) return;
    // keepalived vrrp_script_thread(): the next run is registered before this one starts.
    this.nextRunAt += this.intervalMs;
    this.runTimer = setTimeout(() => this.tick(), Math.max(0, this.nextRunAt - performance.now()));
    if (this.state !== 'idle') {
      const what = this.state === 'running' ? 'already running' : 'being timed out';
      this.log.info(`Track script ${this.script.name} is ${what}, expect idle - skipping run`);
      return;
    }
    this.run();
  }

  private run(): void {
    const running = spawnScript(this.script.script, this.identity);
    this.current = running;
    this.state = 'running';
    this.reaped = running.exited.then((exit) => this.finished(running, exit));
    if (running.pid !== null) this.armKill(this.timeoutMs, () => this.onTimeout(running));
  }

  /** keepalived vrrp_script_child_thread(), THREAD_CHILD_TIMEOUT branch; returns the re-arm delay. */
  private onTimeout(running: RunningScript): number | null {
    let signal: NodeJS.Signals;
    let nextMs: number;
    if (this.state === 'running') {
      this.state = 'requesting_termination';
      signal = 'SIGTERM';
      nextMs = TERM_GRACE_MS;
    } else if (this.state === 'requesting_termination') {
      this.state = 'forcing_termination';
      signal = 'SIGKILL';
      nextMs = KILL_GRACE_MS;
    } else {
      this.log.info(`Script ${this.script.name} child (PID ${running.pid ?? '?'}) failed to terminate after kill`);
      signal = 'SIGKILL';
      nextMs = KILL_REPEAT_MS;
    }
    // Nothing left to signal: the leader has been reaped and its exit is on its way.
    return running.killGroup(signal) ? nextMs : null;
  }

  private armKill(delayMs: number, fire: () => number | null): void {
    this.killTimer = setTimeout(() => {
      this.killTimer = null;
      const next = fire();
      if (next !== null && this.current !== null) this.armKill(next, fire);
    }, delayMs);
  }

  private finished(running: RunningScript, exit: ScriptExit): void {
    this.clearKillTimer();
    const timedOut = this.state !== 'running';
    this.current = null;
    this.state = 'idle';
    // Whatever our signals left of the group (keepalived: after death by our SIGTERM).
    if (timedOut || this.stopped) running.killGroup('SIGKILL');
    const outcome = this.classify(running, exit, timedOut);
    if (this.stopped) return;
    const report = this.result.record(outcome.success);
    if (report === null) return;
    const reason = outcome.reason === null ? '' : ` (${outcome.reason})`;
    this.log.info(`VRRP_Script(${this.script.name}) ${outcome.exitType}${reason}`);
    try {
      this.onReport(report === 'ok');
    } catch (e) {
      this.log.error(`VRRP_Script(${this.script.name}) report failed: ${errorMessage(e)}`);
    }
  }

  private classify(running: RunningScript, exit: ScriptExit, timedOut: boolean): Outcome {
    if (exit.spawnError !== null) {
      this.log.error(`Error exec-ing command '${running.plan.file}', error ${exit.spawnError}`);
      return { success: false, exitType: 'failed', reason: `exec error ${exit.spawnError}` };
    }
    if (exit.code !== null) {
      if (exit.code !== this.lastStatus) this.log.info(`Script \`${this.script.name}\` now returning ${exit.code}`);
      this.lastStatus = exit.code;
    }
    if (timedOut) return { success: false, exitType: 'timed_out', reason: null };
    if (exit.code === 0) return { success: true, exitType: 'succeeded', reason: null };
    if (exit.code !== null) return { success: false, exitType: 'failed', reason: `exited with status ${exit.code}` };
    const signum = exit.signal === null ? 0 : osConstants.signals[exit.signal];
    return { success: false, exitType: 'failed', reason: `due to signal ${signum}` };
  }

  private clearRunTimer(): void {
    if (this.runTimer !== null) clearTimeout(this.runTimer);
    this.runTimer = null;
  }

  private clearKillTimer(): void {
    if (this.killTimer !== null) clearTimeout(this.killTimer);
    this.killTimer = null;
  }
}
