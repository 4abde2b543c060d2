/**
 * Shared helpers for the tests and benchmarks that run on the real kernel in network
 * namespaces: run a command (throwing with its stderr), poll a condition with a deadline
 * (never an open-ended sleep), wait for a child process to exit, ask whether a tool exists.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';

/** Is `cmd` on PATH? */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Run a command; its stdout, or an Error with its stderr when it fails. */
export function sh(args: readonly string[]): string {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every 20 ms until it holds; the milliseconds it took, or an Error at the deadline. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - start;
}

/** Resolves with the exit code (null when killed by a signal) once `p` has exited. */
export function exited(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((r) => p.once('exit', (code) => r(code)));
}
