/**
 * The daemon on the real system: the only module that builds io/ implementations (raw VRRP
 * sockets, netlink, the native GARP sender, scripts, FIFOs, mail), the logger, sd_notify, the
 * pid files and the signals: TERM/INT stop cleanly (priority-0 adverts from every MASTER, VIPs
 * removed, exit 0).
 */
import type { CheckResult } from './config/check';
import { severityWord } from './config/diagnostics';
import type { Config, VrrpScript } from './config/model';
import { Daemon } from './daemon';
import { errorMessage } from './io/errors';
import { RawVrrpSocketFactory } from './io/vrrp-socket';
import { NetlinkAddressManager, NetlinkLinkWatcher } from './io/netlink';
import { PacketGarpSender } from './io/garp-sender';
import { notifyReady, notifyStopping } from './io/sd-notify';
import type { SyslogWriter } from './io/syslog';
import * as fs from 'node:fs';
import { monotonicClock } from './runtime/driver';
import { createLogger, type Logger } from './runtime/logger';
import { CheckScriptRunner } from './runtime/check-script';
import { SystemNotifyOutputs } from './runtime/notify-outputs';
import { Runtime } from './runtime/runtime';
import { resolveScriptIdentity } from './runtime/script-exec';
import type { ScriptRunnerHandle } from './runtime/trackers';

export interface RunOptions {
  readonly detail: boolean;
  /** -l: also log to stderr. */
  readonly console: boolean;
  /** Syslog unless -G. */
  readonly syslog: SyslogWriter | null;
  readonly pidFiles: readonly string[];
}

/** A vrrp_script's runner, as its user; an unknown user is logged and the script never reports. */
function checkScriptRunner(config: () => Config, script: VrrpScript, log: Logger, onReport: (ok: boolean) => void): ScriptRunnerHandle {
  try {
    return new CheckScriptRunner(script, resolveScriptIdentity(script.script, config().global.scriptUser), log, onReport);
  } catch (e) {
    log.error(`VRRP_Script(${script.name}) cannot run: ${errorMessage(e)}`);
    return { start: () => onReport(false), stop: () => Promise.resolve() };
  }
}

function tryNotify(log: Logger, fn: () => boolean): void {
  try {
    fn();
  } catch (e) {
    log.warn(`sd_notify failed: ${errorMessage(e)}`);
  }
}

/** Errors that keep a file from running (script security alone does not: keepalived runs it). */
export function blockingErrors(result: CheckResult): boolean {
  return result.config === null || result.diagnostics.some((d) => d.cls !== 'SECURITY_ERROR' && (severityWord(d.cls) === 'error' || severityWord(d.cls) === 'fatal'));
}

/** Resolves with the exit code once the daemon has stopped. */
export async function startDaemon(config: Config, opts: RunOptions): Promise<number> {
  const log = createLogger({ detail: opts.detail, console: opts.console, syslog: opts.syslog });
  log.info('Starting tsvrrpd (VRRP)');
  const running = config;
  const addresses = new NetlinkAddressManager();
  const links = await NetlinkLinkWatcher.open();
  const runtime = new Runtime(
    {
      sockets: new RawVrrpSocketFactory({ onError: (e) => log.error(`VRRP socket: ${e.message}`), onWarning: (m) => log.warn(m) }),
      addresses,
      garp: new PacketGarpSender(),
      links,
      scripts: (script, onReport) => checkScriptRunner(() => running, script, log, onReport),
      notify: new SystemNotifyOutputs(config.global, log),
      clock: monotonicClock,
      wallUs: () => Date.now() * 1000,
    },
    log,
  );
  const daemon = new Daemon(runtime, log);
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (done = resolve));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${signal}, stopping`);
    tryNotify(log, notifyStopping);
    void daemon.stop().then(() => {
      addresses.close();
      for (const f of opts.pidFiles) fs.rmSync(f, { force: true });
      log.info('Stopped tsvrrpd');
      done(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    for (const f of opts.pidFiles) fs.writeFileSync(f, `${process.pid}\n`);
    await daemon.start(config);
  } catch (e) {
    log.error(`start-up failed: ${errorMessage(e)}`);
    await daemon.stop();
    addresses.close();
    for (const f of opts.pidFiles) fs.rmSync(f, { force: true });
    return 1;
  }
  tryNotify(log, notifyReady);
  return finished;
}

