/**
 * The real NotifyOutputs (notifier.ts): notify scripts spawned as keepalived does
 * (script-exec.ts: own process group, script user, cleaned environment, reaped by Node), the
 * notify FIFOs (notify-fifo.ts) and SMTP alerts (smtp-alert.ts). Nothing here waits on a
 * script or a mail server, except STOP scripts, which get keepalived's one second
 * (system_call_script() with child_killed_thread) before their process group is killed.
 */
import type { GlobalDefs, ScriptCommand } from '../config/model';
import { errorMessage } from './errors';
import type { Logger } from './logger';
import type { NotifyOutputs, NotifyScope, NotifyState } from '../runtime/notifier';
import { NotifyFifos } from './notify-fifo';
import { resolveScriptIdentity, spawnScript, type RunningScript } from './script-exec';
import { SmtpAlerter } from './smtp-alert';

/** keepalived: notify_stop and the generic notify at STOP get one second. */
const STOP_SCRIPT_LIMIT_MS = 1_000;
/** How long shutdown waits for alert mails still on their way. */
const MAIL_FLUSH_LIMIT_MS = 1_000;

/** Wait for `p` (which never rejects) at most `ms`; true when it settled in time. */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const inTime = await Promise.race([p.then(() => true as const), late]);
  clearTimeout(timer);
  return inTime;
}

export class SystemNotifyOutputs implements NotifyOutputs {
  private fifos: NotifyFifos;
  private smtp: SmtpAlerter;

  constructor(
    private global: GlobalDefs,
    private readonly log: Logger,
  ) {
    this.fifos = NotifyFifos.open(global, log);
    this.smtp = new SmtpAlerter(global, log);
  }

  /**
   * A reload: the script user, FIFOs and SMTP settings follow the new global_defs. Unchanged
   * settings keep their FIFOs open and their mail connections; changed ones are reopened.
   */
  reconfigure(global: GlobalDefs): void {
    const same = JSON.stringify(global) === JSON.stringify(this.global);
    this.global = global;
    if (same) return;
    this.fifos.close();
    this.fifos = NotifyFifos.open(global, this.log);
    const old = this.smtp;
    this.smtp = new SmtpAlerter(global, this.log);
    void settledWithin(old.settled(), MAIL_FLUSH_LIMIT_MS).then(() => old.close());
  }

  runScript(cmd: ScriptCommand, extraArgs: readonly string[] = []): void {
    void this.spawn(cmd, extraArgs);
  }

  async runStopScript(cmd: ScriptCommand, extraArgs: readonly string[] = []): Promise<void> {
    const running = this.spawn(cmd, extraArgs);
    if (running === null) return;
    if (await settledWithin(running.exited, STOP_SCRIPT_LIMIT_MS)) return;
    this.log.info(`notify script ${cmd.text} still running after 1 s at stop - killing it`);
    running.killGroup('SIGKILL');
  }

  fifo(scope: NotifyScope, name: string, state: NotifyState | 'MASTER_RX_LOWER_PRI', priority: number): void {
    this.fifos.write(scope, name, state, priority);
  }

  mail(scope: NotifyScope, name: string, state: NotifyState, smtpAlert: boolean | null): void {
    this.smtp.alert(scope === 'INSTANCE' ? 'instance' : 'group', name, state, smtpAlert);
  }

  async close(): Promise<void> {
    await settledWithin(this.smtp.settled(), MAIL_FLUSH_LIMIT_MS);
    this.smtp.close();
    this.fifos.close();
  }

  /** Start one notify script; failures to start are logged, never thrown. */
  private spawn(cmd: ScriptCommand, extraArgs: readonly string[]): RunningScript | null {
    let running: RunningScript;
    try {
      running = spawnScript(cmd, resolveScriptIdentity(cmd, this.global.scriptUser), extraArgs);
    } catch (e) {
      this.log.error(`notify script ${cmd.text}: ${errorMessage(e)}`);
      return null;
    }
    void running.exited.then((exit) => {
      if (exit.spawnError !== null) this.log.error(`notify script ${cmd.text} could not be started: ${exit.spawnError}`);
    });
    return running;
  }
}
