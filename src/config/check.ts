/**
 * The config front end in one call: read keepalived.conf (and its includes) through the
 * injected file system, parse it against the keyword tables, apply keepalived's defaults and
 * cross-object rules, and answer with the typed Config, every diagnostic, and the exit code
 * `keepalived -t` would give. Pure apart from the injected ports.
 */
import type { ConfigFs } from './config-fs';
import type { HostFacts } from './host-facts';
import { DiagnosticSink, exitCodeFor, severityWord, type Diagnostic } from './diagnostics';
import { LineReader } from './reader';
import { parseStream } from './stream';
import { newConfigDraft } from './draft';
import { rootKeywords } from './keywords/root';
import { buildConfig } from './build';
import type { Config } from './model';

export interface CheckOptions {
  /** The main config file (keepalived -f); globs are allowed like keepalived's. */
  readonly file: string;
  /** keepalived -i; null means none was given and the host name could not be had. */
  readonly configId: string | null;
  readonly fs: ConfigFs;
  readonly host: HostFacts;
  /** For ${_RANDOM}; defaults to Math.random. */
  readonly random?: (min: number, max: number) => number;
  /** For ${_INSTANCE} (keepalived --instance); empty by default. */
  readonly instanceName?: string;
}

export interface CheckResult {
  /** The effective config, or null when the main file could not be read at all. */
  readonly config: Config | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: number;
}

function defaultRandom(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

export function checkConfig(options: CheckOptions): CheckResult {
  const sink = new DiagnosticSink();
  const reader = new LineReader(options.fs, sink, {
    configId: options.configId,
    definitionEnv: {
      instanceName: () => options.instanceName ?? '',
      random: options.random ?? defaultRandom,
    },
  });
  const draft = newConfigDraft();
  let config: Config | null = null;
  if (reader.openMain(options.file)) {
    parseStream(reader, sink, options.host, rootKeywords(), draft, newConfigDraft);
    config = buildConfig(draft, sink, options.host);
  }
  return { config, diagnostics: sink.all, exitCode: exitCodeFor(sink.all) };
}

/** Errors that keep a file from running (script security alone does not: keepalived runs it). */
export function blockingErrors(result: CheckResult): boolean {
  return result.config === null || result.diagnostics.some((d) => d.cls !== 'SECURITY_ERROR' && (severityWord(d.cls) === 'error' || severityWord(d.cls) === 'fatal'));
}
