/**
 * `npm run bench:scale` (root): 1 000 VRRP instances per host, the issue's scale scenario. Host A
 * (every instance `state MASTER`, priority 150) and host B (`state BACKUP`, priority 100), each with
 * 4 links eth0..eth3 × VRIDs 1..250 (one VIP per instance, 10.<60+link>.<vrid>.1/32 inside the
 * link's 10.<60+link>.0.0/16; A is .0.1, B .0.2), advert_int 1, auth PASS. Network namespaces
 * tsvsc-<pid>-a, -b and -sw (4 bridges br0..br3, one per link, multicast snooping off). Run once with
 * keepalived 2.2.7 on both hosts (`keepalived -P`, its own pid files) and once with tsvrrpd on both,
 * one after the other, measured the same way:
 *
 *  1. start-up: A alone, from spawn until A holds all 1 000 VIPs (`ip -o addr` polled every 100 ms),
 *     next to Master_Down_Interval(150) + 2 s = 5.414 s; then B, until B has logged
 *     "Entering BACKUP STATE" for all 1 000 instances, holds no VIP and sends no advert;
 *  2. steady state, after BENCH_WARMUP_SEC: CPU time (all threads, /proc/PID/task/<tid>/schedstat)
 *     of each host's VRRP process (keepalived: the -r child; its parent is reported next to it) over
 *     BENCH_RES_SEC, reported per 10 s, and VmRSS at the end of that window;
 *  3. advert timing: tshark on br0 (link 0) during BENCH_STEADY_SEC of steady state: for each of the
 *     250 VRIDs on link 0 the gaps between A's consecutive adverts, the worst deviation of a gap from
 *     advert_int, the gaps outside ±5 ms, B's adverts (should be none) and the VRIDs that missed an
 *     advert (none seen in the window, or a gap > 1.5 × advert_int);
 *  4. transitions: "Entering MASTER/BACKUP/FAULT STATE" log lines of either host during that window;
 *  5. (BENCH_SMALL=1, the default) the same CPU and RSS with 1 instance per host (eth0, VRID 1);
 *  6. (BENCH_SIMUL=1, the default) both hosts started at the same moment: the time until A holds
 *     all 1 000 VIPs and B none (and stays so for 10 s), MASTER entries on each host, VIPs ever
 *     seen on both at one poll, keepalived's "A thread timer expired" lines, error/warning
 *     lines, CPU; up to BENCH_SIMUL_SEC (default 90). keepalived 2.2.7 was reported not to
 *     converge here in 90 s.
 *
 * Targets for tsvrrpd: CPU tsvrrpd/keepalived ≤ 1.0 on A and on B, RSS ≤ 64 MiB, every advert gap
 * within ±5 ms, no transition in the steady window. Prints PASS or MISS; never fails on a miss (the
 * exit code is non-zero only when the bench cannot run: not root, no keepalived/tshark/native addon,
 * or a lab step timing out). A daemon that does not reach the expected state in time is reported as
 * a miss in the table, not as a failure of the bench.
 *
 * Knobs: BENCH_WARMUP_SEC (default 15), BENCH_RES_SEC (CPU/RSS window, default 10),
 * BENCH_STEADY_SEC (advert timing and transitions window, default 60; the CPU window is its start),
 * BENCH_ONLY (keepalived or tsvrrpd), BENCH_SMALL (0: skip the 1-instance run), BENCH_SIMUL (0: skip
 * the simultaneous start), BENCH_SIMUL_SEC,
 * BENCH_KEEP=1 (keep the temp dir: configs, logs, the captured adverts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBenchMain } from '../support/bench-main';
import { statusKiB, threadsCpuMs } from '../support/proc-stats';
import { exited, freshNamespace, have, killNamespacePids, readPid, sh, sleep, within } from '../support/netns';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const LINKS = 4;
const VRIDS_PER_LINK = 250;
const INSTANCES = LINKS * VRIDS_PER_LINK;
const PRIO = { a: 150, b: 100 } as const;
const ADVERT_INT_MS = 1000;
const TOL_MS = 5;
const RSS_TARGET_MIB = 64;
/** Master_Down_Interval of A (priority 150) + 2 s: what the issue expects A to need for all VIPs. */
const STARTUP_BOUND_MS = (3 + (256 - PRIO.a) / 256) * 1000 + 2000;
const STARTUP_TIMEOUT_MS = 120_000;
const BACKUP_TIMEOUT_MS = 60_000;
const POLL_MS = 100;

type Impl = 'keepalived' | 'tsvrrpd';
type Host = 'a' | 'b';

function envInt(name: string, dflt: number): number {
  const n = Number(process.env[name] ?? dflt);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}
const WARMUP_SEC = envInt('BENCH_WARMUP_SEC', 15);
const RES_SEC = envInt('BENCH_RES_SEC', 10);
const STEADY_SEC = envInt('BENCH_STEADY_SEC', 60);
const SMALL = process.env['BENCH_SMALL'] !== '0';
const SIMUL = process.env['BENCH_SIMUL'] !== '0';
const SIMUL_SEC = envInt('BENCH_SIMUL_SEC', 90);
/** How long the simultaneous start must stay converged to count. */
const SIMUL_HOLD_MS = 10_000;

class BenchError extends Error {}

const linkNet = (link: number): string => `10.${60 + link}`;
const hostIp = (h: Host, link: number): string => `${linkNet(link)}.0.${h === 'a' ? 1 : 2}`;
const vipOf = (link: number, vrid: number): string => `${linkNet(link)}.${vrid}.1`;
const VIP_RE = /inet (10\.6[0-3]\.\d+\.\d+)\/32 /g;

