/**
 * The daemon on the real system: the only module that builds io/ implementations (raw VRRP
 * sockets, netlink, the native GARP sender, scripts, FIFOs, mail), the logger, sd_notify, the
 * pid files and the signals (io/signals.ts): TERM/INT stop cleanly (priority-0 adverts from
 * every MASTER, VIPs removed, exit 0), HUP reloads, USR1/USR2/JSON/STATS_CLEAR write
 * keepalived's dump files, no other signal ends the process.
 *
 * A reload reads and checks the file exactly as --check-config does; on any error the running
 * configuration stays, and the errors are logged with file:line. A burst of SIGHUPs coalesces:
 * one reload runs at a time, and one more runs after it with the file as it is then.
 */
import type { CheckResult } from './config/check';
import { renderDiagnostic, severityWord } from './config/diagnostics';
import { blockingErrors } from './config/check';
import type { Config, VrrpScript } from './config/model';
import { Daemon } from './daemon';
import { errorMessage } from './io/errors';
import { installProcessFaultHandlers, setFaultSink } from './io/faults';
import { RawVrrpSocketFactory } from './io/vrrp-socket';
import { NetlinkAddressManager, NetlinkLinkWatcher } from './io/netlink';
import { PacketGarpSender } from './io/garp-sender';
import { notifyReady, notifyStopping } from './io/sd-notify';
import { releaseStartupPages } from './io/page-release';
import { assertNotRunning, DaemonRunningError, removePidFiles, writePidFiles } from './io/pid-file';
import { installSignals } from './io/signals';
import type { SyslogWriter } from './io/syslog';
import { writeDumpFile } from './io/dump-files';
import { readHostStatus } from './io/host-status';
import { monotonicClock } from './runtime/driver';
import { createLogger, type Logger } from './io/logger';
import { CheckScriptRunner } from './io/check-script';
import { SystemNotifyOutputs } from './io/notify-outputs';
import { Runtime } from './runtime/runtime';
import { resolveScriptIdentity } from './io/script-exec';
import { snapshotOf } from './runtime/snapshot';
import { TrackFileWatcher } from './io/track-file';
import { dumpFilePath, renderData, renderJson, renderStats, type DumpKind } from './runtime/status';
import type { ScriptRunnerHandle } from './runtime/trackers';

export interface RunOptions {
  readonly detail: boolean;
  /** -l: also log to stderr. */
  readonly console: boolean;
  /** Syslog unless -G. */
  readonly syslog: SyslogWriter | null;
  readonly pidFiles: readonly string[];
  /** The configuration file, and how a reload reads and checks it (start-up has done it once already). */
  readonly configFile: string;
  readonly loadConfig: () => Promise<CheckResult>;
  /** Where a one-line refusal goes when another daemon runs (stderr). */
  readonly err: NodeJS.WritableStream;
}

/** Exit code when another daemon holds the pid file. */
export const EXIT_ALREADY_RUNNING = 1;

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

