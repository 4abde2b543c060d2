/**
 * `npm run bench:soak` (root): a long run of one tsvrrpd with 100 instances next to a peer that is
 * stopped and restarted over and over, watching the daemon's memory and file descriptors for leaks.
 *
 * The lab: namespaces `tsvsk-<pid>-a`, `-b` and `-sw` (bridge br0), one LAN (eth0, 10.0.0.0/24).
 *  - A (10.0.0.1) = tsvrrpd under test (`node dist/src/cli.js -n -l -G -f CONF -p PID`): VRIDs
 *    1..100 on eth0, priority 150, advert_int 1, auth PASS, VIP 10.0.1.<vrid>/32 each, no notify.
 *  - B (10.0.0.2) = keepalived 2.2.7 (`keepalived -n -l -G -P`): the same VRIDs and VIPs, priority
 *    200 on VRIDs 1..50 (B wins those) and 100 on 51..100 (A wins those).
 * Every period (offset by 5 s, half-way between two samples) B is stopped with SIGTERM
 * (priority-0 adverts: A takes VRIDs 1..50 within its Skew_Time) and started again at once (B
 * preempts 1..50 after its Master_Down_Interval, A goes back to BACKUP on them): 50 MASTER and 50
 * BACKUP transitions on A per restart, while A stays master of 51..100 throughout.
 *
 * Every 10 s it samples A's VmRSS, RssAnon and VmHWM (KiB, /proc/PID/status), its open fds (/proc/PID/fd),
 * its CPU time (utime + stime, /proc/PID/stat), its thread count and the VIPs held by A and B.
 * After the run:
 *  - RSS growth: mean VmRSS of the samples in the last minute vs the mean of those in minute
 *    BENCH_SOAK_BASE_MIN (minute m = samples with m−1 min < t ≤ m min); target < 5 %;
 *  - fds: min/max after the baseline minute; target "no growth": the last sample ≤ the sample at
 *    the end of the baseline minute;
 *  - convergence: once B's last restart settles, each VRID's VIP on exactly one host, the right
 *    one (1..50 on B, 51..100 on A);
 *  - per restart (info): SIGTERM → B exited, SIGTERM → A holds all 100 VIPs, B's start → the pair
 *    converged again; MASTER/BACKUP entries in A's log against those expected; error/warning lines
 *    in A's log.
 * Prints a table (one row per minute) and a PASS/MISS verdict per target; never fails on a MISS
 * (the exit code is non-zero only when the bench cannot run: not root, no keepalived or build, a
 * lab step timing out, or tsvrrpd exiting during the run). The samples are written as CSV
 * (samples.csv, restarts.csv) into a temp dir with both daemons' logs and configs; its path is
 * printed; it is removed at exit unless BENCH_KEEP=1.
 *
 * Knobs: BENCH_SOAK_MIN (duration in minutes, default 30), BENCH_SOAK_PERIOD_SEC (B's restart
 * period, default 60), BENCH_SOAK_BASE_MIN (the baseline minute, default 5; clamped to
 * [1, BENCH_SOAK_MIN − 2] so that a short run, e.g. BENCH_SOAK_MIN=3, compares minute 3 with
 * minute 1), BENCH_KEEP=1 (keep the temp dir).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runBenchMain } from '../support/bench-main';
import { buildBridgeLan, exited, have, killNamespacePids, namespacePids, readPid, sleep, within } from '../support/netns';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const ADDON = path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node');

const INSTANCES = 100;
/** VRIDs 1..PEER_WINS: B (priority 200) is master while it runs; the rest: A (150) is. */
const PEER_WINS = 50;
const PRIO_A = 150;
const PRIO_B_HIGH = 200;
const PRIO_B_LOW = 100;
const IP = { a: '10.0.0.1', b: '10.0.0.2' } as const;
const vipOf = (vrid: number): string => `10.0.1.${vrid}`;
const SAMPLE_SEC = 10;
/** B's restarts fall half-way between two samples, so that a sample never coincides with one. */
const RESTART_PHASE_SEC = SAMPLE_SEC / 2;
/** Bounds on the lab's steps and on each takeover (generous: MDI(150) = 3.4 s). */
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const CONVERGE_TIMEOUT_MS = 15_000;
const POLL_MS = 50;
const GROWTH_TARGET_PCT = 5;

type Node = 'a' | 'b';

function envInt(name: string, dflt: number): number {
  const n = Number(process.env[name] ?? dflt);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}
