/**
 * `npm run bench:failover` (root): the S1 pair (conf/keepalived.conf on A, priority 150;
 * conf/s1-backup.conf on B, priority 100; VRID 51, VIP 10.0.0.100, advert_int 1) on a bridge LAN
 * in network namespaces, run once with keepalived 2.2.7 (`keepalived -P`, its own pid files) and
 * once with tsvrrpd, one after the other in one run, measured the same way on the wire (tshark on
 * the bridge, frame timestamps):
 *
 *  - crash takeover: SIGKILL of the process that owns the master's VRRP socket (tsvrrpd: its one
 *    process; keepalived: the VRRP child from -r, after SIGSTOP of the parent so that neither
 *    PDEATHSIG nor a respawn turns the crash into a graceful stop: checklist §6.1), measured from
 *    A's last advert to B's first advert; bound Master_Down_Interval(B) = 3.609 s;
 *  - graceful handover: SIGTERM, measured from A's priority-0 advert to B's first advert; bound
 *    Skew_Time(B) = 0.609 s;
 *  - every takeover (B after a crash or SIGTERM, A preempting after its restart): the new master's
 *    first advert → its first gratuitous ARP, and the GARPs in the burst;
 *  - A's advert period in steady state over ≥ 10 gaps (mean and jitter);
 *  - CPU time (all threads, /proc/PID/task/<tid>/schedstat) and RSS of one daemon over 10 s of steady
 *    state with 1 and with 100 instances (100 VRIDs and VIPs on one interface; the measured
 *    daemon A is master of all of them, its peer B backup; both are reported).
 *
 * Targets: each takeover within [bound − 5 ms, bound + 5 ms], and tsvrrpd never behind keepalived
 * (its slowest takeover no later than keepalived's slowest + 1 ms, the timer resolution). Prints
 * PASS or MISS; never fails on a miss (the exit code is non-zero only when the bench cannot run:
 * not root, no keepalived/tshark/native addon, or a lab step timing out).
 *
 * Knobs: BENCH_ROUNDS (crash and SIGTERM rounds per daemon, default 3), BENCH_STEADY_SEC (steady
 * state observed for the advert period, default 12), BENCH_RES_SEC (CPU/RSS window, default 10),
 * BENCH_WARMUP_SEC (settling before that window, default 15: Node spends a few tens of ms in
 * JIT and GC threads in its first ~10 s),
 * BENCH_ONLY (keepalived or tsvrrpd), BENCH_KEEP=1 (keep the temp dir: logs and pcaps).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median, runBenchMain } from '../support/bench-main';
import { statusKiB, threadsCpuMs } from '../support/proc-stats';
import { tsvrrpdNode } from '../support/tsvrrpd-command';
import { killNamespacePids } from '../support/netns';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const CONF_A = path.join(ROOT, 'conf', 'keepalived.conf');
const CONF_B = path.join(ROOT, 'conf', 's1-backup.conf');
const VIP = '10.0.0.100';
const IP = { a: '10.0.0.1', b: '10.0.0.2', c: '10.0.0.10' } as const;
const PRIO_B = 100;
const MDI_B = 3 + (256 - PRIO_B) / 256;
const SKEW_B = (256 - PRIO_B) / 256;
const TOL = 0.005;
const PEER_TOL = 0.001;

type Impl = 'keepalived' | 'tsvrrpd';
type Node = 'a' | 'b';

function envInt(name: string, dflt: number): number {
  const n = Number(process.env[name] ?? dflt);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const STEADY_SEC = envInt('BENCH_STEADY_SEC', 12);
const RES_SEC = envInt('BENCH_RES_SEC', 10);
const WARMUP_SEC = envInt('BENCH_WARMUP_SEC', 15);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nowS = (): number => Date.now() / 1000;
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

class BenchError extends Error {}

function sh(args: string[]): string {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new BenchError(`${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}
async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
  const start = nowS();
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new BenchError(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return nowS() - start;
}
function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r()));
}
function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Every namespace this run creates, so that cleanup (also on SIGINT) removes exactly those. */
const ourNamespaces = new Set<string>();
const ourProcesses = new Set<ChildProcess>();
let tmpRoot = '';

