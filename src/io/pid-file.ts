/**
 * One daemon per pid file (keepalived 2.2.7 pidfile.c keepalived_running(): a second start
 * with a live daemon behind the pid file exits at once, touching nothing). A pid file whose
 * process is gone, or is not a tsvrrpd (the pid was reused), is stale and taken over. The file
 * is written whole (temp file + rename) and removed at stop only while it still names us.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from './atomic-file';
import { errorMessage } from './errors';

export class DaemonRunningError extends Error {
  override readonly name = 'DaemonRunningError';
  readonly code = 'DAEMON_RUNNING';
  constructor(
    readonly pidFile: string,
    readonly pid: number,
  ) {
    super(`daemon is already running (pid ${pid}, from ${pidFile})`);
  }
}

export class PidFileError extends Error {
  override readonly name = 'PidFileError';
  readonly code = 'PID_FILE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Does `pid` run tsvrrpd (its command line names the command or the compiled CLI)? */
export function isTsvrrpd(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');
  } catch {
    return false;
  }
  return /(^|\/)tsvrrpd(\.js)?(\s|$)|dist\/src\/cli\.js(\s|$)/.test(cmdline);
}

function pidIn(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Throws DaemonRunningError when another live tsvrrpd holds one of `files`. Touches nothing. */
export function assertNotRunning(files: readonly string[], self: number = process.pid): void {
  for (const file of files) {
    const pid = pidIn(file);
    if (pid !== null && pid !== self && alive(pid) && isTsvrrpd(pid)) throw new DaemonRunningError(file, pid);
  }
}

/** Write our pid into each file, atomically; throws PidFileError. */
export function writePidFiles(files: readonly string[], self: number = process.pid): void {
  for (const file of files) {
    try {
      writeFileAtomic(file, `${self}\n`, 0o644);
    } catch (e) {
      throw new PidFileError(`cannot write pid file ${file}: ${errorMessage(e)}`, { cause: e });
    }
  }
}

/** Remove each file that still names us (a successor's file is left alone). */
export function removePidFiles(files: readonly string[], self: number = process.pid): void {
  for (const file of files) if (pidIn(file) === self) fs.rmSync(file, { force: true });
}
