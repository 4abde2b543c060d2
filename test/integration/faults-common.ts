/**
 * Shared by the real-kernel fault scenarios (faults-*.test.ts): a pair on one bridge LAN, A the
 * MASTER (priority 150) and B the BACKUP (priority 100), one VIP, each side tsvrrpd or
 * keepalived 2.2.7 as the test chooses; the faults (a partition on the bridge, a stopped
 * process, a link flapped, an interface re-created) and what is checked after them: who holds
 * the VIP (`ip addr` on both nodes), who advertises (tshark on the bridge), the daemon's process
 * (alive, not stopped, its children and open descriptors from /proc).
 *
 * Checks are collected (`Checks`) rather than thrown at the first one, so a failing scenario
 * reports every symptom at once, with both daemons' logs and the last adverts on the wire.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { TestContext } from 'node:test';
import { SLACK, entered, masterDownMs, note, vrrpInstance } from '../support/e2e-lab';
import type { AdvertCapture, E2eDaemon, E2eLab, Impl, ScenarioLabs, WireAdvert } from '../support/e2e-lab';
import { sleep } from '../support/netns';

export const PRIO_A = 150;
export const PRIO_B = 100;
/** advert_int 1 s: the issue's "one advert interval + 100 ms". */
export const ADVERT_MS = 1_000;
export const HEAL_BOUND_MS = ADVERT_MS + 100;

/** Which implementation runs on A (the MASTER, 150) and on B (the BACKUP, 100). */
export interface Roles {
  readonly a: Impl;
  readonly b: Impl;
}
export const TSV_MASTER: Roles = { a: 'tsvrrpd', b: 'keepalived' };
export const TSV_BACKUP: Roles = { a: 'keepalived', b: 'tsvrrpd' };
export const rolesName = (r: Roles): string => `A ${r.a} (${PRIO_A}) / B ${r.b} (${PRIO_B})`;

export interface Pair {
  readonly lab: E2eLab;
  readonly a: E2eDaemon;
  readonly b: E2eDaemon;
  readonly cap: AdvertCapture;
  readonly vrid: number;
  readonly vip: string;
  readonly ipA: string;
  readonly ipB: string;
}

/**
 * A lab `<prefix>-<n>` (nodes a, b on 10.<net>.0.0/24, VIP .100, and any `others`: node → IP),
 * a capture on its bridge, A started then B; resolves once A holds the VIP and advertises, B is BACKUP, neither in FAULT.
 */
export async function masterPair(labs: ScenarioLabs, t: TestContext, n: number, net: number, roles: Roles, others: Readonly<Record<string, string>> = {}): Promise<Pair> {
  const ipA = `10.${net}.0.1`;
  const ipB = `10.${net}.0.2`;
  const vip = `10.${net}.0.100`;
  const vrid = net;
  const lab = await labs.create(t, n, { a: ipA, b: ipB, ...others });
  const cap = await lab.capture();
  const a = lab.start('a', `s${n}-a`, vrrpInstance({ vrid, prio: PRIO_A, vips: [vip] }), { impl: roles.a });
  await a.waitStarted();
  const b = lab.start('b', `s${n}-b`, vrrpInstance({ vrid, prio: PRIO_B, vips: [vip] }), { impl: roles.b });
  await b.waitStarted();
  await lab.waitFor('A to become master', () => lab.hasVip('a', vip), masterDownMs(PRIO_A) + SLACK);
  await lab.waitAdvert(cap, 'A advertising as master', { src: ipA, vrid, prio: PRIO_A }, 0, SLACK);
  assert.equal(lab.hasVip('b', vip), false, 'B is BACKUP while A is master');
  assert.equal(entered(b, 'MASTER'), 0, 'B never became master');
  for (const d of [a, b]) assert.deepEqual(d.lines(/entering FAULT state/i), [], `${d.name} started without FAULT`);
  return { lab, a, b, cap, vrid, vip, ipA, ipB };
}

/** Who holds the VIP now, e.g. "a", "b", "a+b" or "none". */
export function holders(p: Pair): string {
  const h = p.lab.holders(p.vip, ['a', 'b']);
  return h.length === 0 ? 'none' : h.join('+');
}

/** Poll `cond` every 20 ms; the ms it took, or null at the deadline (no throw: the caller decides). */
export async function pollUntil(cond: () => boolean, timeoutMs: number): Promise<number | null> {
  const start = Date.now();
  for (;;) {
    if (cond()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) return null;
    await sleep(20);
  }
}

/** Checks that do not stop the scenario: `done()` fails with every one that did not hold. */
export class Checks {
  private readonly failed: string[] = [];

