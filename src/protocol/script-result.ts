/**
 * The rise/fall counter of one vrrp_script: which run outcomes change the script's reported
 * status (and so the priorities of the instances tracking it). Owns keepalived's arithmetic
 * only; running the script, timing and logging belong to io/check-script.ts.
 * Pure: no I/O and no clock; the runner (io/check-script.ts) feeds it each outcome.
 *
 * keepalived: vrrp_scheduler.c vrrp_init_script() (the starting value) and
 * vrrp_script_child_thread() (the update). The counter `result` runs 0 .. rise+fall-1 and the
 * script is OK iff result >= rise:
 *  - start: rise-1 in the "init" state (one success reports OK, and the first failure is
 *    reported too), or 0 with `init_fail` (FAILED from the start, no init state, `rise`
 *    successes needed, failures at 0 are not reported again);
 *  - success: below rise-1 count up silently; at rise-1 report OK and jump to rise+fall-1;
 *    at rise .. rise+fall-2 jump to rise+fall-1 silently; at the top nothing happens;
 *  - failure: above rise count down silently; at rise (or on the first run in the init
 *    state) report FAILED; in every case at or below rise fall to 0;
 *  - the init state ends after the first completed run, whatever its outcome.
 */

export type ScriptReport = 'ok' | 'failed';

export interface ScriptResultOptions {
  /** Consecutive successes needed to turn OK (keepalived `rise`, >= 1). */
  readonly rise: number;
  /** Consecutive failures needed to turn FAILED (keepalived `fall`, >= 1). */
  readonly fall: number;
  /** keepalived `init_fail`: start FAILED instead of "no result yet". */
  readonly initFail: boolean;
}

export class ScriptResult {
  private readonly rise: number;
  private readonly top: number;
  private result: number;
  private initState: boolean;

  constructor(opts: ScriptResultOptions) {
    this.rise = Math.max(1, Math.trunc(opts.rise));
    const fall = Math.max(1, Math.trunc(opts.fall));
    this.top = this.rise + fall - 1;
    // keepalived: vrrp_init_script(): "one success is enough" unless init_fail.
    this.initState = !opts.initFail;
    this.result = opts.initFail ? 0 : this.rise - 1;
  }

  /**
   * Feed one completed run's outcome. Returns 'ok' / 'failed' exactly when keepalived would
   * log the transition and update the tracking instances' priorities, else null.
   */
  record(success: boolean): ScriptReport | null {
    const report = success ? this.onSuccess() : this.onFailure();
    this.initState = false;
    return report;
  }

  /** true = OK, false = FAILED, null = no result yet (init state, without init_fail). */
  get status(): boolean | null {
    if (this.initState) return null;
    return this.result >= this.rise;
  }

  /** No run has completed yet (keepalived SCRIPT_INIT_STATE_INIT). */
  get inInit(): boolean {
    return this.initState;
  }

  /** The raw keepalived counter, for status dumps (0 .. rise+fall-1). */
  get counter(): number {
    return this.result;
  }

  private onSuccess(): ScriptReport | null {
    if (this.result < this.rise - 1) {
      this.result++;
      return null;
    }
    if (this.result === this.top) return null;
    const turnsOk = this.result < this.rise; // i.e. == rise-1
    this.result = this.top;
    return turnsOk ? 'ok' : null;
  }

  private onFailure(): ScriptReport | null {
    if (this.result > this.rise) {
      this.result--;
      return null;
    }
    const turnsFailed = this.result === this.rise || this.initState;
    this.result = 0;
    return turnsFailed ? 'failed' : null;
  }
}
