/**
 * Shared helpers for the tests and benchmarks that run on the real kernel in network
 * namespaces: run a command (throwing with its stderr), poll a condition with a deadline
 * (never an open-ended sleep), wait for a child process to exit, ask whether a tool exists.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

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
  for (const ns of [sw, ...Object.values(nodes).map((n) => n.ns)]) {
    spawnSync('ip', ['netns', 'del', ns]);
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  sh(['ip', '-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
  sh(['ip', '-n', sw, 'link', 'set', 'br0', 'up']);
  for (const [name, n] of Object.entries(nodes)) {
    sh(['ip', '-n', sw, 'link', 'add', `sw${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.ns]);
    sh(['ip', '-n', sw, 'link', 'set', `sw${name}`, 'master', 'br0', 'up']);
    sh(['ip', '-n', n.ns, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0']);
    sh(['ip', '-n', n.ns, 'link', 'set', 'eth0', 'up']);
  }
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
