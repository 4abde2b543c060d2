/**
 * Helpers for tests that run real scripts: a temporary directory removed after the test,
 * script files, and what /proc says about a process (alive, process group).
 */
import type { TestContext } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A new directory `<tmp>/<prefix>XXXXXX`, removed (with its contents) after the test; `mode`
 * sets its permissions (e.g. 0o755, for a directory every script user may enter).
 */
export function tempDir(t: Pick<TestContext, 'after'>, prefix: string, mode?: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (mode !== undefined) fs.chmodSync(dir, mode);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Write `dir/name` with exactly `text` and `mode` (default executable); its path. */
export function writeScript(dir: string, name: string, text: string, mode = 0o755): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

/** An executable `#!/bin/sh` script `dir/name` running `body`; its path. */
export function shScript(dir: string, name: string, body: string): string {
  return writeScript(dir, name, `#!/bin/sh\n${body}`);
}

/** Alive = /proc entry present and not a zombie (orphans are reaped by init, maybe later). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The process group of `pid` (from /proc; throws if there is no such process). */
export function pgrpOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}
