/**
 * Shared helpers for the tests and benchmarks that run on the real kernel in network
 * namespaces: run a command (throwing with its stderr), poll a condition with a deadline
 * (never an open-ended sleep), bound a promise in time, wait for a child process to exit, read
 * a pid file, ask whether a tool exists.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

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

/** Does a process `pid` exist (signal 0 reaches it; a zombie counts)? */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid in a pid file, or null (no file yet, or not a pid). */
export function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Resolves true if `p` settles within `ms`, false otherwise (the timer is always cleared). */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the exit code (null when killed by a signal) once `p` has exited. */
export function exited(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((r) => p.once('exit', (code) => r(code)));
}

export interface LanNode {
  readonly ns: string;
  readonly ip: string;
}

/**
 * A LAN: namespace `sw` holds bridge br0 (multicast snooping off, so VRRP multicast reaches
 * every port); each node gets its own namespace whose eth0 (address ip/24) is a port of br0,
 * named sw<key> on the bridge side. Namespaces left by an earlier run are replaced.
 */
export function buildBridgeLan(sw: string, nodes: Readonly<Record<string, LanNode>>): void {
  addBridge(sw);
  for (const n of Object.values(nodes)) freshNamespace(n.ns);
  for (const [name, n] of Object.entries(nodes)) addBridgePort(sw, name, n.ns, 'eth0', n.ip);
}

/** A new namespace `ns` with lo up (replacing one left by an earlier run). */
export function freshNamespace(ns: string): void {
  spawnSync('ip', ['netns', 'del', ns]);
  sh(['ip', 'netns', 'add', ns]);
  sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
}

/** A new namespace `sw` holding bridge br0, up, multicast snooping off (VRRP multicast reaches every port). */
export function addBridge(sw: string): void {
  freshNamespace(sw);
  sh(['ip', '-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
  sh(['ip', '-n', sw, 'link', 'set', 'br0', 'up']);
}

/** A port `sw<key>` of `sw`'s br0: a veth whose peer is `iface` (address ip/24, up) in namespace `ns`. */
export function addBridgePort(sw: string, key: string, ns: string, iface: string, ip: string): void {
  sh(['ip', '-n', sw, 'link', 'add', `sw${key}`, 'type', 'veth', 'peer', 'name', iface, 'netns', ns]);
  sh(['ip', '-n', sw, 'link', 'set', `sw${key}`, 'master', 'br0', 'up']);
  sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', iface]);
  sh(['ip', '-n', ns, 'link', 'set', iface, 'up']);
}

/**
 * Start tshark in namespace `ns` on `iface`, writing packets that match `filter` to `file`;
 * resolves once tshark reports it is capturing (killed and rejected if it never does).
 */
export async function startCapture(ns: string, iface: string, filter: string, file: string): Promise<ChildProcess> {
  const p = spawn('ip', ['netns', 'exec', ns, 'tshark', '-i', iface, '-f', filter, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let ready = false;
  p.stderr?.on('data', (d: Buffer) => {
    if (d.toString().includes('Capturing on')) ready = true;
  });
  try {
    await waitFor(`tshark on ${iface}`, () => ready, 15_000);
  } catch (e) {
    p.kill('SIGKILL');
    throw e;
  }
  return p;
}

/** The pids of the processes in namespace `ns` (none when it does not exist). */
export function namespacePids(ns: string): number[] {
  const out = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}

/** SIGKILL every process in namespace `ns`: a lab's namespaces hold only what the lab started. */
export function killNamespacePids(ns: string): void {
  for (const pid of namespacePids(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
