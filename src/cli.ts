/**
 * The `tsvrrpd` command line: keepalived's flags with keepalived's meanings, and the exit
 * codes of `keepalived -t`. This scope is the configuration front end (`-t`, `-d`);
 * the daemon itself arrives with the wire and netlink adapters.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { checkConfig, type CheckResult } from './config/check';
import { renderDiagnostic, severityWord } from './config/diagnostics';
import { nodeConfigFs } from './io/config-fs-node';
import { nodeHostFacts } from './io/host-facts-node';

export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';

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
  const result = checkConfig({
    file: path.resolve(opts.useFile),
    configId: opts.configId ?? defaultConfigId(),
    fs: nodeConfigFs,
    host: nodeHostFacts(),
  });
  for (const d of result.diagnostics) err.write(`${renderDiagnostic(d)}\n`);
  if (opts.dumpConf) {
    out.write(`${JSON.stringify(result.config, null, 2)}\n`);
  }
  if (result.diagnostics.length > 0) err.write(`${summary(result)}\n`);
  return result.exitCode;
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
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) });
}

export function main(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  const program = buildProgram();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_USAGE;
    throw e;
  }
  const opts = program.opts<CliOptions>();
  if (opts.checkConfig || opts.dumpConf) return runCheck(opts, out, err);
  err.write('tsvrrpd: the VRRP daemon is not available in this version yet; use --check-config (-t) or --dump-conf (-d)\n');
  return EXIT_USAGE;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