  constructor(private readonly p: Pair) {}

  check(ok: boolean, what: string): boolean {
    if (!ok) this.failed.push(what);
    return ok;
  }

  get failures(): readonly string[] {
    return this.failed;
  }

  done(): void {
    if (this.failed.length === 0) return;
    assert.fail(`${this.failed.length} check(s) failed:\n- ${this.failed.join('\n- ')}\n--- last adverts on the bridge ---\n${this.p.cap.tail(30)}\n${this.p.a.tail(60)}\n${this.p.b.tail(60)}`);
  }
}

/** SIGSTOP / SIGCONT the process that runs VRRP (tsvrrpd; keepalived's VRRP child). */
export function signalVrrp(d: E2eDaemon, sig: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = d.vrrpPid();
  assert.ok(pid !== null, `${d.name} is running`);
  process.kill(pid, sig);
}

/** A process's state letter from /proc/PID/stat (R, S, T, Z, …), or null when it is gone. */
export function procState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** The processes whose parent is `pid` (from every /proc/N/stat), as "pid comm". */
export function childrenOf(pid: number): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === pid) out.push(`${e} ${stat.slice(stat.indexOf('(') + 1, close)}`);
    } catch {
      // gone meanwhile
    }
  }
  return out.sort();
}

/** What each of a process's open descriptors is (`/proc/PID/fd/N -> target`), sorted by fd. */
export function openFds(pid: number): string[] {
  const dir = `/proc/${pid}/fd`;
  const fds = fs.readdirSync(dir).sort((x, y) => Number(x) - Number(y));
  return fds.map((fd) => {
    try {
      return `${fd} -> ${fs.readlinkSync(`${dir}/${fd}`)}`;
    } catch {
      return `${fd} -> (closed)`;
    }
  });
}

/** The descriptor count once it has been the same for 5 samples 100 ms apart (a steady state). */
export async function steadyFdCount(pid: number, timeoutMs = 5_000): Promise<number> {
  const start = Date.now();
  let last = -1;
  let same = 0;
  for (;;) {
    const n = openFds(pid).length;
    same = n === last ? same + 1 : 1;
    last = n;
    if (same >= 5 || Date.now() - start > timeoutMs) return n;
    await sleep(100);
  }
}

/** tsvrrpd's log line time (`<ISO time> tsvrrpd[pid]: …`), ms since the epoch; NaN for other lines. */
export const tsvLineMs = (line: string): number => Date.parse(line.slice(0, line.indexOf(' ')));

/** A small seeded PRNG (mulberry32): the same seed gives the same fault schedule. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed: TSV_FAULT_SEED when set (to replay a run), else a fresh one; printed either way. */
export function faultSeed(): number {
  const env = process.env.TSV_FAULT_SEED;
  const seed = env !== undefined && env !== '' ? Number(env) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  note(`fault seed ${seed} (replay with TSV_FAULT_SEED=${seed})`);
  return seed;
}

/**
 * The bridge-side partition: A's bridge port `swa` put in STP state disabled. The bridge then
 * neither forwards what A sends nor sends A anything (VRRP, ARP, everything), while A's eth0
 * keeps its carrier (still `state UP`, LOWER_UP): a switch that stopped forwarding one port,
 * not a cable pulled. (Taking the port down instead would drop A's carrier, and A would go to
 * FAULT and release its VIP: not the both-MASTER partition this scenario is about.)
 */