/** Resolves with the exit code once the daemon has stopped. */
export async function startDaemon(config: Config, opts: RunOptions): Promise<number> {
  // keepalived keepalived_running(): a live daemon behind the pid file, and nothing is touched.
  try {
    assertNotRunning(opts.pidFiles);
  } catch (e) {
    if (!(e instanceof DaemonRunningError)) throw e;
    opts.err.write(`tsvrrpd: ${e.message} - exiting\n`);
    return EXIT_ALREADY_RUNNING;
  }
  const log = createLogger({ detail: opts.detail, console: opts.console, syslog: opts.syslog });
  // From here on nothing thrown ends the daemon: it is logged (rate-limited) and the daemon goes on.
  setFaultSink((line) => log.error(line));
  installProcessFaultHandlers();
  log.info('Starting tsvrrpd (VRRP)');
  let running = config;
  const addresses = new NetlinkAddressManager();
  const links = await NetlinkLinkWatcher.open({ onWarning: (m) => log.warn(m) });
  const runtime = new Runtime(
    {
      sockets: new RawVrrpSocketFactory({ onError: (e) => log.error(`VRRP socket: ${e.message}`), onWarning: (m) => log.warn(m) }),
      addresses,
      garp: new PacketGarpSender(),
      links,
      scripts: (script, onReport) => checkScriptRunner(() => running, script, log, onReport),
      trackFiles: (tf, onChange) => new TrackFileWatcher(tf, log, onChange),
      notify: new SystemNotifyOutputs(config.global, log),
      clock: monotonicClock,
      wallUs: () => Date.now() * 1000,
    },
    log,
  );
  const daemon = new Daemon(runtime, log);
  // keepalived's dump files, rendered from one snapshot of what runs (runtime/status.ts), with
  // keepalived's log line for each. Serialised: a second signal waits for the file being written.
  let dumping: Promise<void> = Promise.resolve();
  const dump = (kind: DumpKind, line: string, after: () => void = () => undefined): void => {
    dumping = dumping.then(async () => {
      log.info(`${line} for process(${process.pid}) on signal`);
      const host = await readHostStatus(running, addresses);
      const s = snapshotOf(runtime, running, host, { nowWallUs: Date.now() * 1000, nowMonoUs: monotonicClock.nowUs() }, process.pid);
      const text = kind === 'data' ? renderData(s) : kind === 'stats' ? renderStats(s) : renderJson(s);
      after();
      // keepalived writes no JSON file when there are no instances.
      if (text !== '') writeDumpFile(dumpFilePath(kind, { tmpdir: process.env['TMPDIR'] ?? null }), text, (m) => log.error(m));
    }).catch((e: unknown) => log.error(`dump ${kind}: ${errorMessage(e)}`));
  };
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
      removePidFiles(opts.pidFiles);
      log.info('Stopped tsvrrpd');
      done(0);
    });
  };
  const reloader = new Reloader(log, opts.configFile, opts.loadConfig, async (next) => {
    if (stopping) return;
    // From here on, what runs is `next` (new script runners start as its script_user).
    running = next;
    const plan = await daemon.reload(next);
    if (plan === null) return;
    // keepalived reload_vrrp_thread(): the line operators grep for.
    log.info('Reload complete');
  });
  installSignals(
    {
      stop,
      reload: () => reloader.request(),
      data: () => dump('data', 'Printing VRRP data'),
      stats: () => dump('stats', 'Printing VRRP stats'),
      // keepalived vrrp_print_stats(): the file shows the counters, then they are cleared.
      statsClear: () => dump('stats', 'Printing and clearing VRRP stats', () => runtime.clearStats()),
      json: () => dump('json', 'Printing VRRP as json'),
    },
    (what, e) => log.error(`${what}: ${errorMessage(e)}`),
  );
  try {
    writePidFiles(opts.pidFiles);
    await releaseStartupPages(log);
    await daemon.start(config);
  } catch (e) {
    log.error(`start-up failed: ${errorMessage(e)}`);
    await daemon.stop();
    addresses.close();
    removePidFiles(opts.pidFiles);
    return 1;
  }
  tryNotify(log, notifyReady);
  return finished;
}

/** SIGHUP handling: one reload at a time; a SIGHUP during one asks for one more after it. */
class Reloader {
  private busy = false;
  private again = false;

  constructor(
    private readonly log: Logger,
    private readonly file: string,
    private readonly load: () => Promise<CheckResult>,
    private readonly apply: (config: Config) => Promise<void>,
  ) {}

  request(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    void this.run().finally(() => (this.busy = false));
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      // keepalived process_reload_signal() and reload_vrrp_thread(): the lines operators grep for.
      this.log.info('Reloading ...');
      this.log.info(`Configuration file ${this.file}`);
      let result: CheckResult;
      try {
        result = await this.load();
      } catch (e) {
        this.log.error(`Reload: reading the configuration failed: ${errorMessage(e)} - keeping the running configuration`);
        continue;
      }
      for (const d of result.diagnostics) {
        if (severityWord(d.cls) === 'error' || severityWord(d.cls) === 'fatal') this.log.error(renderDiagnostic(d));
        else this.log.warn(renderDiagnostic(d));
      }
      if (blockingErrors(result) || result.config === null) {
        this.log.error(`Reload: the configuration has errors (exit ${result.exitCode || 1}) - keeping the running configuration`);
        continue;
      }
      try {
        await this.apply(result.config);
      } catch (e) {
        this.log.error(`Reload failed: ${errorMessage(e)}`);
      }
    } while (this.again);
  }
}