const DURATION_MIN = envInt('BENCH_SOAK_MIN', 30);
const PERIOD_SEC = envInt('BENCH_SOAK_PERIOD_SEC', 60);
const BASE_MIN = Math.max(1, Math.min(envInt('BENCH_SOAK_BASE_MIN', 5), DURATION_MIN - 2));

class BenchError extends Error {}

/** Poll `cond` until it holds or `timeoutMs` passes; the seconds it took, or null at the deadline. */
async function pollFor(cond: () => boolean, timeoutMs: number): Promise<number | null> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) return null;
    await sleep(POLL_MS);
  }
  return (Date.now() - start) / 1000;
}
const sleepUntil = (ms: number): Promise<void> => sleep(Math.max(0, ms - Date.now()));

// ---- cleanup (also on Ctrl-C, via runBenchMain) -------------------------------------------------

const ourNamespaces = new Set<string>();
const ourProcesses = new Set<ChildProcess>();
let tmpRoot = '';

function cleanupSync(): void {
  // Everything running in our namespaces was started by this bench (tsvrrpd, keepalived and its child).
  for (const ns of ourNamespaces) killNamespacePids(ns);
  for (const p of ourProcesses) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const ns of ourNamespaces) spawnSync('ip', ['netns', 'del', ns]);
  ourNamespaces.clear();
  if (tmpRoot && process.env['BENCH_KEEP'] !== '1') fs.rmSync(tmpRoot, { recursive: true, force: true });
}

// ---- the lab ------------------------------------------------------------------------------------

function soakConf(node: Node): string {
  let s = `global_defs {\n    router_id SOAK_${node.toUpperCase()}\n    vrrp_skip_check_adv_addr\n}\n`;
  for (let v = 1; v <= INSTANCES; v++) {
    const prio = node === 'a' ? PRIO_A : v <= PEER_WINS ? PRIO_B_HIGH : PRIO_B_LOW;
    s += `vrrp_instance VI_${v} {\n    state BACKUP\n    interface eth0\n    virtual_router_id ${v}\n    priority ${prio}\n    advert_int 1\n`;
    s += `    authentication {\n        auth_type PASS\n        auth_pass soak${v % 10}\n    }\n    virtual_ipaddress {\n        ${vipOf(v)}/32\n    }\n}\n`;
  }
  return s;
}

class SoakLab {
  readonly ns: Record<Node | 'sw', string>;
  private readonly procs = new Map<Node, ChildProcess>();