/** The config of one host: `links` × `vrids` instances. */
function scaleConf(h: Host, links: number, vrids: number): string {
  const out = [`! generated by test/bench/scale.bench.ts (host ${h.toUpperCase()})`, 'global_defs {', `    router_id SCALE_${h.toUpperCase()}`, '}', ''];
  for (let link = 0; link < links; link++) {
    for (let vrid = 1; vrid <= vrids; vrid++) {
      out.push(
        `vrrp_instance VI_${link}_${vrid} {`,
        `    state ${h === 'a' ? 'MASTER' : 'BACKUP'}`,
        `    interface eth${link}`,
        `    virtual_router_id ${vrid}`,
        `    priority ${PRIO[h]}`,
        '    advert_int 1',
        '    authentication {',
        '        auth_type PASS',
        '        auth_pass 1111',
        '    }',
        '    virtual_ipaddress {',
        `        ${vipOf(link, vrid)}/32`,
        '    }',
        '}',
        '',
      );
    }
  }
  return out.join('\n');
}

// ---- the lab and its cleanup ---------------------------------------------------------------------

/**
 * A copy of node for host h's daemon, as if it ran on a host of its own. The kernel keeps a
 * page of a file resident in every process that maps it, so with one binary for all, this
 * bench's own node (and the other host's daemon) kept ~12 MB of node's code in tsvrrpd's RSS
 * that the daemon gives back on a host where it is the only node process (io/page-release.ts).
 * Written back to disk first: a dirty page-cache page is not reclaimed.
 */
function ownNodeBinary(h: Host): string {
  const copy = path.join(tmpRoot, `node-${h}`);
  if (!fs.existsSync(copy)) {
    fs.copyFileSync(process.execPath, copy);
    fs.chmodSync(copy, 0o755);
    const fd = fs.openSync(copy, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }
  return copy;
}

const ourNamespaces = new Set<string>();
const ourProcesses = new Set<ChildProcess>();
let tmpRoot = '';

function cleanupSync(): void {
  // Everything running inside our namespaces was started by this bench (daemons, keepalived's
  // children, tshark): kill those pids, then remove the namespaces (and with them veths and bridges).
  for (const ns of ourNamespaces) killNamespacePids(ns);
  for (const p of ourProcesses) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const ns of ourNamespaces) spawnSync('ip', ['netns', 'del', ns]);
  ourNamespaces.clear();
  if (tmpRoot && process.env['BENCH_KEEP'] !== '1') fs.rmSync(tmpRoot, { recursive: true, force: true });
}

interface Advert {
  t: number;
  src: string;
  vrid: number;
  prio: number;
}

/** Hosts A and B, `LINKS` bridges, a live tshark on br0, and one daemon per host. */
class ScaleLab {
  readonly ns: Record<Host | 'sw', string>;
  readonly dir: string;
  readonly adverts: Advert[] = [];
  private tshark: ChildProcess | null = null;
  private buffered = '';
  private readonly daemons = new Map<Host, ChildProcess>();

  constructor(
    readonly impl: Impl,
    tag: string,
  ) {
    const base = `tsvsc-${process.pid}`;
    this.ns = { a: `${base}-a`, b: `${base}-b`, sw: `${base}-sw` };
    this.dir = fs.mkdtempSync(path.join(tmpRoot, `${tag}-`));
    for (const ns of Object.values(this.ns)) {
      ourNamespaces.add(ns);
      freshNamespace(ns);
    }
    for (let link = 0; link < LINKS; link++) {
      sh(['ip', '-n', this.ns.sw, 'link', 'add', `br${link}`, 'type', 'bridge', 'mcast_snooping', '0']);
      sh(['ip', '-n', this.ns.sw, 'link', 'set', `br${link}`, 'up']);
      for (const h of ['a', 'b'] as const) {
        sh(['ip', '-n', this.ns.sw, 'link', 'add', `${h}${link}`, 'type', 'veth', 'peer', 'name', `eth${link}`, 'netns', this.ns[h]]);
        sh(['ip', '-n', this.ns.sw, 'link', 'set', `${h}${link}`, 'master', `br${link}`, 'up']);
        sh(['ip', '-n', this.ns[h], 'addr', 'add', `${hostIp(h, link)}/16`, 'dev', `eth${link}`]);
        sh(['ip', '-n', this.ns[h], 'link', 'set', `eth${link}`, 'up']);
      }
    }
  }

