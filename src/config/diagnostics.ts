/**
 * Config diagnostics: what the parser and validator report, where, and how bad.
 *
 * Owns the severity classes (keepalived's `config_err_t`, lib/parser.h), the verdict and exit
 * code of `--check-config` (keepalived: main.c config_test_exit()), and the rendering in
 * keepalived's `(file: Line N) message` form. Never throws; never does I/O.
 */

/**
 * keepalived's classes, in its enum order. keepalived keeps the *highest* class reported
 * (vreport_config_error: `config_err < err`), so a warning after a missing file still gives 5,
 * and a script-security error outranks everything.
 */
export const KEEPALIVED_CLASSES = [
  'FILE_NOT_FOUND',
  'BAD_IF',
  'FATAL',
  'MULTIPLE_FILES',
  'UNKNOWN_KEYWORD',
  'UNEXPECTED_BOB',
  'MISSING_BOB',
  'UNEXPECTED_EOB',
  'MISSING_EOB',
  'UNMATCHED_QUOTE',
  'MISSING_PARAMETER',
  'INVALID_NUMBER',
  'GENERAL_ERROR',
  'WARNING',
  'DEPRECATED',
  'SECURITY_ERROR',
] as const;
export type KeepalivedClass = (typeof KEEPALIVED_CLASSES)[number];

/**
 * A diagnostic's class: one of keepalived's (these decide the verdict exactly as keepalived's
 * do), or `NOTICE`: something keepalived only logs (or that tsvrrpd adds, like "not run"),
 * shown to the operator but never changing the verdict.
 */
export type DiagnosticClass = KeepalivedClass | 'NOTICE';

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  /** 1-based column of the word the message is about; 0 when it concerns the whole line. */
  readonly col: number;
}

export interface Diagnostic {
  readonly cls: DiagnosticClass;
  /** Stable code, e.g. `CFG_UNKNOWN_KEYWORD`; tests and tooling match on it, never on text. */
  readonly code: string;
  readonly message: string;
  /** Where it applies. Every diagnostic has one, even when keepalived prints none. */
  readonly at: SourceLocation | null;
}

/** `--check-config` exit codes (keepalived lib/scheduler.h KEEPALIVED_CHK_EXIT_*). */
export const EXIT_OK = 0;
/** keepalived null_strvec(): a keyword missing its argument stops the parse with exit 2. */
export const EXIT_MISSING_PARAMETER = 2;
export const EXIT_CONFIG_FATAL = 4;
export const EXIT_CONFIG_ERRORS = 5;
export const EXIT_SCRIPT_SECURITY = 6;
/** keepalived KEEPALIVED_EXIT_NO_CONFIG: an `includem/w/b/a` failure stops it after reading. */
export const EXIT_NO_CONFIG = 6;

function classRank(cls: DiagnosticClass): number {
  return cls === 'NOTICE' ? -1 : KEEPALIVED_CLASSES.indexOf(cls);
}

/** The class keepalived would end up with: the highest one reported, or null if none. */
export function worstClass(diags: readonly Diagnostic[]): KeepalivedClass | null {
  let worst: KeepalivedClass | null = null;
  for (const d of diags) {
    if (d.cls === 'NOTICE') continue;
    if (worst === null || classRank(d.cls) > classRank(worst)) worst = d.cls;
  }
  return worst;
}

/** keepalived main.c config_test_exit(): the exit code of `-t` for a set of diagnostics. */
export function exitCodeFor(diags: readonly Diagnostic[]): number {
  if (diags.some((d) => d.cls === 'MISSING_PARAMETER')) return EXIT_MISSING_PARAMETER;
  if (diags.some((d) => d.code === 'CFG_INCLUDE_FAILED')) return EXIT_NO_CONFIG;
  const worst = worstClass(diags);
  switch (worst) {
    case null:
      return EXIT_OK;
    case 'FILE_NOT_FOUND':
    case 'BAD_IF':
    case 'FATAL':
      return EXIT_CONFIG_FATAL;
    case 'SECURITY_ERROR':
      return EXIT_SCRIPT_SECURITY;
    default:
      return EXIT_CONFIG_ERRORS;
  }
}

export function severityWord(cls: DiagnosticClass): 'fatal' | 'error' | 'warning' | 'security' | 'notice' {
  switch (cls) {
    case 'FILE_NOT_FOUND':
    case 'BAD_IF':
    case 'FATAL':
      return 'fatal';
    case 'WARNING':
    case 'DEPRECATED':
      return 'warning';
    case 'SECURITY_ERROR':
      return 'security';
    case 'NOTICE':
      return 'notice';
    default:
      return 'error';
  }
}

/**
 * keepalived's form `(file: Line N) message`, plus the column tsvrrpd knows:
 * `(file: Line N, Col C) message`.
 */
export function renderDiagnostic(d: Diagnostic): string {
  if (!d.at) return d.message;
  const col = d.at.col > 0 ? `, Col ${d.at.col}` : '';
  return `(${d.at.file}: Line ${d.at.line}${col}) ${d.message}`;
}

/** Collects diagnostics in order; the one sink every config stage writes to. */
export class DiagnosticSink {
  private readonly items: Diagnostic[] = [];
  private readonly onceKeys = new Set<string>();

  report(cls: DiagnosticClass, code: string, message: string, at: SourceLocation | null): void {
    this.items.push({ cls, code, message, at });
  }

  /** Report under `key` only the first time (e.g. "not run" notices). */
  reportOnce(key: string, cls: DiagnosticClass, code: string, message: string, at: SourceLocation | null): void {
    if (this.onceKeys.has(key)) return;
    this.onceKeys.add(key);
    this.report(cls, code, message, at);
  }

  get all(): readonly Diagnostic[] {
    return this.items;
  }

  get count(): number {
    return this.items.length;
  }
}