function cleanupSync(): void {
  for (const ns of ourNamespaces) {
    // Anything still running inside our namespaces was started by this bench (daemons, keepalived's
    // VRRP child, tshark, ping): kill those pids, then remove the namespace.
    killNamespacePids(ns);
  }
  for (const p of ourProcesses) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const ns of ourNamespaces) spawnSync('ip', ['netns', 'del', ns]);
  ourNamespaces.clear();
  if (tmpRoot && process.env['BENCH_KEEP'] !== '1') fs.rmSync(tmpRoot, { recursive: true, force: true });
}

/** A bridge LAN: directors A and B and a client C, each with eth0 on br0 (checklist §2.0 shape). */
class Lab {
  readonly ns: Record<Node | 'c' | 'sw', string>;
  readonly mac: Record<Node, string>;
  readonly dir: string;
  private tshark: ChildProcess | null = null;
  private readonly daemons = new Map<Node, ChildProcess>();

  constructor(
    readonly impl: Impl,
    readonly tag: string,
  ) {
    const id = `${tag}-${process.pid}`;
    this.ns = { sw: `tsv-fb-sw-${id}`, a: `tsv-fb-a-${id}`, b: `tsv-fb-b-${id}`, c: `tsv-fb-c-${id}` };
    this.dir = fs.mkdtempSync(path.join(tmpRoot, `${tag}-`));
    for (const ns of Object.values(this.ns)) {
      ourNamespaces.add(ns);
      spawnSync('ip', ['netns', 'del', ns]);
      sh(['ip', 'netns', 'add', ns]);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    sh(['ip', '-n', this.ns.sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    sh(['ip', '-n', this.ns.sw, 'link', 'set', 'br0', 'up']);
    for (const n of ['a', 'b', 'c'] as const) {
      sh(['ip', '-n', this.ns.sw, 'link', 'add', `sw${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns[n]]);
      sh(['ip', '-n', this.ns.sw, 'link', 'set', `sw${n}`, 'master', 'br0', 'up']);
      sh(['ip', '-n', this.ns[n], 'addr', 'add', `${IP[n]}/24`, 'dev', 'eth0']);
      sh(['ip', '-n', this.ns[n], 'link', 'set', 'eth0', 'up']);
    }
    const mac = (n: Node): string => /link\/ether ([0-9a-f:]+)/.exec(sh(['ip', '-n', this.ns[n], '-o', 'link', 'show', 'dev', 'eth0']))?.[1] ?? '';
    this.mac = { a: mac('a'), b: mac('b') };
  }

  get pcap(): string {
    return path.join(this.dir, 'wire.pcapng');
  }

  async startCapture(): Promise<void> {
    let ready = false;
    const t = spawn('ip', ['netns', 'exec', this.ns.sw, 'tshark', '-i', 'br0', '-f', 'vrrp or arp', '-w', this.pcap], { stdio: ['ignore', 'ignore', 'pipe'] });
    ourProcesses.add(t);
    t.stderr?.on('data', (d: Buffer) => {
      if (d.toString().includes('Capturing on')) ready = true;
    });
    this.tshark = t;
    await waitFor('tshark to capture', () => ready, 20_000);
    await sleep(300);
  }

  async stopCapture(): Promise<void> {
    if (!this.tshark) return;
    this.tshark.kill('SIGINT');
    await exited(this.tshark);
    this.tshark = null;
  }

  pidFile(n: Node): string {
    return path.join(this.dir, `${n}.pid`);
  }
  vrrpPidFile(n: Node): string {
    return path.join(this.dir, `${n}.vrrp.pid`);
  }

  /** Start the daemon on a node; resolves once the process owning the VRRP socket is known. */
  async start(n: Node, conf: string): Promise<void> {
    for (const f of [this.pidFile(n), this.vrrpPidFile(n)]) fs.rmSync(f, { force: true });
    const log = fs.openSync(path.join(this.dir, `${n}.log`), 'a');
    const d = path.join(this.dir, n);
    const cmd =
      this.impl === 'tsvrrpd'
        ? [...tsvrrpdNode(), '-n', '-l', '-G', '-f', conf, '-p', this.pidFile(n)]
        : ['keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', this.pidFile(n), '-r', this.vrrpPidFile(n), '-c', `${d}.chk.pid`, '-b', `${d}.bfd.pid`];
    const p = spawn('ip', ['netns', 'exec', this.ns[n], ...cmd], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    ourProcesses.add(p);
    this.daemons.set(n, p);
    await waitFor(`${this.impl} on ${n} to write its pid`, () => this.socketOwner(n) !== null, 10_000);
  }

  /** The pid of the process that owns the VRRP socket (keepalived: the VRRP child). */
  socketOwner(n: Node): number | null {
    return readPid(this.impl === 'tsvrrpd' ? this.pidFile(n) : this.vrrpPidFile(n));
  }

  /** The process whose CPU and memory is the daemon's (keepalived: parent and VRRP child). */
  processes(n: Node): number[] {
    const pids = [readPid(this.pidFile(n))];
    if (this.impl === 'keepalived') pids.push(readPid(this.vrrpPidFile(n)));
    return pids.filter((p): p is number => p !== null);
  }

  /** A crash: SIGKILL of the socket owner. keepalived's parent is stopped first (checklist §6.1). */
  async crash(n: Node): Promise<number> {
    const p = this.daemons.get(n) as ChildProcess;
    const owner = this.socketOwner(n) as number;
    const parent = readPid(this.pidFile(n));
    if (this.impl === 'keepalived' && parent !== null) process.kill(parent, 'SIGSTOP');
    const at = nowS();
    process.kill(owner, 'SIGKILL');
    if (this.impl === 'keepalived' && parent !== null) process.kill(parent, 'SIGKILL');
    await exited(p);
    return at;
  }

  /** A graceful stop: SIGTERM to the daemon (keepalived: the parent, which stops its child). */
  terminate(n: Node): { at: number; exit: Promise<number> } {
    const p = this.daemons.get(n) as ChildProcess;
    const at = nowS();
    process.kill(readPid(this.pidFile(n)) as number, 'SIGTERM');
    return { at, exit: exited(p).then(() => nowS() - at) };
  }

  vipCount(n: Node): number {
    const out = spawnSync('ip', ['-n', this.ns[n], '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout;
    return out.split('\n').filter((l) => / 10\.0\.(0\.100|1\.\d+)\//.test(l)).length;
  }
  hasVip(n: Node): boolean {
    return spawnSync('ip', ['-n', this.ns[n], '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout.includes(` ${VIP}/`);
  }

  logTail(n: Node, lines = 15): string {
    try {
      return fs.readFileSync(path.join(this.dir, `${n}.log`), 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async close(): Promise<void> {
    for (const p of this.daemons.values()) {
      if (p.exitCode === null && p.signalCode === null) {
        p.kill('SIGTERM');
        await Promise.race([exited(p), sleep(3_000)]);
      }
    }
    await this.stopCapture();
    for (const ns of Object.values(this.ns)) {
      killNamespacePids(ns);
      spawnSync('ip', ['netns', 'del', ns]);
      ourNamespaces.delete(ns);
    }
  }
}

interface Frame {
  t: number;
  ethSrc: string;
  ipSrc: string;
  prio: number | null;
  arpOp: number | null;
  arpSpa: string;
  arpTpa: string;
}
function readFrames(pcap: string): Frame[] {
  const fields = ['frame.time_epoch', 'eth.src', 'ip.src', 'vrrp.prio', 'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4'];
  const r = spawnSync('tshark', ['-r', pcap, '-Y', 'vrrp or arp', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [t, ethSrc, ipSrc, prio, op, spa, tpa] = l.split(',');
      return {
        t: Number(t),
        ethSrc: ethSrc ?? '',
        ipSrc: ipSrc ?? '',
        prio: prio ? Number(prio) : null,
        arpOp: op ? Number(op) : null,
        arpSpa: spa ?? '',
        arpTpa: tpa ?? '',
      };
    })
    .sort((x, y) => x.t - y.t);
}

interface FailoverResult {
  crash: number[];
  crashFromKill: number[];
  term: number[];
  termPoll: number[];
  termExit: number[];
  termToZero: number[];
  zerosPerTerm: number[];
  garpDelay: number[];
  garpBurst: number[];
  garpBeforeAdvert: number;
  takeovers: number;
  gaps: number[];
  notes: string[];
}

/** The S1 failover run for one implementation. */
async function failoverRun(impl: Impl): Promise<FailoverResult> {
  const lab = new Lab(impl, impl === 'tsvrrpd' ? 'ts' : 'ka');
  const res: FailoverResult = { crash: [], crashFromKill: [], term: [], termPoll: [], termExit: [], termToZero: [], zerosPerTerm: [], garpDelay: [], garpBurst: [], garpBeforeAdvert: 0, takeovers: 0, gaps: [], notes: [] };
  const kills: number[] = [];
  const terms: number[] = [];
  try {
    await lab.startCapture();
    // A first (it becomes master after its own Master_Down_Interval), then B as its backup.
    await lab.start('a', CONF_A);
    await waitFor(`${impl} A to become master`, () => lab.hasVip('a'), 20_000);
    await lab.start('b', CONF_B);
    const steadyFrom = nowS();
    progress(`${impl}: A is master; ${STEADY_SEC} s of steady state`);
    await sleep(STEADY_SEC * 1000);
    const steadyTo = nowS();
    if (lab.hasVip('b')) throw new BenchError(`${impl}: B took the VIP while A was alive\n${lab.logTail('b')}`);

    const restartA = async (): Promise<void> => {
      await lab.start('a', CONF_A);
      await waitFor(`${impl} A to preempt after its restart`, () => lab.hasVip('a') && !lab.hasVip('b'), 20_000);
      await sleep(1_500);
    };
    for (let i = 0; i < ROUNDS; i++) {
      await sleep(Math.random() * 1_000); // a random phase within the advert cycle
      const at = await lab.crash('a');
      kills.push(at);
      await waitFor(`${impl} B to take over after the crash`, () => lab.hasVip('b'), 10_000);
      progress(`${impl}: crash ${i + 1}/${ROUNDS}: B took over`);
      await restartA();
    }
    for (let i = 0; i < ROUNDS; i++) {
      await sleep(Math.random() * 1_000);
      const { at, exit } = lab.terminate('a');
      terms.push(at);
      await waitFor(`${impl} B to take over after SIGTERM`, () => lab.hasVip('b'), 5_000);
      res.termPoll.push(nowS() - at);
      res.termExit.push(await exit);
      progress(`${impl}: SIGTERM ${i + 1}/${ROUNDS}: B took over`);
      await restartA();
    }
    await lab.stopCapture();

    const frames = readFrames(lab.pcap);
    const adverts = frames.filter((f) => f.prio !== null);
    const srcOf = (ip: string): Node | null => (ip === IP.a ? 'a' : ip === IP.b ? 'b' : null);
    // Crash: B's first advert after the kill, and A's last advert before it.
    for (const k of kills) {
      const firstB = adverts.find((f) => f.ipSrc === IP.b && (f.prio ?? 0) > 0 && f.t > k);
      const lastA = firstB && adverts.filter((f) => f.ipSrc === IP.a && f.t < firstB.t).pop();
      if (!firstB || !lastA) res.notes.push(`${impl}: crash at ${k.toFixed(3)}: adverts not captured`);
      else {
        res.crash.push(firstB.t - lastA.t);
        res.crashFromKill.push(firstB.t - k);
      }
    }
    for (const s of terms) {
      const zeros = adverts.filter((f) => f.ipSrc === IP.a && f.prio === 0 && f.t >= s - 0.01 && f.t < s + 1.5);
      res.zerosPerTerm.push(zeros.length);
      const zero = zeros[0];
      const firstB = zero && adverts.find((f) => f.ipSrc === IP.b && (f.prio ?? 0) > 0 && f.t > zero.t);
      if (!zero || !firstB) res.notes.push(`${impl}: SIGTERM at ${s.toFixed(3)}: no priority-0 advert or no takeover captured`);
      else {
        res.term.push(firstB.t - zero.t);
        res.termToZero.push(zero.t - s);
      }
    }
    // Every takeover: an advert (priority > 0) whose sender differs from the previous advert's, or
    // follows a priority-0 advert. Its GARPs: ARP requests for the VIP from the new master's MAC.
    let prev: Frame | undefined;
    for (const ad of adverts) {
      const who = srcOf(ad.ipSrc);
      if (who && (ad.prio ?? 0) > 0 && (!prev || prev.ipSrc !== ad.ipSrc || prev.prio === 0)) {
        res.takeovers++;
        const garps = frames.filter((f) => f.arpOp === 1 && f.ethSrc === lab.mac[who] && f.arpSpa === VIP && f.arpTpa === VIP && f.t > ad.t - 0.5 && f.t < ad.t + 1);
        const first = garps[0];
        if (!first) res.notes.push(`${impl}: takeover by ${who.toUpperCase()} at ${ad.t.toFixed(3)}: no gratuitous ARP within 1 s`);
        else {
          if (first.t < ad.t) res.garpBeforeAdvert++;
          res.garpDelay.push(first.t - ad.t);
          res.garpBurst.push(garps.filter((g) => g.t - first.t < 0.5).length);
        }
      }
      prev = ad;
    }
    // Steady state: A's advert gaps while it was the only master (its last advert before the first kill).
    const steady = adverts.filter((f) => f.ipSrc === IP.a && (f.prio ?? 0) > 0 && f.t >= steadyFrom && f.t <= Math.min(steadyTo, kills[0] ?? steadyTo));
    for (let i = 1; i < steady.length; i++) res.gaps.push((steady[i] as Frame).t - (steady[i - 1] as Frame).t);
    return res;
  } catch (e) {
    if (e instanceof BenchError) e.message += `\n--- A's log ---\n${lab.logTail('a')}\n--- B's log ---\n${lab.logTail('b')}`;
    throw e;
  } finally {
    await lab.close();
  }
}

interface Usage {
  startupCpuMs: number;
  cpuMs: number;
  rssKiB: number;
  hwmKiB: number;
}
/** CPU time of every thread of the processes, in ms. */
const cpuMs = (pids: number[]): number => pids.reduce((sum, pid) => sum + threadsCpuMs(pid), 0);

function resourceConf(n: number, prio: number): string {
  let s = `global_defs {\n    router_id BENCH_${prio}\n    vrrp_skip_check_adv_addr\n}\n`;
  for (let v = 1; v <= n; v++) {
    const vip = n === 1 ? VIP : `10.0.1.${v}`;
    s += `vrrp_instance VI_${v} {\n    state BACKUP\n    interface eth0\n    virtual_router_id ${v}\n    priority ${prio}\n    advert_int 1\n`;
    s += `    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }\n    virtual_ipaddress {\n        ${vip}\n    }\n}\n`;
  }
  return s;
}

/** One daemon with n instances on eth0, master of all of them, with a backup peer: CPU and RSS over RES_SEC. */
async function resourceRun(impl: Impl, n: number): Promise<{ master: Usage; backup: Usage }> {
  const lab = new Lab(impl, `${impl === 'tsvrrpd' ? 'tr' : 'kr'}${n}`);
  try {
    const confA = path.join(lab.dir, 'a.conf');
    const confB = path.join(lab.dir, 'b.conf');
    fs.writeFileSync(confA, resourceConf(n, 150));
    fs.writeFileSync(confB, resourceConf(n, 100));
    await lab.start('a', confA);
    await waitFor(`${impl} A to master ${n} instances`, () => lab.vipCount('a') === n, 30_000);
    await lab.start('b', confB);
    // Past start-up, the JIT's first tiers and the second GARP burst (5 s after MASTER).
    await sleep(WARMUP_SEC * 1000);
    const pa = lab.processes('a');
    const pb = lab.processes('b');
    const a0 = cpuMs(pa);
    const b0 = cpuMs(pb);
    const t0 = process.hrtime.bigint();
    await sleep(RES_SEC * 1000);
    const scale = (RES_SEC * 1e9) / Number(process.hrtime.bigint() - t0);
    const usage = (pids: number[], c0: number): Usage => ({
      startupCpuMs: c0,
      cpuMs: (cpuMs(pids) - c0) * scale,
      rssKiB: pids.reduce((s, p) => s + statusKiB(p, 'VmRSS'), 0),
      hwmKiB: pids.reduce((s, p) => s + statusKiB(p, 'VmHWM'), 0),
    });
    const res = { master: usage(pa, a0), backup: usage(pb, b0) };
    if (lab.vipCount('b') !== 0 || lab.vipCount('a') !== n) throw new BenchError(`${impl}: with ${n} instances the roles changed during the window`);
    return res;
  } catch (e) {
    if (e instanceof BenchError) e.message += `\n--- A's log ---\n${lab.logTail('a')}\n--- B's log ---\n${lab.logTail('b')}`;
    throw e;
  } finally {
    await lab.close();
  }
}

function progress(msg: string): void {
  process.stderr.write(`bench:failover: ${msg}\n`);
}

// ---- the table ----------------------------------------------------------------------------------

const fmtS = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(4)} s` : 'n/a');
const fmtMs = (x: number, d = 2): string => (Number.isFinite(x) ? `${x.toFixed(d)} ms` : 'n/a');
function spread(xs: number[], f: (x: number) => string): string {
  if (xs.length === 0) return 'n/a';
  return `${f(Math.min(...xs))} / ${f(median(xs))} / ${f(Math.max(...xs))} (n=${xs.length})`;
}
function within(xs: number[], bound: number): boolean {
  return xs.length > 0 && xs.every((x) => x >= bound - TOL && x <= bound + TOL);
}
function takeoverVerdict(ts: number[], ka: number[] | undefined, bound: number): string {
  const inBound = within(ts, bound);
  const notBehind = ka === undefined || ka.length === 0 || (ts.length > 0 && Math.max(...ts) <= Math.max(...ka) + PEER_TOL);
  if (inBound && notBehind) return 'PASS';
  return `MISS${inBound ? '' : ' (bound)'}${notBehind ? '' : ' (behind keepalived)'}`;
}
function periodStats(gaps: number[]): { mean: number; jitterMs: number; sdMs: number } {
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
  return { mean, jitterMs: Math.max(...gaps.map((g) => Math.abs(g - 1))) * 1000, sdMs: sd * 1000 };
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<number> {
  const missing = process.getuid?.() !== 0 ? 'root (network namespaces)' : !have('tshark') ? 'tshark' : !fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node')) ? 'the native addon (npm ci)' : !fs.existsSync(CLI) ? 'a build (npm run build)' : null;
  const only = process.env['BENCH_ONLY'];
  const impls: Impl[] = only === 'keepalived' || only === 'tsvrrpd' ? [only] : ['keepalived', 'tsvrrpd'];
  if (impls.includes('keepalived') && !have('keepalived')) {
    process.stderr.write('bench:failover: cannot run: needs keepalived (bash scripts/setup.sh)\n');
    return 1;
  }
  if (missing) {
    process.stderr.write(`bench:failover: cannot run: needs ${missing}\n`);
    return 1;
  }
  const kaVersion = have('keepalived') ? (/Keepalived (v[\d.]+)/.exec(spawnSync('keepalived', ['--version'], { encoding: 'utf8' }).stderr)?.[1] ?? '?') : '';
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-fb-'));
  const fo = new Map<Impl, FailoverResult>();
  const res = new Map<string, { master: Usage; backup: Usage }>();
  const started = Date.now();
  for (const impl of impls) {
    progress(`${impl}: S1 failover, ${ROUNDS} crash and ${ROUNDS} SIGTERM rounds`);
    fo.set(impl, await failoverRun(impl));
  }
  for (const impl of impls) {
    for (const n of [1, 100]) {
      progress(`${impl}: CPU and RSS with ${n} instance(s) over ${RES_SEC} s`);
      res.set(`${impl}/${n}`, await resourceRun(impl, n));
    }
  }

  const ka = fo.get('keepalived');
  const ts = fo.get('tsvrrpd');
  const col = (f: (r: FailoverResult) => string): string[] => impls.map((i) => f(fo.get(i) as FailoverResult));
  const head = ['metric', 'bound / target', ...impls.map((i) => (i === 'keepalived' ? `keepalived ${kaVersion}` : 'tsvrrpd')), 'verdict (tsvrrpd)'];
  const lines: string[] = [];
  lines.push(row(head));
  lines.push(row(head.map(() => '---')));
  const verdict = (f: (r: FailoverResult) => string): string => (ts ? f(ts) : 'n/a');
  lines.push(
    row([
      'crash takeover (SIGKILL): A last advert → B first advert, wire, min / median / max',
      `MDI ${MDI_B.toFixed(4)} s ± 5 ms; ≤ keepalived`,
      ...col((r) => spread(r.crash, fmtS)),
      verdict((r) => takeoverVerdict(r.crash, ka?.crash, MDI_B)),
    ]),
  );
  lines.push(row(['crash: SIGKILL → B first advert (random phase)', `(MDI − 1 s, MDI]`, ...col((r) => spread(r.crashFromKill, fmtS)), 'info']));
  lines.push(
    row([
      'graceful (SIGTERM): A priority-0 advert → B first advert, wire',
      `Skew ${SKEW_B.toFixed(4)} s ± 5 ms; ≤ keepalived`,
      ...col((r) => spread(r.term, fmtS)),
      verdict((r) => takeoverVerdict(r.term, ka?.term, SKEW_B)),
    ]),
  );
  lines.push(row(['SIGTERM → priority-0 advert on the wire', '1 advert (#38)', ...col((r) => `${spread(r.termToZero.map((x) => x * 1000), (x) => fmtMs(x, 1))}; ${r.zerosPerTerm.join('/')} advert(s)`), verdict((r) => (r.zerosPerTerm.every((z) => z === 1) ? 'PASS' : 'MISS'))]));
  lines.push(row(['SIGTERM → daemon exited', '—', ...col((r) => spread(r.termExit, fmtS)), 'info']));
  lines.push(row(['SIGTERM → VIP on B (10 ms poll)', 'Skew + 50 ms (#63)', ...col((r) => spread(r.termPoll, fmtS)), verdict((r) => (r.termPoll.every((x) => x <= SKEW_B + 0.05) ? 'PASS' : 'MISS'))]));
  lines.push(
    row([
      'takeover advert → first GARP, every takeover',
      'advert first (#40)',
      ...col((r) => spread(r.garpDelay.map((x) => x * 1000), (x) => fmtMs(x, 3))),
      verdict((r) => (r.garpBeforeAdvert === 0 && r.garpDelay.length === r.takeovers && r.takeovers > 0 ? 'PASS' : 'MISS')),
    ]),
  );
  lines.push(row(['GARPs per takeover (burst)', '≥ 1 per VIP', ...col((r) => `${Math.min(...r.garpBurst)}–${Math.max(...r.garpBurst)} over ${r.takeovers} takeovers`), 'info']));
  lines.push(
    row([
      `advert period, steady state (${ts?.gaps.length ?? ka?.gaps.length ?? 0} gaps)`,
      'mean 1 s ± 5 ms, each ± 20 ms (#16)',
      ...col((r) => {
        const p = periodStats(r.gaps);
        return `mean ${p.mean.toFixed(5)} s, max dev ${fmtMs(p.jitterMs)}, sd ${fmtMs(p.sdMs, 3)} (n=${r.gaps.length})`;
      }),
      verdict((r) => {
        const p = periodStats(r.gaps);
        return r.gaps.length >= 10 && Math.abs(p.mean - 1) <= 0.005 && p.jitterMs <= 20 ? 'PASS' : 'MISS';
      }),
    ]),
  );
  for (const n of [1, 100]) {
    const u = (i: Impl): { master: Usage; backup: Usage } => res.get(`${i}/${n}`) as { master: Usage; backup: Usage };
    lines.push(row([`CPU from start to the end of the warm-up, ${n} instance${n > 1 ? 's' : ''}: master / backup`, '—', ...impls.map((i) => `${fmtMs(u(i).master.startupCpuMs, 0)} / ${fmtMs(u(i).backup.startupCpuMs, 0)}`), 'info']));
    lines.push(row([`CPU per ${RES_SEC} s, ${n} instance${n > 1 ? 's' : ''}: master / backup`, '—', ...impls.map((i) => `${fmtMs(u(i).master.cpuMs, 0)} / ${fmtMs(u(i).backup.cpuMs, 0)}`), 'info']));
    lines.push(row([`RSS, ${n} instance${n > 1 ? 's' : ''}: master / backup (peak)`, '—', ...impls.map((i) => `${(u(i).master.rssKiB / 1024).toFixed(1)} / ${(u(i).backup.rssKiB / 1024).toFixed(1)} MiB (${(u(i).master.hwmKiB / 1024).toFixed(1)})`), 'info']));
  }
  process.stdout.write(`\nbench:failover: S1 pair (A prio 150, B prio 100, advert_int 1), ${ROUNDS} rounds each, ${os.cpus().length} cores, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`keepalived = parent + VRRP child (keepalived -P); times from tshark on the bridge; "≤ keepalived" = tsvrrpd's slowest no later than keepalived's slowest + ${PEER_TOL * 1000} ms;\n`);
  process.stdout.write(`CPU and RSS over ${RES_SEC} s of steady state after ${WARMUP_SEC} s of warm-up\n\n`);
  process.stdout.write(lines.join('\n') + '\n');
  for (const i of impls) for (const note of (fo.get(i) as FailoverResult).notes) process.stdout.write(`note: ${note}\n`);
  return 0;
}

runBenchMain('bench:failover', main, cleanupSync);