  /** tshark on br0, one line per VRRP advert, parsed as it arrives. */
  async startCapture(): Promise<void> {
    const fields = ['frame.time_epoch', 'ip.src', 'vrrp.virt_rtr_id', 'vrrp.prio'];
    const t = spawn('ip', ['netns', 'exec', this.ns.sw, 'tshark', '-i', 'br0', '-l', '-n', '-f', 'ip proto 112', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ourProcesses.add(t);
    this.tshark = t;
    let ready = false;
    t.stderr?.on('data', (d: Buffer) => {
      if (d.toString().includes('Capturing on')) ready = true;
    });
    t.stdout?.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const l of lines) this.parse(l);
    });
    const end = Date.now() + 20_000;
    while (!ready) {
      if (Date.now() > end || t.exitCode !== null) throw new BenchError('timed out waiting for tshark to capture on br0');
      await sleep(20);
    }
    await sleep(300);
  }
  private parse(line: string): void {
    const [t, src, vrid, prio] = line.split(',');
    if (!t || !src) return;
    this.adverts.push({ t: Number(t), src, vrid: Number(vrid), prio: Number(prio) });
  }
  async stopCapture(): Promise<void> {
    const t = this.tshark;
    if (!t) return;
    this.tshark = null;
    t.kill('SIGINT');
    if (!(await within(exited(t), 5_000))) t.kill('SIGKILL');
    if (this.buffered) this.parse(this.buffered);
    this.buffered = '';
  }

  pidFile(h: Host): string {
    return path.join(this.dir, `${h}.pid`);
  }
  vrrpPidFile(h: Host): string {
    return path.join(this.dir, `${h}.vrrp.pid`);
  }
  logFile(h: Host): string {
    return path.join(this.dir, `${h}.log`);
  }

  /** Spawn the daemon of host h on `conf`; the spawn time (ms since the epoch). */
  spawnDaemon(h: Host, conf: string): number {
    const log = fs.openSync(this.logFile(h), 'a');
    const d = path.join(this.dir, h);
    const cmd =
      this.impl === 'tsvrrpd'
        ? [ownNodeBinary(h), ...tsvrrpdNode().slice(1), '-n', '-l', '-G', '-f', conf, '-p', this.pidFile(h)]
        : ['keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', this.pidFile(h), '-r', this.vrrpPidFile(h), '-c', `${d}.chk.pid`, '-b', `${d}.bfd.pid`];
    const at = Date.now();
    const p = spawn('ip', ['netns', 'exec', this.ns[h], ...cmd], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    ourProcesses.add(p);
    this.daemons.set(h, p);
    return at;
  }

  /** Resolves once the VRRP process of host h has written its pid file; the ms from `since`. */
  async waitPid(h: Host, since: number): Promise<number> {
    const end = Date.now() + 15_000;
    while (this.vrrpPid(h) === null) {
      const p = this.daemons.get(h);
      if (p && (p.exitCode !== null || p.signalCode !== null)) throw new BenchError(`${this.impl} on ${h.toUpperCase()} exited before writing its pid\n${this.logTail(h)}`);
      if (Date.now() > end) throw new BenchError(`timed out waiting for ${this.impl} on ${h.toUpperCase()} to write its pid`);
      await sleep(20);
    }
    return Date.now() - since;
  }

  /** The process that runs VRRP (keepalived: the -r child). */
  vrrpPid(h: Host): number | null {
    return readPid(this.impl === 'tsvrrpd' ? this.pidFile(h) : this.vrrpPidFile(h));
  }
  /** keepalived's parent (null for tsvrrpd: one process). */
  parentPid(h: Host): number | null {
    return this.impl === 'keepalived' ? readPid(this.pidFile(h)) : null;
  }

  /** The VIPs host h holds now. */
  vipSet(h: Host): Set<string> {
    const out = spawnSync('ip', ['-n', this.ns[h], '-4', '-o', 'addr', 'show'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    return new Set([...out.matchAll(VIP_RE)].map((m) => m[1] as string));
  }

  vipCount(h: Host): number {
    const out = spawnSync('ip', ['-n', this.ns[h], '-4', '-o', 'addr', 'show'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    return out.match(VIP_RE)?.length ?? 0;
  }

  log(h: Host): string {
    try {
      return fs.readFileSync(this.logFile(h), 'utf8');
    } catch {
      return '';
    }
  }
  logSize(h: Host): number {
    try {
      return fs.statSync(this.logFile(h)).size;
    } catch {
      return 0;
    }
  }
  /** The log of host h from byte `from` on. */
  logSince(h: Host, from: number): string {
    return Buffer.from(fs.readFileSync(this.logFile(h))).subarray(from).toString('utf8');
  }
  logTail(h: Host, lines = 15): string {
    return `--- ${this.impl} ${h.toUpperCase()} log ---\n${this.log(h).trim().split('\n').slice(-lines).join('\n')}`;
  }

  async close(): Promise<void> {
    await this.stopCapture();
    if (process.env['BENCH_KEEP'] === '1') fs.writeFileSync(path.join(this.dir, 'br0-adverts.csv'), this.adverts.map((a) => `${a.t},${a.src},${a.vrid},${a.prio}`).join('\n') + '\n');
    for (const p of this.daemons.values()) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    for (const p of this.daemons.values()) if (!(await within(exited(p), 5_000))) p.kill('SIGKILL');
    for (const ns of Object.values(this.ns)) {
      killNamespacePids(ns);
      spawnSync('ip', ['netns', 'del', ns]);
      ourNamespaces.delete(ns);
    }
  }
}

// ---- measurements ----------------------------------------------------------------------------------

const cpuMsOf = threadsCpuMs;
const statusMiB = (pid: number | null, field: string): number => statusKiB(pid, field) / 1024;

/** Instances named in "Entering BACKUP STATE" lines of a log. */
function backupInstances(log: string): number {
  const names = new Set<string>();
  for (const m of log.matchAll(/\(([^)\s]+)\):? Entering BACKUP STATE/gi)) names.add(m[1] as string);
  return names.size;
}
interface Transitions {
  master: number;
  backup: number;
  fault: number;
}
function transitions(log: string): Transitions {
  const n = (re: RegExp): number => log.match(re)?.length ?? 0;
  return { master: n(/Entering MASTER STATE/gi), backup: n(/Entering BACKUP STATE/gi), fault: n(/Entering FAULT STATE/gi) };
}
const transitionTotal = (t: Transitions): number => t.master + t.backup + t.fault;
/** Log lines that look like trouble (errors, warnings, failures), de-duplicated by their text past the timestamp. */
function troubleLines(log: string): { count: number; samples: string[] } {
  const lines = log.split('\n').filter((l) => /error|warn|fail|exception|cannot|unable|drop|overrun|too many/i.test(l) && !/FAULT STATE/i.test(l));
  const seen = new Map<string, string>();
  for (const l of lines) {
    const key = l.replace(/^.*?(\(|tsvrrpd|Keepalived)/, '$1').replace(/\d+/g, 'N');
    if (!seen.has(key)) seen.set(key, l);
  }
  return { count: lines.length, samples: [...seen.values()].slice(0, 5) };
}

interface Usage {
  cpuMsPer10s: number;
  /** keepalived's parent over the same window (NaN for tsvrrpd). */
  parentCpuMsPer10s: number;
  /** CPU per 10 s over the whole steady window (info). */
  steadyCpuMsPer10s: number;
  rssMiB: number;
  /** VmRSS split: the process's own memory, and pages of mapped files (node's binary). */
  anonMiB: number;
  fileMiB: number;
  hwmMiB: number;
  parentRssMiB: number;
}
interface AdvertTiming {
  gaps: number;
  worstDevMs: number;
  p99DevMs: number;
  /** Distinct wall-clock seconds holding the gaps outside ±5 ms (a host hiccup delays every VRID at once). */
  outlierSeconds: number;
  outsideTol: number;
  fromB: number;
  missingVrids: number;
  wrongPrio: number;
}
interface ScaleResult {
  /** Spawn of A → its pid file, → its first VIP, → all its VIPs. */
  pidMs: number;
  firstVipMs: number;
  startupMs: number;
  startupVips: number;
  backupMs: number;
  backupReached: boolean;
  a: Usage;
  b: Usage;
  timing: AdvertTiming;
  trans: Record<Host, Transitions>;
  trouble: Record<Host, { count: number; samples: string[] }>;
  rolesKept: boolean;
  notes: string[];
}
interface SmallResult {
  a: Usage;
  b: Usage;
  notes: string[];
}

/** Poll the VIP count of host h every 100 ms until it is `n`; the ms from `since` to that and to the first VIP (NaN: not by the deadline). */
async function waitVips(lab: ScaleLab, h: Host, n: number, since: number, timeoutMs: number): Promise<{ ms: number; firstMs: number; count: number }> {
  let count = lab.vipCount(h);
  let firstMs = count > 0 ? Date.now() - since : NaN;
  while (count !== n) {
    if (Date.now() - since > timeoutMs) return { ms: NaN, firstMs, count };
    await sleep(POLL_MS);
    count = lab.vipCount(h);
    if (count > 0 && Number.isNaN(firstMs)) firstMs = Date.now() - since;
  }
  return { ms: Date.now() - since, firstMs, count };
}

/** B up: every instance has logged BACKUP, B holds no VIP, and B has sent no advert for 2 s on br0. */
async function waitBackup(lab: ScaleLab, instances: number, since: number): Promise<{ ms: number; reached: boolean }> {
  const srcB = hostIp('b', 0);
  const steady = (): boolean => {
    const now = Date.now() / 1000;
    return Date.now() - since >= 2_000 && backupInstances(lab.log('b')) >= instances && lab.vipCount('b') === 0 && !lab.adverts.some((x) => x.src === srcB && x.t > now - 2);
  };
  while (!steady()) {
    if (Date.now() - since > BACKUP_TIMEOUT_MS) return { ms: NaN, reached: false };
    await sleep(POLL_MS * 2);
  }
  return { ms: Date.now() - since, reached: true };
}

/** CPU over RES_SEC from now (and, when `steadySec` is longer, over that), RSS at the end of RES_SEC. */
async function measureUsage(lab: ScaleLab, steadySec: number): Promise<{ a: Usage; b: Usage }> {
  const pids = { a: lab.vrrpPid('a'), b: lab.vrrpPid('b') };
  const parents = { a: lab.parentPid('a'), b: lab.parentPid('b') };
  const c0 = { a: cpuMsOf(pids.a), b: cpuMsOf(pids.b), pa: cpuMsOf(parents.a), pb: cpuMsOf(parents.b) };
  const t0 = process.hrtime.bigint();
  await sleep(RES_SEC * 1000);
  const t1 = process.hrtime.bigint();
  const c1 = { a: cpuMsOf(pids.a), b: cpuMsOf(pids.b), pa: cpuMsOf(parents.a), pb: cpuMsOf(parents.b) };
  const mem = {
    a: { rss: statusMiB(pids.a, 'VmRSS'), anon: statusMiB(pids.a, 'RssAnon'), file: statusMiB(pids.a, 'RssFile'), hwm: statusMiB(pids.a, 'VmHWM'), prss: statusMiB(parents.a, 'VmRSS') },
    b: { rss: statusMiB(pids.b, 'VmRSS'), anon: statusMiB(pids.b, 'RssAnon'), file: statusMiB(pids.b, 'RssFile'), hwm: statusMiB(pids.b, 'VmHWM'), prss: statusMiB(parents.b, 'VmRSS') },
  };
  const rest = steadySec * 1000 - Number(t1 - t0) / 1e6;
  if (rest > 0) await sleep(rest);
  const t2 = process.hrtime.bigint();
  const c2 = { a: cpuMsOf(pids.a), b: cpuMsOf(pids.b) };
  const per10s = (ms: number, from: bigint, to: bigint): number => (ms * 10e9) / Number(to - from);
  const usage = (h: Host): Usage => ({
    cpuMsPer10s: per10s(c1[h] - c0[h], t0, t1),
    parentCpuMsPer10s: per10s(h === 'a' ? c1.pa - c0.pa : c1.pb - c0.pb, t0, t1),
    steadyCpuMsPer10s: per10s(c2[h] - c0[h], t0, t2),
    rssMiB: mem[h].rss,
    anonMiB: mem[h].anon,
    fileMiB: mem[h].file,
    hwmMiB: mem[h].hwm,
    parentRssMiB: mem[h].prss,
  });
  return { a: usage('a'), b: usage('b') };
}

/** A's advert gaps per VRID on link 0 within [from, to] (seconds), and B's adverts there. */
function advertTiming(adverts: readonly Advert[], from: number, to: number): AdvertTiming {
  const srcA = hostIp('a', 0);
  const srcB = hostIp('b', 0);
  const inWindow = adverts.filter((x) => x.t >= from && x.t <= to);
  const byVrid = new Map<number, number[]>();
  let wrongPrio = 0;
  for (const x of inWindow) {
    if (x.src !== srcA) continue;
    if (x.prio !== PRIO.a) wrongPrio++;
    const ts = byVrid.get(x.vrid) ?? [];
    ts.push(x.t);
    byVrid.set(x.vrid, ts);
  }
  const devs: number[] = [];
  const outlierSeconds = new Set<number>();
  let outsideTol = 0;
  let missingVrids = 0;
  for (let vrid = 1; vrid <= VRIDS_PER_LINK; vrid++) {
    const ts = (byVrid.get(vrid) ?? []).sort((x, y) => x - y);
    let missed = ts.length === 0;
    for (let i = 1; i < ts.length; i++) {
      const gapMs = ((ts[i] as number) - (ts[i - 1] as number)) * 1000;
      const dev = Math.abs(gapMs - ADVERT_INT_MS);
      devs.push(dev);
      if (dev > TOL_MS) {
        outsideTol++;
        outlierSeconds.add(Math.floor(ts[i] as number));
      }
      if (gapMs > 1.5 * ADVERT_INT_MS) missed = true;
    }
    if (missed) missingVrids++;
  }
  devs.sort((x, y) => x - y);
  const gaps = devs.length;
  const worstDevMs = gaps > 0 ? (devs[gaps - 1] as number) : NaN;
  const p99DevMs = gaps > 0 ? (devs[Math.min(gaps - 1, Math.floor(gaps * 0.99))] as number) : NaN;
  return { gaps, worstDevMs, p99DevMs, outlierSeconds: outlierSeconds.size, outsideTol, fromB: inWindow.filter((x) => x.src === srcB).length, missingVrids, wrongPrio };
}

interface SimulResult {
  /** ms from the spawn of both until A held all VIPs and B none, for SIMUL_HOLD_MS on end; NaN: not within SIMUL_SEC. */
  readonly convergedMs: number;
  readonly masterEntries: { readonly a: number; readonly b: number };
  /** VIPs seen on both hosts at one poll, ever. */
  readonly vipsOnBoth: number;
  /** keepalived's "A thread timer expired" lines (its timers overran), both hosts. */
  readonly timerExpired: number;
  readonly trouble: { readonly a: number; readonly b: number };
  readonly cpuMs: { readonly a: number; readonly b: number };
  readonly spanMs: number;
}

/**
 * Both hosts started at the same moment (spawned back to back): polls both hosts' VIPs every
 * 200 ms until A holds all and B none for SIMUL_HOLD_MS, or SIMUL_SEC pass.
 */
async function simulRun(impl: Impl): Promise<SimulResult> {
  const lab = new ScaleLab(impl, impl === 'tsvrrpd' ? 'tss' : 'kas');
  try {
    const conf = { a: path.join(lab.dir, 'a.conf'), b: path.join(lab.dir, 'b.conf') };
    fs.writeFileSync(conf.a, scaleConf('a', LINKS, VRIDS_PER_LINK));
    fs.writeFileSync(conf.b, scaleConf('b', LINKS, VRIDS_PER_LINK));
    const t0 = lab.spawnDaemon('a', conf.a);
    lab.spawnDaemon('b', conf.b);
    await lab.waitPid('a', t0);
    await lab.waitPid('b', t0);
    const pids = { a: lab.vrrpPid('a'), b: lab.vrrpPid('b') };
    const both = new Set<string>();
    let convergedAt = NaN;
    let end = t0 + SIMUL_SEC * 1000;
    while (Date.now() < end) {
      const a = lab.vipSet('a');
      const b = lab.vipSet('b');
      for (const v of b) if (a.has(v)) both.add(v);
      const converged = a.size === INSTANCES && b.size === 0;
      if (converged && Number.isNaN(convergedAt)) {
        convergedAt = Date.now() - t0;
        end = Math.min(end, Date.now() + SIMUL_HOLD_MS);
      } else if (!converged && !Number.isNaN(convergedAt)) {
        convergedAt = NaN; // it did not stay converged: wait for the next time
        end = t0 + SIMUL_SEC * 1000;
      }
      await sleep(200);
    }
    const cpuMs = { a: cpuMsOf(pids.a), b: cpuMsOf(pids.b) };
    const logA = lab.log('a');
    const logB = lab.log('b');
    const expired = (l: string): number => l.match(/A thread timer expired/g)?.length ?? 0;
    return {
      convergedMs: convergedAt,
      masterEntries: { a: transitions(logA).master, b: transitions(logB).master },
      vipsOnBoth: both.size,
      timerExpired: expired(logA) + expired(logB),
      trouble: { a: troubleLines(logA).count, b: troubleLines(logB).count },
      cpuMs,
      spanMs: Date.now() - t0,
    };
  } finally {
    await lab.close();
  }
}

/** The 1 000-instance run for one implementation. */
async function scaleRun(impl: Impl): Promise<ScaleResult> {
  const lab = new ScaleLab(impl, impl === 'tsvrrpd' ? 'ts' : 'ka');
  const notes: string[] = [];
  try {
    const conf = { a: path.join(lab.dir, 'a.conf'), b: path.join(lab.dir, 'b.conf') };
    fs.writeFileSync(conf.a, scaleConf('a', LINKS, VRIDS_PER_LINK));
    fs.writeFileSync(conf.b, scaleConf('b', LINKS, VRIDS_PER_LINK));
    await lab.startCapture();

    progress(`${impl}: starting A with ${INSTANCES} instances`);
    const spawnA = lab.spawnDaemon('a', conf.a);
    const pidMs = await lab.waitPid('a', spawnA);
    const up = await waitVips(lab, 'a', INSTANCES, spawnA, STARTUP_TIMEOUT_MS);
    if (Number.isNaN(up.ms)) notes.push(`${impl}: A held only ${up.count} of ${INSTANCES} VIPs ${STARTUP_TIMEOUT_MS / 1000} s after its start`);
    progress(`${impl}: A holds ${up.count} VIPs after ${fmtS(up.ms)}; starting B`);

    const spawnB = lab.spawnDaemon('b', conf.b);
    await lab.waitPid('b', spawnB);
    const bk = await waitBackup(lab, INSTANCES, spawnB);
    if (!bk.reached) notes.push(`${impl}: B not steady ${BACKUP_TIMEOUT_MS / 1000} s after its start (BACKUP logged by ${backupInstances(lab.log('b'))} instances, ${lab.vipCount('b')} VIPs on B)`);
    progress(`${impl}: B steady after ${fmtS(bk.ms)}; ${WARMUP_SEC} s warm-up, then ${Math.max(STEADY_SEC, RES_SEC)} s of steady state`);

    await sleep(WARMUP_SEC * 1000);
    const logFrom = { a: lab.logSize('a'), b: lab.logSize('b') };
    const steadyFrom = Date.now() / 1000;
    const usage = await measureUsage(lab, Math.max(STEADY_SEC, RES_SEC));
    const steadyTo = Date.now() / 1000;
    const vipsA = lab.vipCount('a');
    const vipsB = lab.vipCount('b');
    const rolesKept = vipsA === INSTANCES && vipsB === 0;
    if (!rolesKept) notes.push(`${impl}: at the end of the steady window A held ${vipsA} VIPs and B ${vipsB}`);
    await lab.stopCapture();
    const trans = { a: transitions(lab.logSince('a', logFrom.a)), b: transitions(lab.logSince('b', logFrom.b)) };
    return {
      pidMs,
      firstVipMs: up.firstMs,
      startupMs: up.ms,
      startupVips: up.count,
      backupMs: bk.ms,
      backupReached: bk.reached,
      ...usage,
      timing: advertTiming(lab.adverts, steadyFrom, steadyTo),
      trans,
      trouble: { a: troubleLines(lab.log('a')), b: troubleLines(lab.log('b')) },
      rolesKept,
      notes,
    };
  } catch (e) {
    if (e instanceof BenchError) e.message += `\n${lab.logTail('a')}\n${lab.logTail('b')}`;
    throw e;
  } finally {
    await lab.close();
  }
}

/** One instance per host (eth0, VRID 1): CPU and RSS. */
async function smallRun(impl: Impl): Promise<SmallResult> {
  const lab = new ScaleLab(impl, impl === 'tsvrrpd' ? 'ts1' : 'ka1');
  const notes: string[] = [];
  try {
    const conf = { a: path.join(lab.dir, 'a.conf'), b: path.join(lab.dir, 'b.conf') };
    fs.writeFileSync(conf.a, scaleConf('a', 1, 1));
    fs.writeFileSync(conf.b, scaleConf('b', 1, 1));
    await lab.startCapture();
    const spawnA = lab.spawnDaemon('a', conf.a);
    await lab.waitPid('a', spawnA);
    const up = await waitVips(lab, 'a', 1, spawnA, 30_000);
    if (Number.isNaN(up.ms)) notes.push(`${impl}, 1 instance: A did not take its VIP within 30 s`);
    const spawnB = lab.spawnDaemon('b', conf.b);
    await lab.waitPid('b', spawnB);
    const bk = await waitBackup(lab, 1, spawnB);
    if (!bk.reached) notes.push(`${impl}, 1 instance: B not steady within ${BACKUP_TIMEOUT_MS / 1000} s`);
    await sleep(WARMUP_SEC * 1000);
    const usage = await measureUsage(lab, RES_SEC);
    return { ...usage, notes };
  } catch (e) {
    if (e instanceof BenchError) e.message += `\n${lab.logTail('a')}\n${lab.logTail('b')}`;
    throw e;
  } finally {
    await lab.close();
  }
}

function progress(msg: string): void {
  process.stderr.write(`bench:scale: ${msg}\n`);
}

// ---- the table ---------------------------------------------------------------------------------------

const fmtS = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const fmtMs = (ms: number, d = 0): string => (Number.isFinite(ms) ? `${ms.toFixed(d)} ms` : 'n/a');
const fmtMiB = (mib: number): string => (Number.isFinite(mib) ? `${mib.toFixed(1)} MiB` : 'n/a');
const fmtRatio = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
const transCell = (t: Record<Host, Transitions>): string => `A ${transitionTotal(t.a)} / B ${transitionTotal(t.b)}`;
const cpuCell = (u: Usage, impl: Impl): string => (impl === 'keepalived' ? `${fmtMs(u.cpuMsPer10s)} (+${fmtMs(u.parentCpuMsPer10s)} parent)` : fmtMs(u.cpuMsPer10s));
const rssCell = (u: Usage, impl: Impl): string => (impl === 'keepalived' ? `${fmtMiB(u.rssMiB)} (+${fmtMiB(u.parentRssMiB)} parent)` : fmtMiB(u.rssMiB));

async function main(): Promise<number> {
  const only = process.env['BENCH_ONLY'];
  const impls: Impl[] = only === 'keepalived' || only === 'tsvrrpd' ? [only] : ['keepalived', 'tsvrrpd'];
  const missing =
    process.getuid?.() !== 0
      ? 'root (network namespaces)'
      : !have('tshark')
        ? 'tshark (apt-get install -y tshark)'
        : impls.includes('keepalived') && !have('keepalived')
          ? 'keepalived (apt-get install -y keepalived)'
          : impls.includes('tsvrrpd') && !fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node'))
            ? 'the native addon (npm ci)'
            : impls.includes('tsvrrpd') && !fs.existsSync(CLI)
              ? 'a build (npm run build)'
              : null;
  if (missing) {
    process.stderr.write(`bench:scale: cannot run: needs ${missing}\n`);
    return 1;
  }
  const kaVersion = have('keepalived') ? (/Keepalived (v[\d.]+)/.exec(spawnSync('keepalived', ['--version'], { encoding: 'utf8' }).stderr)?.[1] ?? '?') : '';
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvsc-'));
  const started = Date.now();
  const load0 = os.loadavg()[0] ?? NaN;
  const big = new Map<Impl, ScaleResult>();
  const small = new Map<Impl, SmallResult>();
  const simul = new Map<Impl, SimulResult>();
  for (const impl of impls) {
    big.set(impl, await scaleRun(impl));
    if (SMALL) {
      progress(`${impl}: 1 instance per host, CPU and RSS over ${RES_SEC} s`);
      small.set(impl, await smallRun(impl));
    }
    if (SIMUL) {
      progress(`${impl}: both hosts started at once, up to ${SIMUL_SEC} s`);
      simul.set(impl, await simulRun(impl));
    }
  }
  const name = (i: Impl): string => (i === 'keepalived' ? `keepalived ${kaVersion}` : 'tsvrrpd');
  const out: string[] = [];
  const w = (s = ''): number => out.push(s);
  w();
  w(`bench:scale: ${INSTANCES} instances per host (${LINKS} links × ${VRIDS_PER_LINK} VRIDs), A MASTER prio ${PRIO.a}, B BACKUP prio ${PRIO.b}, advert_int 1, auth PASS`);
  w(`${os.cpus().length} cores, load average ${load0.toFixed(2)} at the start / ${(os.loadavg()[0] ?? NaN).toFixed(2)} at the end, ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  w(`CPU = VRRP process, all threads (keepalived: the -r child; its parent in brackets), per 10 s over ${RES_SEC} s after ${WARMUP_SEC} s of warm-up; RSS = VmRSS at the end of that window;`);
  w(`advert gaps: A's adverts on link 0 (${VRIDS_PER_LINK} VRIDs), tshark on br0, over ${Math.max(STEADY_SEC, RES_SEC)} s of steady state; transitions = MASTER/BACKUP/FAULT log lines in that window`);
  w();
  const head = ['impl', `start-up to ${INSTANCES} VIPs`, 'CPU ms/10 s A (MASTER)', 'CPU ms/10 s B (BACKUP)', 'RSS A', 'RSS B', 'worst advert deviation', 'gaps outside ±5 ms', 'transitions'];
  w(row(head));
  w(row(head.map(() => '---')));
  for (const i of impls) {
    const r = big.get(i) as ScaleResult;
    const startup = Number.isFinite(r.startupMs) ? fmtS(r.startupMs) : `> ${fmtS(STARTUP_TIMEOUT_MS)} (${r.startupVips} VIPs)`;
    w(row([name(i), startup, cpuCell(r.a, i), cpuCell(r.b, i), rssCell(r.a, i), rssCell(r.b, i), fmtMs(r.timing.worstDevMs, 2), `${r.timing.outsideTol} of ${r.timing.gaps}`, transCell(r.trans)]));
  }
  w();
  w('details:');
  for (const i of impls) {
    const r = big.get(i) as ScaleResult;
    const vsBound = Number.isFinite(r.startupMs) ? `${fmtS(r.startupMs)} = ${(r.startupMs / STARTUP_BOUND_MS).toFixed(1)} × MDI + 2 s (${fmtS(STARTUP_BOUND_MS)}), ${r.startupMs <= STARTUP_BOUND_MS ? 'within' : `${fmtS(r.startupMs - STARTUP_BOUND_MS)} over`}` : 'not reached';
    w(`  ${name(i)}: start-up ${vsBound} (A's pid file after ${fmtS(r.pidMs)}, first VIP after ${fmtS(r.firstVipMs)}); B steady ${r.backupReached ? `${fmtS(r.backupMs)} after its start` : 'not reached'}`);
    w(`  ${name(i)}: CPU over the whole steady window: A ${fmtMs(r.a.steadyCpuMsPer10s)} / B ${fmtMs(r.b.steadyCpuMsPer10s)} per 10 s; peak RSS (VmHWM) A ${fmtMiB(r.a.hwmMiB)} / B ${fmtMiB(r.b.hwmMiB)}; RSS anonymous + file A ${fmtMiB(r.a.anonMiB)} + ${fmtMiB(r.a.fileMiB)} / B ${fmtMiB(r.b.anonMiB)} + ${fmtMiB(r.b.fileMiB)} (each daemon runs its own copy of node: see ownNodeBinary)`);
    w(`  ${name(i)}: advert gap deviation p99 ${fmtMs(r.timing.p99DevMs, 2)}, worst ${fmtMs(r.timing.worstDevMs, 2)}; the ${r.timing.outsideTol} gaps outside ±${TOL_MS} ms fall in ${r.timing.outlierSeconds} distinct second(s)`);
    w(`  ${name(i)}: adverts from B on link 0: ${r.timing.fromB}; VRIDs with a missing advert: ${r.timing.missingVrids} of ${VRIDS_PER_LINK}; A adverts with priority ≠ ${PRIO.a}: ${r.timing.wrongPrio}`);
    w(`  ${name(i)}: transitions A master/backup/fault ${r.trans.a.master}/${r.trans.a.backup}/${r.trans.a.fault}, B ${r.trans.b.master}/${r.trans.b.backup}/${r.trans.b.fault}; roles kept: ${r.rolesKept ? 'yes' : 'no'}`);
    for (const h of ['a', 'b'] as const) {
      const t = r.trouble[h];
      if (t.count > 0) w(`  ${name(i)}: ${h.toUpperCase()}'s log has ${t.count} error/warning line(s), e.g.:\n${t.samples.map((s) => `      ${s}`).join('\n')}`);
    }
    for (const n of [...r.notes, ...(small.get(i)?.notes ?? [])]) w(`  note: ${n}`);
  }
  if (small.size > 0) {
    w();
    w(`CPU and RSS by instance count (same windows; 1 instance = eth0, VRID 1 on each host):`);
    const h2 = ['impl', 'instances', 'CPU ms/10 s A (MASTER)', 'CPU ms/10 s B (BACKUP)', 'RSS A', 'RSS B'];
    w(row(h2));
    w(row(h2.map(() => '---')));
    for (const i of impls) {
      const s = small.get(i);
      if (s) w(row([name(i), '1', cpuCell(s.a, i), cpuCell(s.b, i), rssCell(s.a, i), rssCell(s.b, i)]));
      const r = big.get(i) as ScaleResult;
      w(row([name(i), String(INSTANCES), cpuCell(r.a, i), cpuCell(r.b, i), rssCell(r.a, i), rssCell(r.b, i)]));
    }
  }
  if (simul.size > 0) {
    w();
    w(`Both hosts started at the same moment (up to ${SIMUL_SEC} s; converged = A holds all ${INSTANCES} VIPs and B none, and so for ${SIMUL_HOLD_MS / 1000} s):`);
    const h3 = ['impl', 'converged after', 'MASTER entries A / B', 'VIPs ever on both hosts', '"A thread timer expired"', 'error/warning lines A / B', 'CPU ms A / B over the run'];
    w(row(h3));
    w(row(h3.map(() => '---')));
    for (const i of impls) {
      const r = simul.get(i);
      if (r) w(row([name(i), Number.isFinite(r.convergedMs) ? fmtS(r.convergedMs) : `not in ${SIMUL_SEC} s`, `${r.masterEntries.a} / ${r.masterEntries.b}`, String(r.vipsOnBoth), String(r.timerExpired), `${r.trouble.a} / ${r.trouble.b}`, `${fmtMs(r.cpuMs.a)} / ${fmtMs(r.cpuMs.b)} in ${fmtS(r.spanMs)}`]));
    }
  }
  const ts = big.get('tsvrrpd');
  const ka = big.get('keepalived');
  const tsSimul = simul.get('tsvrrpd');
  if (tsSimul) {
    // Flapping: B became MASTER for some instance more than once (at most once each: a start
    // race it loses), or did not end up holding nothing.
    const ok = Number.isFinite(tsSimul.convergedMs) && tsSimul.masterEntries.b <= INSTANCES;
    w(`  tsvrrpd, both started at once: converges with no flapping (within ${SIMUL_SEC} s, B's MASTER entries ≤ one per instance): ${verdict(ok)}`);
  }
  if (ts) {
    w();
    w('targets (tsvrrpd):');
    const ratioA = ka ? ts.a.cpuMsPer10s / ka.a.cpuMsPer10s : NaN;
    const ratioB = ka ? ts.b.cpuMsPer10s / ka.b.cpuMsPer10s : NaN;
    if (ka) {
      const withParent = (u: Usage): number => u.cpuMsPer10s + u.parentCpuMsPer10s;
      w(`  CPU ratio tsvrrpd/keepalived on A (MASTER): ${fmtRatio(ratioA)} (vs keepalived child + parent ${fmtRatio(ts.a.cpuMsPer10s / withParent(ka.a))})  ≤ 1.0: ${verdict(ratioA <= 1)}`);
      w(`  CPU ratio tsvrrpd/keepalived on B (BACKUP): ${fmtRatio(ratioB)} (vs keepalived child + parent ${fmtRatio(ts.b.cpuMsPer10s / withParent(ka.b))})  ≤ 1.0: ${verdict(ratioB <= 1)}`);
      w(`  start-up tsvrrpd/keepalived: ${fmtRatio(ts.startupMs / ka.startupMs)} (info)`);
    } else w('  CPU ratios: n/a (keepalived not run)');
    w(`  RSS ≤ ${RSS_TARGET_MIB} MiB: A ${fmtMiB(ts.a.rssMiB)}, B ${fmtMiB(ts.b.rssMiB)}: ${verdict(ts.a.rssMiB <= RSS_TARGET_MIB && ts.b.rssMiB <= RSS_TARGET_MIB)}`);
    const t = ts.timing;
    w(`  every advert period within ±${TOL_MS} ms (${t.gaps} gaps, no missing advert, none from B): ${verdict(t.gaps > 0 && t.outsideTol === 0 && t.missingVrids === 0 && t.fromB === 0)}`);
    w(`  no transition in ${Math.max(STEADY_SEC, RES_SEC)} s: ${verdict(transitionTotal(ts.trans.a) + transitionTotal(ts.trans.b) === 0 && ts.rolesKept)}`);
    w(`  start-up ≤ MDI + 2 s (${fmtS(STARTUP_BOUND_MS)}) (the issue's expectation): ${verdict(ts.startupMs <= STARTUP_BOUND_MS)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

runBenchMain('bench:scale', main, cleanupSync);
