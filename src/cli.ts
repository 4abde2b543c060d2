/**
 * The `tsvrrpd` command line: keepalived's flags with keepalived's meanings, the exit codes of
 * `keepalived -t`, and the daemon (VRRP only, like keepalived -P). tsvrrpd does not fork: it
 * runs in the foreground (-n is implied), logging to stderr, as under systemd Type=simple.
 */
// First: V8 flags for a daemon run must be set before any other module is compiled.
import './boot';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { blockingErrors, type CheckResult } from './config/check';
import { renderDiagnostic, severityWord } from './config/diagnostics';
import { checkConfigFile } from './io/config-file';
import { facilityFromOption, LOG_DAEMON, SyslogWriter } from './io/syslog';
import { signum } from './io/signals';

export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';
export const DEFAULT_PID_FILE = '/run/tsvrrpd.pid';

/** How long the process may take to drain its output once the daemon has stopped. */
const EXIT_DRAIN_MS = 200;

/** Exit code for usage errors (commander's own). */
const EXIT_USAGE = 1;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** keepalived's default config id is the short host name. */
function defaultConfigId(): string {
  return os.hostname().split('.')[0] ?? '';
}

interface CliOptions {
  useFile: string;
  checkConfig?: boolean;
  dumpConf?: boolean;
  configId?: string;
  dontFork?: boolean;
  logConsole?: boolean;
  logDetail?: boolean;
  logFacility?: number;
  syslog: boolean;
  pid: string;
  vrrpPid?: string;
  vrrp?: boolean;
  signum?: string;
}

function summary(result: CheckResult): string {
  const counts = new Map<string, number>();
  for (const d of result.diagnostics) {
    const w = severityWord(d.cls);
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const parts = [...counts].map(([w, n]) => `${n} ${w}${n === 1 ? '' : 's'}`);
  return `tsvrrpd: configuration check: ${parts.length > 0 ? parts.join(', ') : 'no problems'} (exit ${result.exitCode})`;
}

function runCheck(opts: CliOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const result = checkConfigFile({ file: path.resolve(opts.useFile), configId: opts.configId ?? defaultConfigId() });
  for (const d of result.diagnostics) err.write(`${renderDiagnostic(d)}\n`);
  if (opts.dumpConf) {
    out.write(`${JSON.stringify(result.config, null, 2)}\n`);
  }
  if (result.diagnostics.length > 0) err.write(`${summary(result)}\n`);
  return result.exitCode;
}

function parseFacility(value: string): number {
  const n = Number(value);
  if (!/^[0-7]$/.test(value)) throw new InvalidArgumentError('must be 0..7 (LOG_LOCAL0..LOG_LOCAL7)');
  return n;
}

export function buildProgram(): Command {
  return new Command()
    .name('tsvrrpd')
    .description('A keepalived-compatible VRRPv2 daemon. Reads keepalived.conf.')
    .version(packageVersion(), '-v, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .addOption(new Option('-f, --use-file <file>', 'use the specified configuration file').default(DEFAULT_CONFIG_FILE))
    .option('-t, --check-config', 'check the configuration like keepalived -t and exit: 0 OK, 2 missing parameter, 4 fatal, 5 errors, 6 script security')
    .option('-d, --dump-conf', 'print the effective configuration (defaults applied) as JSON and exit')
    .option('-i, --config-id <id>', "use <id> to select '@id' configuration lines (default: short host name)")
    .option('-n, --dont-fork', "stay in the foreground (tsvrrpd always does; accepted for keepalived's command lines)")
    .option('-l, --log-console', 'also log to the console (stderr)')
    .option('-D, --log-detail', 'detailed log messages (debug level)')
    .addOption(new Option('-S, --log-facility <0-7>', 'log to syslog facility LOG_LOCAL<0-7> (default LOG_DAEMON)').argParser(parseFacility))
    .option('-G, --no-syslog', "don't log via syslog")
    .addOption(new Option('-p, --pid <file>', 'pid file').default(DEFAULT_PID_FILE))
    .option('-r, --vrrp_pid <file>', "VRRP pid file (tsvrrpd is one process: the same pid is written)")
    .option('-P, --vrrp', 'run only the VRRP subsystem (tsvrrpd always does)')
    .option('--signum <name>', 'print the number of signal STOP, RELOAD, DATA, STATS, STATS_CLEAR or JSON (as keepalived) and exit')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
}

export function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number | Promise<number> {
  const program = buildProgram();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    throw e;
  }
  const opts = program.opts<CliOptions>();
  if (opts.signum !== undefined) return printSignum(opts.signum, out, err);
  if (opts.checkConfig || opts.dumpConf) return runCheck(opts, out, err);
  return runDaemon(opts, err);
}

/** keepalived --signum=NAME: the number on stdout, exit 0; an unknown name is an error. */
function printSignum(name: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const n = signum(name);
  if (n === null) {
    err.write(`Unknown sigfunc ${name}\n`);
    return EXIT_USAGE;
  }
  out.write(`${n}\n`);
  return 0;
}

/** Run the daemon; resolves with the exit code once it has stopped. */
function runDaemon(opts: CliOptions, err: NodeJS.WritableStream): Promise<number> {
  if (process.getuid?.() !== 0) {
    err.write('tsvrrpd: must run as root (it needs CAP_NET_RAW for VRRP sockets and CAP_NET_ADMIN for VIPs)\n');
    return Promise.resolve(EXIT_USAGE);
  }
  // A reload reads and checks the file exactly as this first read does (and as -t does):
  // io/config-file.ts checkConfigFile().
  const file = path.resolve(opts.useFile);
  const configId = opts.configId ?? defaultConfigId();
  const result = checkConfigFile({ file, configId });
  for (const d of result.diagnostics) err.write(`${renderDiagnostic(d)}\n`);
  // keepalived runs a config whose only complaint is script security (the SECURITY VIOLATION
  // of `-t`, exit 6): it logs it and runs the scripts. Anything worse stops us here.
  if (blockingErrors(result) || result.config === null) {
    err.write(`tsvrrpd: configuration has errors, not starting (exit ${result.exitCode || 1})\n`);
    return Promise.resolve(result.exitCode || 1);
  }
  const config = result.config;
  const syslog = opts.syslog ? new SyslogWriter(opts.logFacility === undefined ? LOG_DAEMON : facilityFromOption(opts.logFacility)) : null;
  // Loaded only here: -t, -d, --signum and --help need none of the daemon's modules (the
  // logger, netlink, raw sockets, mail), and configuration management runs -t on every render.
  return Promise.all([import('./main'), import('./io/config-worker')]).then(([{ startDaemon }, { checkConfigInWorker }]) => startDaemon(config, {
    detail: opts.logDetail === true,
    console: opts.logConsole === true,
    syslog,
    pidFiles: [opts.pid, ...(opts.vrrpPid ? [opts.vrrpPid] : [])],
    configFile: file,
    // Off the event loop: a large file would otherwise hold back the adverts due meanwhile.
    loadConfig: () => checkConfigInWorker({ file, configId }),
    err,
  }));
}

export function mainAsync(argv: readonly string[]): Promise<number> {
  try {
    return Promise.resolve(main(argv));
  } catch (e) {
    return Promise.reject(e);
  }
}

if (require.main === module) {
  void mainAsync(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Once stopped, nothing may hold the exit back: a notify script still running (it is in
    // its own process group and lives on, as under keepalived) or a mail still connecting.
    setTimeout(() => process.exit(code), EXIT_DRAIN_MS).unref();
  });
}