export function partition(p: Pair, on: boolean): void {
  const r = spawnSync('bridge', ['-n', p.lab.bridgeNs(), 'link', 'set', 'dev', 'swa', 'state', on ? '0' : '3'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `bridge link set swa state: ${r.stderr}`);
}

/** One line of `ip -o link show dev IFACE` in a node: ifindex and MAC. */
export function linkId(lab: E2eLab, node: string, iface: string): { ifindex: number; mac: string } | null {
  const r = spawnSync('ip', ['-n', lab.ns(node), '-o', 'link', 'show', 'dev', iface], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const ifindex = Number(/^(\d+):/.exec(r.stdout)?.[1]);
  const mac = /link\/ether ([0-9a-f:]{17})/.exec(r.stdout)?.[1] ?? '';
  return { ifindex, mac };
}

export interface Convergence {
  /** ms from `t0` until only the winner held the VIP (polled `ip addr`), or null (never in the window). */
  readonly polledMs: number | null;
  /** ms from `t0` to the loser's last advert on the wire after t0 (null: none after t0). */
  readonly loserLastAdvertMs: number | null;
  /** ms from `t0` to the winner's first advert on the wire after t0 (null: none). */
  readonly winnerFirstAdvertMs: number | null;
}

/**
 * Wait (up to `windowMs`) until only `winner` holds the VIP, then hold that for `holdMs` more;
 * measures from `t0` (Date.now() scale) on the wire and by polling, prints it with note().
 * Records into `checks` that it converged within `boundMs` and stayed converged.
 */
export async function converge(
  p: Pair,
  checks: Checks,
  o: { readonly winner: 'a' | 'b'; readonly t0: number; readonly boundMs: number; readonly windowMs: number; readonly holdMs: number; readonly what: string },
): Promise<Convergence> {
  const only = (): boolean => holders(p) === o.winner;
  const waited = await pollUntil(only, Math.max(0, o.t0 + o.windowMs - Date.now()));
  const polledMs = waited === null ? null : Date.now() - o.t0;
  let heldOk = polledMs !== null;
  let brokeAt = '';
  if (polledMs !== null) {
    const end = Date.now() + o.holdMs;
    while (Date.now() < end) {
      const h = holders(p);
      if (h !== o.winner) {
        heldOk = false;
        brokeAt = `${h} at +${Date.now() - o.t0} ms`;
        break;
      }
      await sleep(20);
    }
  }
  await sleep(200); // let tshark print the last frames
  const winnerIp = o.winner === 'a' ? p.ipA : p.ipB;
  const loserIp = o.winner === 'a' ? p.ipB : p.ipA;
  const loser: WireAdvert | undefined = p.cap.find({ src: loserIp, vrid: p.vrid }, o.t0).pop();
  const winner: WireAdvert | undefined = p.cap.find({ src: winnerIp, vrid: p.vrid }, o.t0)[0];
  const c: Convergence = {
    polledMs,
    loserLastAdvertMs: loser === undefined ? null : loser.time * 1000 - o.t0,
    winnerFirstAdvertMs: winner === undefined ? null : winner.time * 1000 - o.t0,
  };
  const f = (ms: number | null): string => (ms === null ? 'never' : `${ms.toFixed(0)} ms`);
  note(
    `${o.what}: VIP only on ${o.winner.toUpperCase()} after ${f(c.polledMs)} (ip addr polled; bound ${o.boundMs} ms); ` +
      `on the wire: the loser's last advert at ${f(c.loserLastAdvertMs)}, the winner's first at ${f(c.winnerFirstAdvertMs)}; now held by ${holders(p)}`,
  );
  checks.check(polledMs !== null, `${o.what}: the VIP was never on ${o.winner.toUpperCase()} only within ${o.windowMs} ms (held by ${holders(p)} at the end)`);
  if (polledMs !== null) {
    checks.check(polledMs <= o.boundMs, `${o.what}: one MASTER (VIP only on ${o.winner.toUpperCase()}) took ${polledMs} ms, bound ${o.boundMs} ms`);
    checks.check(heldOk, `${o.what}: after converging, the VIP did not stay on ${o.winner.toUpperCase()} only for ${o.holdMs} ms (${brokeAt})`);
  }
  // On the wire: the loser stopped advertising once converged (nothing from it in the hold).
  if (polledMs !== null && heldOk) {
    const late = p.cap.find({ src: loserIp, vrid: p.vrid }, o.t0 + polledMs + 200);
    checks.check(late.length === 0, `${o.what}: ${loserIp} still advertised after it lost the VIP (${late.length} adverts, priorities ${[...new Set(late.map((x) => x.prio))].join(',')})`);
    const mine = p.cap.find({ src: winnerIp, vrid: p.vrid }, o.t0 + polledMs);
    checks.check(mine.length >= Math.floor(o.holdMs / ADVERT_MS) - 1, `${o.what}: the winner ${winnerIp} advertised ${mine.length} times during the ${o.holdMs} ms hold`);
  }
  return c;
}

/** A daemon's process is there, not a zombie and not stopped. */
export function alive(d: E2eDaemon): { ok: boolean; why: string } {
  const pid = d.vrrpPid();
  if (!d.running) return { ok: false, why: `${d.name} exited (code ${d.proc.exitCode}, signal ${d.proc.signalCode})` };
  if (pid === null) return { ok: false, why: `${d.name}: no pid file` };
  const st = procState(pid);
  if (st === null || st === 'Z' || st === 'X') return { ok: false, why: `${d.name} pid ${pid} is gone (state ${st})` };
  if (st === 'T' || st === 't') return { ok: false, why: `${d.name} pid ${pid} is stopped` };
  return { ok: true, why: '' };
}