  constructor(readonly dir: string) {
    const id = `tsvsk-${process.pid}`;
    this.ns = { a: `${id}-a`, b: `${id}-b`, sw: `${id}-sw` };
    for (const ns of Object.values(this.ns)) ourNamespaces.add(ns);
    try {
      buildBridgeLan(this.ns.sw, { a: { ns: this.ns.a, ip: IP.a }, b: { ns: this.ns.b, ip: IP.b } });
    } catch (e) {
      throw new BenchError(`building the lab: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const n of ['a', 'b'] as const) fs.writeFileSync(this.conf(n), soakConf(n));
  }

  conf(n: Node): string {
    return path.join(this.dir, `${n}.conf`);
  }
  log(n: Node): string {
    return path.join(this.dir, `${n}.log`);
  }
  pidFile(n: Node): string {
    return path.join(this.dir, `${n}.pid`);
  }

  /** Start A (tsvrrpd) or B (keepalived -P); resolves with the daemon's pid once its pid file(s) are written. */
  async start(n: Node): Promise<number> {
    const d = path.join(this.dir, n);
    const vrrpPid = `${d}.vrrp.pid`;
    for (const f of [this.pidFile(n), vrrpPid]) fs.rmSync(f, { force: true });
    const cmd =
      n === 'a'
        ? [...tsvrrpdNode(), '-n', '-l', '-G', '-f', this.conf(n), '-p', this.pidFile(n)]
        : ['keepalived', '-n', '-l', '-G', '-P', '-f', this.conf(n), '-p', this.pidFile(n), '-r', vrrpPid, '-c', `${d}.chk.pid`, '-b', `${d}.bfd.pid`];
    const log = fs.openSync(this.log(n), 'a');
    const p = spawn('ip', ['netns', 'exec', this.ns[n], ...cmd], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    ourProcesses.add(p);
    p.once('exit', () => ourProcesses.delete(p));
    this.procs.set(n, p);
    const ready = (): boolean => readPid(this.pidFile(n)) !== null && (n === 'a' || readPid(vrrpPid) !== null);
    if ((await pollFor(() => ready() || !this.running(n), START_TIMEOUT_MS)) === null || !this.running(n)) {
      throw new BenchError(`${n === 'a' ? 'tsvrrpd (A)' : 'keepalived (B)'} did not start within ${START_TIMEOUT_MS} ms\n${this.logTail(n)}`);
    }
    return readPid(this.pidFile(n)) as number;
  }

  running(n: Node): boolean {
    const p = this.procs.get(n);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  /** SIGTERM to the daemon (keepalived: the parent, which stops its VRRP child); seconds until it exited, or null (then SIGKILLed). */
  async stop(n: Node): Promise<number | null> {
    const p = this.procs.get(n);
    const pid = readPid(this.pidFile(n));
    if (!p || !this.running(n) || pid === null) return 0;
    const at = Date.now();
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* it is exiting already */
    }
    if (await within(exited(p), STOP_TIMEOUT_MS)) {
      // keepalived's VRRP child may outlive the parent by a moment; anything left is killed.
      if (n === 'b' && (await pollFor(() => this.pidsIn(n) === 0, 2_000)) === null) killNamespacePids(this.ns[n]);
      return (Date.now() - at) / 1000;
    }
    killNamespacePids(this.ns[n]);
    await within(exited(p), 2_000);
    return null;
  }

  pidsIn(n: Node): number {
    return namespacePids(this.ns[n]).length;
  }

  /** The VRIDs whose VIP is on the node's eth0. */
  vrids(n: Node): Set<number> {
    const out = spawnSync('ip', ['-n', this.ns[n], '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout;
    const s = new Set<number>();
    for (const m of out.matchAll(/ inet 10\.0\.1\.(\d+)\/32 /g)) s.add(Number(m[1]));
    return s;
  }

  /** The VRIDs not where they should be with B running (1..50 on B only, 51..100 on A only). */
  misplaced(): number[] {
    const a = this.vrids('a');
    const b = this.vrids('b');
    const bad: number[] = [];
    for (let v = 1; v <= INSTANCES; v++) {
      const onA = a.has(v);
      const onB = b.has(v);
      if (v <= PEER_WINS ? !(onB && !onA) : !(onA && !onB)) bad.push(v);
    }
    return bad;
  }

  logText(n: Node): string {
    try {
      return fs.readFileSync(this.log(n), 'utf8');
    } catch {
      return '';
    }
  }
  logTail(n: Node, lines = 20): string {
    return `--- ${n === 'a' ? 'tsvrrpd (A)' : 'keepalived (B)'} log ---\n${this.logText(n).trim().split('\n').slice(-lines).join('\n')}`;
  }

  async close(): Promise<void> {
    await this.stop('b');
    await this.stop('a');
    for (const ns of Object.values(this.ns)) {
      killNamespacePids(ns);
      spawnSync('ip', ['netns', 'del', ns]);
      ourNamespaces.delete(ns);
    }
  }
}

// ---- /proc readings -----------------------------------------------------------------------------

const CLK_TCK = ((): number => {
  const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

interface Sample {
  tSec: number;
  rssKiB: number;
  anonKiB: number;
  hwmKiB: number;
  fds: number;
  threads: number;
  cpuMs: number;
  vipsA: number;
  vipsB: number;
  peerRunning: boolean;
  restarts: number;
}

function statusField(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status);
  return m ? Number(m[1]) : NaN;
}
/** utime + stime of the process (all its threads), ms. */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: [0] = state (field 3), so utime (14) is [11] and stime (15) is [12].
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

function sample(pid: number, lab: SoakLab, tSec: number, restarts: number): Sample {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    tSec,
    rssKiB: statusField(status, 'VmRSS'),
    anonKiB: statusField(status, 'RssAnon'),
    hwmKiB: statusField(status, 'VmHWM'),
    threads: statusField(status, 'Threads'),
    fds: fs.readdirSync(`/proc/${pid}/fd`).length,
    cpuMs: cpuMsOf(pid),
    vipsA: lab.vrids('a').size,
    vipsB: lab.vrids('b').size,
    peerRunning: lab.running('b'),
    restarts,
  };
}

// ---- the run ------------------------------------------------------------------------------------

interface Restart {
  n: number;
  atSec: number;
  /** SIGTERM → keepalived exited (null: it did not within the bound and was killed). */
  peerStopSec: number | null;
  /** SIGTERM → A holds all 100 VIPs and B none (null: not within the bound). */
  takeAllSec: number | null;
  /** B's start → the pair converged again (null: not within the bound). */
  convergeSec: number | null;
}

function progress(msg: string): void {
  process.stderr.write(`bench:soak: ${msg}\n`);
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length);
const inMinute = (samples: readonly Sample[], m: number): Sample[] => samples.filter((s) => s.tSec > (m - 1) * 60 && s.tSec <= m * 60);
const fmtSec = (x: number | null): string => (x === null ? 'timeout' : `${x.toFixed(2)} s`);
function spreadSec(xs: readonly (number | null)[]): string {
  const ok = xs.filter((x): x is number => x !== null);
  const late = xs.length - ok.length;
  if (ok.length === 0) return late > 0 ? `all ${late} timed out` : 'n/a';
  return `${Math.min(...ok).toFixed(2)} / ${mean(ok).toFixed(2)} / ${Math.max(...ok).toFixed(2)} s${late > 0 ? `, ${late} timed out` : ''}`;
}
function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<number> {
  const missing =
    process.getuid?.() !== 0 ? 'root (network namespaces)' : !have('keepalived') ? 'keepalived (bash scripts/setup.sh)' : !fs.existsSync(ADDON) ? 'the native addon (npm ci)' : !fs.existsSync(CLI) ? 'a build (npm run build)' : null;
  if (missing) {
    process.stderr.write(`bench:soak: cannot run: needs ${missing}\n`);
    return 1;
  }
  const kaVersion = /Keepalived (v[\d.]+)/.exec(spawnSync('keepalived', ['--version'], { encoding: 'utf8' }).stderr)?.[1] ?? '?';
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvsk-'));
  progress(`${DURATION_MIN} min, peer restart every ${PERIOD_SEC} s, baseline minute ${BASE_MIN}, samples every ${SAMPLE_SEC} s; data in ${tmpRoot}`);
  const lab = new SoakLab(tmpRoot);
  const samples: Sample[] = [];
  const restarts: Restart[] = [];
  let converged: { sec: number | null; misplaced: number[] };
  let pidA = 0;
  try {
    pidA = await lab.start('a');
    const aMaster = await pollFor(() => lab.vrids('a').size === INSTANCES, CONVERGE_TIMEOUT_MS);
    if (aMaster === null) throw new BenchError(`tsvrrpd (A) did not become master of ${INSTANCES} instances within ${CONVERGE_TIMEOUT_MS} ms\n${lab.logTail('a')}`);
    await lab.start('b');
    if ((await pollFor(() => lab.misplaced().length === 0, CONVERGE_TIMEOUT_MS)) === null) {
      throw new BenchError(`the pair did not converge after B's first start (misplaced VRIDs ${lab.misplaced().join(',')})\n${lab.logTail('a')}\n${lab.logTail('b')}`);
    }
    progress(`A master of ${INSTANCES} after ${aMaster.toFixed(2)} s; B took VRIDs 1..${PEER_WINS}; soak starts`);

    const t0 = Date.now();
    const endMs = t0 + DURATION_MIN * 60_000;
    const elapsedSec = (): number => (Date.now() - t0) / 1000;
    let failure: Error | null = null;
    let done = false;

    const sampler = async (): Promise<void> => {
      for (let j = 1; j <= (DURATION_MIN * 60) / SAMPLE_SEC && !failure; j++) {
        await sleepUntil(t0 + j * SAMPLE_SEC * 1000);
        if (!lab.running('a')) {
          failure = new BenchError(`tsvrrpd (A) exited during the soak at ${elapsedSec().toFixed(0)} s\n${lab.logTail('a', 40)}`);
          break;
        }
        let s: Sample;
        try {
          s = sample(pidA, lab, j * SAMPLE_SEC, restarts.length);
        } catch (e) {
          failure = new BenchError(`reading /proc/${pidA} at ${elapsedSec().toFixed(0)} s: ${e instanceof Error ? e.message : String(e)}\n${lab.logTail('a', 40)}`);
          break;
        }
        samples.push(s);
        fs.appendFileSync(path.join(tmpRoot, 'samples.csv'), `${[s.tSec, s.rssKiB, s.anonKiB, s.hwmKiB, s.fds, s.threads, s.cpuMs.toFixed(0), s.vipsA, s.vipsB, s.peerRunning ? 1 : 0, s.restarts].join(',')}\n`);
        if (s.tSec % 60 === 0) progress(`minute ${s.tSec / 60}/${DURATION_MIN}: RSS ${s.rssKiB} KiB, ${s.fds} fds, ${s.threads} threads, CPU ${(s.cpuMs / 1000).toFixed(1)} s, ${restarts.length} restarts`);
      }
      done = true;
    };

    const restarter = async (): Promise<void> => {
      for (let k = 1; !failure && !done; k++) {
        const atMs = t0 + (k * PERIOD_SEC + RESTART_PHASE_SEC) * 1000;
        if (atMs >= endMs) break;
        await sleepUntil(atMs);
        if (failure) break;
        const r: Restart = { n: k, atSec: elapsedSec(), peerStopSec: null, takeAllSec: null, convergeSec: null };
        const takeAll = pollFor(() => lab.vrids('a').size === INSTANCES && lab.vrids('b').size === 0, CONVERGE_TIMEOUT_MS);
        r.peerStopSec = await lab.stop('b');
        r.takeAllSec = await takeAll;
        try {
          await lab.start('b');
        } catch (e) {
          failure = e instanceof Error ? e : new BenchError(String(e));
          break;
        }
        r.convergeSec = await pollFor(() => lab.misplaced().length === 0, CONVERGE_TIMEOUT_MS);
        restarts.push(r);
        fs.appendFileSync(path.join(tmpRoot, 'restarts.csv'), `${[r.n, r.atSec.toFixed(1), r.peerStopSec?.toFixed(3) ?? '', r.takeAllSec?.toFixed(3) ?? '', r.convergeSec?.toFixed(3) ?? ''].join(',')}\n`);
        if (r.takeAllSec === null || r.convergeSec === null || r.peerStopSec === null) progress(`restart ${k} at ${r.atSec.toFixed(0)} s: stop ${fmtSec(r.peerStopSec)}, A took all ${fmtSec(r.takeAllSec)}, converged ${fmtSec(r.convergeSec)}`);
      }
    };

    fs.writeFileSync(path.join(tmpRoot, 'samples.csv'), 'tSec,rssKiB,anonKiB,hwmKiB,fds,threads,cpuMs,vipsA,vipsB,peerRunning,restarts\n');
    fs.writeFileSync(path.join(tmpRoot, 'restarts.csv'), 'n,atSec,peerStopSec,takeAllSec,convergeSec\n');
    await Promise.all([sampler(), restarter()]);
    if (failure) throw failure;
    const settle = await pollFor(() => lab.misplaced().length === 0, CONVERGE_TIMEOUT_MS);
    converged = { sec: settle, misplaced: lab.misplaced() };
  } catch (e) {
    if (e instanceof BenchError && !e.message.includes('--- ')) e.message += `\n${lab.logTail('a')}\n${lab.logTail('b')}`;
    await lab.close();
    throw e;
  }
  const logA = lab.logText('a');
  await lab.close();

  // ---- the report ----
  const last = samples[samples.length - 1] as Sample;
  const lines: string[] = [];
  const head = ['minute', 'VmRSS KiB (end)', 'VmRSS KiB (mean)', 'RssAnon KiB (end)', 'VmHWM KiB', 'fds', 'threads', 'CPU ms in minute', 'VIPs on A', 'VIPs on B', 'restarts'];
  lines.push(row(head), row(head.map(() => '---')));
  let prevCpuMs = 0;
  for (let m = 1; m <= DURATION_MIN; m++) {
    const ms = inMinute(samples, m);
    const end = ms[ms.length - 1];
    if (!end) continue;
    lines.push(row([String(m), String(end.rssKiB), mean(ms.map((s) => s.rssKiB)).toFixed(0), String(end.anonKiB), String(end.hwmKiB), String(end.fds), String(end.threads), (end.cpuMs - prevCpuMs).toFixed(0), String(end.vipsA), String(end.vipsB), String(end.restarts)]));
    prevCpuMs = end.cpuMs;
  }

  const baseMean = mean(inMinute(samples, BASE_MIN).map((s) => s.rssKiB));
  const lastMean = mean(inMinute(samples, DURATION_MIN).map((s) => s.rssKiB));
  const growthPct = DURATION_MIN > BASE_MIN ? ((lastMean - baseMean) / baseMean) * 100 : NaN;
  const baseSample = samples.find((s) => s.tSec === BASE_MIN * 60);
  const after = samples.filter((s) => s.tSec >= BASE_MIN * 60);
  const fdsAfter = after.map((s) => s.fds);
  const masters = (logA.match(/\(VI_\d+\) Entering MASTER STATE/g) ?? []).length;
  const backups = (logA.match(/\(VI_\d+\) Entering BACKUP STATE(?! \(init\))/g) ?? []).length;
  const expMasters = INSTANCES + PEER_WINS * restarts.length;
  const expBackups = PEER_WINS + PEER_WINS * restarts.length;
  const complaints = logA.split('\n').filter((l) => /error|warn|fail|exception|uncaught|EMFILE|EBADF|ENOBUFS/i.test(l));

  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  const out: string[] = [];
  out.push(`\nbench:soak: tsvrrpd (A, ${INSTANCES} instances, priority ${PRIO_A}) vs keepalived ${kaVersion} (B, priority ${PRIO_B_HIGH} on VRIDs 1..${PEER_WINS}, ${PRIO_B_LOW} on the rest), advert_int 1, auth PASS`);
  out.push(`${DURATION_MIN} min, B stopped (SIGTERM) and restarted every ${PERIOD_SEC} s (${restarts.length} restarts), samples every ${SAMPLE_SEC} s (${samples.length}), ${os.cpus().length} cores, node ${process.version}`);
  out.push(`raw samples: ${path.join(tmpRoot, 'samples.csv')}, ${path.join(tmpRoot, 'restarts.csv')} (${process.env['BENCH_KEEP'] === '1' ? 'kept' : 'removed at exit; BENCH_KEEP=1 keeps them'})\n`);
  out.push(lines.join('\n'));
  out.push('');
  out.push(`restarts: SIGTERM → keepalived exited: ${spreadSec(restarts.map((r) => r.peerStopSec))} (min / mean / max)`);
  out.push(`restarts: SIGTERM → A holds all ${INSTANCES} VIPs: ${spreadSec(restarts.map((r) => r.takeAllSec))}`);
  out.push(`restarts: B started → VRIDs 1..${PEER_WINS} on B, the rest on A: ${spreadSec(restarts.map((r) => r.convergeSec))}`);
  out.push(`A's log: ${masters} MASTER entries (expected ${INSTANCES} + ${PEER_WINS} × ${restarts.length} = ${expMasters}), ${backups} BACKUP entries after init (expected ${expBackups}), ${(logA.length / 1024).toFixed(0)} KiB, ${complaints.length} error/warning line(s)`);
  for (const l of complaints.slice(0, 10)) out.push(`  ${l}`);
  if (complaints.length > 10) out.push(`  … ${complaints.length - 10} more`);
  out.push(`CPU: ${(last.cpuMs / 1000).toFixed(1)} s over the soak and start-up (${((last.cpuMs / (DURATION_MIN * 60_000)) * 100).toFixed(2)} % of one core); threads ${Math.min(...samples.map((s) => s.threads))}–${Math.max(...samples.map((s) => s.threads))}`);
  out.push('');
  out.push(
    `${verdict(growthPct < GROWTH_TARGET_PCT)}  RSS growth, mean of minute ${DURATION_MIN} vs mean of minute ${BASE_MIN}: ${baseMean.toFixed(0)} → ${lastMean.toFixed(0)} KiB = ${Number.isFinite(growthPct) ? `${growthPct >= 0 ? '+' : ''}${growthPct.toFixed(2)} %` : 'n/a (needs BENCH_SOAK_MIN ≥ 2)'} (target < ${GROWTH_TARGET_PCT} %); VmHWM ${last.hwmKiB} KiB`,
  );
  out.push(
    `${verdict(baseSample !== undefined && last.fds <= baseSample.fds)}  fds: ${baseSample?.fds ?? 'n/a'} at ${BASE_MIN} min, ${last.fds} at the end; min/max from ${BASE_MIN} min on ${Math.min(...fdsAfter)}/${Math.max(...fdsAfter)} (target: no growth, last ≤ value at ${BASE_MIN} min)`,
  );
  out.push(
    `${verdict(converged.misplaced.length === 0)}  convergence at the end: ${converged.misplaced.length === 0 ? `each VIP on exactly one host, the right one (checked ${fmtSec(converged.sec)} after the last sample)` : `misplaced VRIDs ${converged.misplaced.join(',')}`}`,
  );
  const restartsOk = restarts.every((r) => r.peerStopSec !== null && r.takeAllSec !== null && r.convergeSec !== null);
  out.push(`${restartsOk ? 'info' : 'note'}  restarts: ${restarts.filter((r) => r.takeAllSec !== null && r.convergeSec !== null).length}/${restarts.length} with A taking all VIPs and the pair converging within ${CONVERGE_TIMEOUT_MS / 1000} s`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

runBenchMain('bench:soak', main, cleanupSync);
