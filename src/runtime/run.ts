/**
 * Starts the daemon on the real system: the adapters (raw VRRP sockets, netlink, the native
 * GARP sender), the logger, sd_notify, and the signals. SIGTERM/SIGINT stop it cleanly
 * (priority-0 adverts from every MASTER, VIPs removed) and the process exits 0.
 */
import type { Config, VrrpScript } from '../config/model';
import { Daemon } from '../daemon';
import { errorMessage } from '../io/errors';
import { RawVrrpSocketFactory } from '../io/vrrp-socket';
import { NetlinkAddressManager, NetlinkLinkWatcher } from '../io/netlink';
import { PacketGarpSender } from '../io/garp-sender';
import { notifyReady, notifyStopping } from '../io/sd-notify';
import { createLogger, type Logger } from './logger';
import type { SyslogWriter } from '../io/syslog';
import { CheckScriptRunner } from './check-script';
import { SystemNotifyOutputs } from './notify-outputs';
import { resolveScriptIdentity } from './script-exec';
import type { ScriptRunnerHandle } from './trackers';

export interface RunOptions {
  readonly detail: boolean;
  /** -l: also log to stderr. */
  readonly console: boolean;
  /** Syslog unless -G. */
  readonly syslog: SyslogWriter | null;
  readonly pidFiles: readonly string[];
}

/** A vrrp_script's runner, as its user; an unknown user is logged and the script never reports. */
function checkScriptRunner(config: Config, script: VrrpScript, log: Logger, onReport: (ok: boolean) => void): ScriptRunnerHandle {
  try {
    return new CheckScriptRunner(script, resolveScriptIdentity(script.script, config.global.scriptUser), log, onReport);
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

/** Resolves with the exit code once the daemon has stopped. */
export async function startDaemon(config: Config, opts: RunOptions): Promise<number> {
  const log = createLogger({ detail: opts.detail, console: opts.console, syslog: opts.syslog });
  log.info('Starting tsvrrpd (VRRP)');
  const addresses = new NetlinkAddressManager();
  const links = await NetlinkLinkWatcher.open();
  const daemon = new Daemon(
    config,
    {
      sockets: new RawVrrpSocketFactory({ onError: (e) => log.error(`VRRP socket: ${e.message}`), onWarning: (m) => log.warn(m) }),
      addresses,
      garp: new PacketGarpSender(),
      links,
      scripts: (script, onReport) => checkScriptRunner(config, script, log, onReport),
      notify: new SystemNotifyOutputs(config.global, log),
    },
    log,
    { pidFiles: opts.pidFiles },
  );
  let done: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (done = resolve));
  const stop = (signal: string): void => {
    log.info(`Received ${signal}, stopping`);
    tryNotify(log, notifyStopping);
    void daemon.stop().then(() => {
      addresses.close();
      log.info('Stopped tsvrrpd');
      done(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await daemon.start();
  } catch (e) {
    log.error(`start-up failed: ${errorMessage(e)}`);
    await daemon.stop();
    addresses.close();
    return 1;
  }
  tryNotify(log, notifyReady);
  return finished;
}
