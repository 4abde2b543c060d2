/**
 * `npm run bench:reload` (root): a SIGHUP reload of a large config on a live pair, keepalived 2.2.7
 * (`keepalived -P`, its own pid files) and tsvrrpd one after the other in one run, on the real kernel
 * in network namespaces, measured the same way:
 *
 *  - the config: 1 000 VRRP instances, 4 links (eth0–eth3, a bridge each) × VRIDs 1–250, one VIP
 *    each (10.(100+link).1.VRID/32), advert_int 1; MASTER (priority 150) on host A, whose daemon is
 *    the implementation measured; BACKUP (priority 100) on host B, always keepalived, so that the
 *    peer that would take over is the same in every run. An implementation that does not run
 *    1 000 instances (it exits, or A is not MASTER of all of them in time; tsvrrpd, issue 11) is run
 *    again with 250 instances on one link, and so is the other one, for a like-for-like row;
 *  - once A holds every VIP and B is BACKUP of every instance (and BENCH_SETTLE_SEC more), each
 *    round changes the VIP of one instance (eth0 VRID 1: 10.100.1.1 ↔ 10.100.2.1) in A's file and
 *    sends SIGHUP to A's daemon (keepalived: its parent, which passes it to the VRRP child);
 *  - the phase: instances started together advertise in a burst each second, and a reload that
 *    blocks the daemon delays only the adverts due while it runs, so by default the SIGHUP is
 *    aimed BENCH_PHASE ms (10) before the next advert of eth0 VRID 1 (a second, live tshark sees
 *    only those: ~1 packet/s; the next one is extrapolated from the last few), the worst case for
 *    a reload that blocks; BENCH_PHASE=random sends it at a random point of the advert cycle;
 *  - applied: from the kill to the "Reload complete" line. tsvrrpd: the line's own timestamp
 *    (ISO, whole ms, so up to 1 ms early), with its "Reloading ..." line and the
 *    "Reload: … (applied in X ms)" it reports.
 *    keepalived's console log has 1 s timestamps, so for both the time the bench sees the line
 *    appear in the log file (inotify) is also given; and the time the kernel reports both the old
 *    VIP deleted and the new one added (`ip -ts monitor address` in A's namespace);
 *  - on the wire (tshark on the bridges, every VRRP advert and ARP): for each (link, VRID), the
 *    largest interval between consecutive adverts from A overlapping [SIGHUP − 2 s, SIGHUP + 3 s],
 *    minus advert_int: the lateness (an advert missing until after the window counts up to the
 *    window's end). The same over [SIGHUP − 6 s, SIGHUP − 2 s] (whole intervals) is the steady
 *    state it compares with. Also in the window: priority-0 adverts from A, any advert from B (a
 *    takeover), B entering MASTER (its log), and the gratuitous ARPs A sends.
 *
 * Target (tsvrrpd): every reload applied within 200 ms, no advert late by more than 5 ms, no
 * priority-0 advert, no takeover. Prints PASS or MISS; never fails on a miss (the exit code is
 * non-zero only when the bench cannot run: not root, no keepalived/tshark/native addon/build, or an
 * implementation that runs neither config).
 *
 * Knobs: BENCH_RELOADS (per implementation, default 5), BENCH_SETTLE_SEC (steady state before the
 * first reload, default 10), BENCH_SPACING_SEC (between reloads, default and minimum 10, so that
 * one reload's window, the bench's checks after it and the next one's steady state do not
 * overlap), BENCH_PHASE (ms before the advert, default 10, or random), BENCH_ONLY (keepalived or
 * tsvrrpd), BENCH_SHAPE (4x250 or 1x250: that config only, no fallback), BENCH_KEEP=1 (keep the
 * temp dir: configs, logs, the pcap and the address monitor).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exited, freshNamespace, have, killNamespacePids, readPid, sh, sleep } from '../support/netns';
import { median, runBenchMain } from '../support/bench-main';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const ADDON = path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node');
const ADVERT_INT = 1;
const PRIO = { a: 150, b: 100 } as const;
/** The reload window around the SIGHUP, and the steady state before it (seconds). */
const WINDOW = { from: -2, to: 3 } as const;
const STEADY = { from: -6, to: -2 } as const;
const TARGET = { appliedMs: 200, lateMs: 5 } as const;
/** The instance whose VIP each reload changes: link 0 (eth0), VRID 1. */
const CHANGED = { link: 0, vrid: 1 } as const;

type Impl = 'keepalived' | 'tsvrrpd';
type Host = 'a' | 'b';
interface Shape {
  readonly links: number;
  readonly perLink: number;
}
const FULL: Shape = { links: 4, perLink: 250 };
const ONE_LINK: Shape = { links: 1, perLink: 250 };
const count = (s: Shape): number => s.links * s.perLink;
const shapeName = (s: Shape): string => `${count(s)} (${s.links} link${s.links > 1 ? 's' : ''} × ${s.perLink})`;

function envInt(name: string, dflt: number, min = 1): number {
  const n = Number(process.env[name] ?? dflt);
  return Number.isInteger(n) && n >= min ? n : dflt;
}
const RELOADS = envInt('BENCH_RELOADS', 5);
const SETTLE_SEC = envInt('BENCH_SETTLE_SEC', 10, 7);
const SPACING_SEC = envInt('BENCH_SPACING_SEC', 10, 10);
/** SIGHUP this many ms before eth0 VRID 1's next advert; null: at a random phase. */
const LEAD_MS: number | null = process.env['BENCH_PHASE'] === 'random' ? null : envInt('BENCH_PHASE', 10, 0);

/** Wall-clock time in ms with sub-ms resolution (the clock tshark's frame times use). */
const wallMs = (): number => performance.timeOrigin + performance.now();

class BenchError extends Error {}

/** Address of a host on a link, VIP of an instance. */
const hostIp = (h: Host, link: number): string => `10.20.${link}.${h === 'a' ? 1 : 2}`;
const vipOf = (link: number, vrid: number, changed = false): string => `10.${100 + link}.${changed ? 2 : 1}.${vrid}`;
const VIP_RE = /inet (10\.1\d\d\.[12]\.\d+)\/32 /g;

/** keepalived config text for one host: every instance of the shape, `changed` moves CHANGED's VIP. */
function confText(shape: Shape, h: Host, changed: boolean): string {
  let s = `global_defs {\n router_id RELOAD_${h.toUpperCase()}\n vrrp_skip_check_adv_addr\n}\n`;
  for (let link = 0; link < shape.links; link++) {
    for (let vrid = 1; vrid <= shape.perLink; vrid++) {
      const vip = vipOf(link, vrid, changed && link === CHANGED.link && vrid === CHANGED.vrid);
      s +=
        `vrrp_instance VI_${link}_${vrid} {\n state ${h === 'a' ? 'MASTER' : 'BACKUP'}\n interface eth${link}\n virtual_router_id ${vrid}\n` +
        ` priority ${PRIO[h]}\n advert_int ${ADVERT_INT}\n virtual_ipaddress {\n  ${vip}/32\n }\n}\n`;
    }
  }
  return s;
}

// ---- cleanup: exactly what this run created, also on SIGINT/SIGTERM ---------------------------

const ourNamespaces = new Set<string>();
const ourProcesses = new Set<ChildProcess>();
let tmpRoot = '';

function cleanupSync(): void {
  // Everything still running in our namespaces was started by this bench (the daemons,
  // keepalived's VRRP child, tshark, ip monitor).
  for (const ns of ourNamespaces) killNamespacePids(ns);
  for (const p of ourProcesses) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const ns of ourNamespaces) spawnSync('ip', ['netns', 'del', ns]);
  ourNamespaces.clear();
  if (tmpRoot && process.env['BENCH_KEEP'] !== '1') fs.rmSync(tmpRoot, { recursive: true, force: true });
  else if (tmpRoot) process.stderr.write(`bench:reload: files kept in ${tmpRoot}\n`);
  tmpRoot = '';
}

// ---- the lab ------------------------------------------------------------------------------------

interface Daemon {
  readonly impl: Impl;
  readonly host: Host;
  readonly proc: ChildProcess;
  readonly conf: string;
  readonly log: string;
  readonly pidFile: string;
  /** The process that runs the instances (keepalived: the VRRP child; tsvrrpd: pidFile). */
  readonly vrrpPidFile: string;
}

/** The text of `file` from byte `offset` on ('' if there is no file yet). */
function readFrom(file: string, offset: number): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    const got = fs.readSync(fd, buf, 0, buf.length, offset);
    return buf.subarray(0, got).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
const fileSize = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).size : 0);
const tail = (file: string, lines = 15): string => readFrom(file, 0).trim().split('\n').slice(-lines).join('\n');

/**
 * Resolves when a line matching `re` appears in `file` past `offset`: the wall time it was seen
 * (inotify, with a 50 ms poll behind it) and the text past `offset` then.
 */
function waitLogLine(file: string, offset: number, re: RegExp, timeoutMs: number): Promise<{ seenMs: number; text: string }> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (): void => {
      done = true;
      watcher.close();
      clearInterval(poll);
      clearTimeout(deadline);
    };
    const check = (): void => {
      if (done) return;
      const text = readFrom(file, offset);
      if (!re.test(text)) return;
      const seenMs = wallMs();
      finish();
      resolve({ seenMs, text });
    };
    const watcher = fs.watch(file, check);
    const poll = setInterval(check, 50);
    const deadline = setTimeout(() => {
      if (done) return;
      finish();
      reject(new BenchError(`no ${re} in ${path.basename(file)} within ${timeoutMs} ms`));
    }, timeoutMs);
    check();
  });
}

/**
 * Hosts A and B, each with eth0 … eth<links−1>; link k is bridge br<k> in one switch namespace
 * (multicast snooping off), A at 10.20.k.1/24 and B at 10.20.k.2/24.
 */
class ReloadLab {
  readonly ns: Record<Host | 'sw', string>;
  readonly dir: string;
  /** A's MAC on each link (its gratuitous ARPs). */
  readonly macA: string[] = [];
  private tshark: ChildProcess | null = null;
  private monitor: ChildProcess | null = null;
  private probe: ChildProcess | null = null;
  /** Arrival times (wall ms) of A's last adverts for eth0 VRID 1 (the live probe). */
  private readonly probeTimes: number[] = [];
  private readonly daemons = new Map<Host, Daemon>();
  /** Each daemon's VRRP process, from its pid file once written. */
  private readonly vrrpPids = new Map<Host, number>();
  private closed = false;

  constructor(
    readonly shape: Shape,
    tag: string,
  ) {
    const id = `${tag}-${process.pid}`;
    this.ns = { sw: `tsv-rb-sw-${id}`, a: `tsv-rb-a-${id}`, b: `tsv-rb-b-${id}` };
    this.dir = fs.mkdtempSync(path.join(tmpRoot, `${tag}-`));
    for (const ns of Object.values(this.ns)) {
      ourNamespaces.add(ns);
      freshNamespace(ns);
    }
    for (let k = 0; k < shape.links; k++) {
      sh(['ip', '-n', this.ns.sw, 'link', 'add', `br${k}`, 'type', 'bridge', 'mcast_snooping', '0']);
      sh(['ip', '-n', this.ns.sw, 'link', 'set', `br${k}`, 'up']);
      for (const h of ['a', 'b'] as const) {
        sh(['ip', '-n', this.ns.sw, 'link', 'add', `${h}${k}`, 'type', 'veth', 'peer', 'name', `eth${k}`, 'netns', this.ns[h]]);
        sh(['ip', '-n', this.ns.sw, 'link', 'set', `${h}${k}`, 'master', `br${k}`, 'up']);
        sh(['ip', '-n', this.ns[h], 'addr', 'add', `${hostIp(h, k)}/24`, 'dev', `eth${k}`]);
        sh(['ip', '-n', this.ns[h], 'link', 'set', `eth${k}`, 'up']);
      }
      this.macA.push(/link\/ether ([0-9a-f:]+)/.exec(sh(['ip', '-n', this.ns.a, '-o', 'link', 'show', 'dev', `eth${k}`]))?.[1] ?? '');
    }
  }

  get pcap(): string {
    return path.join(this.dir, 'wire.pcapng');
  }
  get monitorFile(): string {
    return path.join(this.dir, 'a.addr-monitor.txt');
  }

  /**
   * tshark on every bridge (VRRP and ARP) to a file; a second, live tshark on br0 that sees only A's
   * adverts for eth0 VRID 1 (the phase probe); `ip -ts monitor address` in A's namespace.
   */
  async startCapture(): Promise<void> {
    const bridges = Array.from({ length: this.shape.links }, (_, k) => ['-i', `br${k}`]).flat();
    const t = spawn('ip', ['netns', 'exec', this.ns.sw, 'tshark', '-n', '-f', 'ip proto 112 or arp', ...bridges, '-w', this.pcap], { stdio: ['ignore', 'ignore', 'pipe'] });
    ourProcesses.add(t);
    this.tshark = t;
    let stderr = '';
    t.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await this.waitFor('tshark to capture', () => {
      if (t.exitCode !== null) throw new BenchError(`tshark exited: ${stderr.trim()}`);
      return stderr.includes('Capturing on');
    }, 20_000);
    const vrid = `ip[((ip[0] & 0xf) << 2) + 1] = ${CHANGED.vrid}`;
    const probe = spawn('ip', ['netns', 'exec', this.ns.sw, 'tshark', '-l', '-n', '-i', `br${CHANGED.link}`, '-f', `ip proto 112 and src host ${hostIp('a', CHANGED.link)} and ${vrid}`, '-T', 'fields', '-e', 'frame.time_epoch'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ourProcesses.add(probe);
    this.probe = probe;
    let probeErr = '';
    let partial = '';
    probe.stderr?.on('data', (d: Buffer) => (probeErr += d.toString()));
    probe.stdout?.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (Number(l) > 0) this.probeTimes.push(Number(l) * 1000);
      this.probeTimes.splice(0, Math.max(0, this.probeTimes.length - 8));
    });
    await this.waitFor('the phase probe to capture', () => {
      if (probe.exitCode !== null) throw new BenchError(`tshark (probe) exited: ${probeErr.trim()}`);
      return probeErr.includes('Capturing on');
    }, 20_000);
    const out = fs.openSync(this.monitorFile, 'a');
    const m = spawn('ip', ['netns', 'exec', this.ns.a, 'ip', '-ts', '-o', 'monitor', 'address'], { stdio: ['ignore', out, 'ignore'] });
    fs.closeSync(out);
    ourProcesses.add(m);
    this.monitor = m;
    await sleep(300);
  }

  async stopCapture(): Promise<void> {
    for (const p of [this.tshark, this.probe, this.monitor]) {
      if (p && p.exitCode === null && p.signalCode === null) {
        p.kill('SIGINT');
        await Promise.race([exited(p), sleep(5_000)]);
      }
    }
    this.tshark = null;
    this.probe = null;
    this.monitor = null;
  }

  /** The first advert of eth0 VRID 1 at or after `tMs`, extrapolated from the probe's last ones; null without them. */
  nextAdvert(tMs: number): number | null {
    const ts = this.probeTimes;
    const last = ts[ts.length - 1];
    const first = ts[0];
    if (ts.length < 3 || last === undefined || first === undefined) return null;
    const period = (last - first) / (ts.length - 1);
    if (!(Math.abs(period - ADVERT_INT * 1000) < 100)) return null;
    return last + period * Math.max(1, Math.ceil((tMs - last) / period));
  }

  /** Start `impl` on host `h` with the config text; resolves once its VRRP process has written its pid. */
  async start(h: Host, impl: Impl, conf: string): Promise<Daemon> {
    const file = (ext: string): string => path.join(this.dir, `${h}.${ext}`);
    const [confFile, logFile, pidFile] = [file('conf'), file('log'), file('pid')];
    const vrrpPidFile = impl === 'tsvrrpd' ? pidFile : file('vrrp.pid');
    fs.writeFileSync(confFile, conf);
    const cmd =
      impl === 'tsvrrpd'
        ? [...tsvrrpdNode(), '-n', '-l', '-G', '-f', confFile, '-p', pidFile]
        : ['keepalived', '-P', '-n', '-l', '-G', '-f', confFile, '-p', pidFile, '-r', vrrpPidFile, '-c', file('chk.pid'), '-b', file('bfd.pid')];
    const out = fs.openSync(logFile, 'a');
    const proc = spawn('ip', ['netns', 'exec', this.ns[h], ...cmd], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    ourProcesses.add(proc);
    const d: Daemon = { impl, host: h, proc, conf: confFile, log: logFile, pidFile, vrrpPidFile };
    this.daemons.set(h, d);
    await this.waitFor(`${impl} on ${h.toUpperCase()} to write its pid`, () => readPid(vrrpPidFile) !== null, 15_000);
    return d;
  }

  /** Throws if a daemon started here has exited, or the VRRP process it started with has gone. */
  checkAlive(): void {
    for (const d of this.daemons.values()) {
      let how: string | null = d.proc.signalCode ?? (d.proc.exitCode !== null ? `exit ${d.proc.exitCode}` : null);
      const vrrp = this.vrrpPids.get(d.host) ?? readPid(d.vrrpPidFile);
      if (vrrp !== null) {
        this.vrrpPids.set(d.host, vrrp);
        try {
          process.kill(vrrp, 0);
        } catch {
          how ??= `its VRRP process ${vrrp} has gone`;
        }
      }
      if (how !== null) throw new BenchError(`${d.impl} on ${d.host.toUpperCase()} exited (${how})`);
    }
  }

  /** Poll `cond` (every `everyMs`) until it holds, failing as soon as a daemon dies or at the deadline. */
  async waitFor(what: string, cond: () => boolean, timeoutMs: number, everyMs = 20): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      this.checkAlive();
      if (cond()) return;
      if (Date.now() > end) throw new BenchError(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(everyMs);
    }
  }

  /** The VIPs (10.1xx.{1,2}.y/32) a host holds now. */
  vips(h: Host): Set<string> {
    const out = spawnSync('ip', ['-n', this.ns[h], '-4', '-o', 'addr', 'show'], { encoding: 'utf8', maxBuffer: 16 << 20 }).stdout ?? '';
    return new Set([...out.matchAll(VIP_RE)].map((m) => m[1] as string));
  }

  /** Stop the capture, then the daemons (SIGTERM, 5 s), then remove the namespaces; once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopCapture();
    for (const d of this.daemons.values()) {
      if (d.proc.exitCode === null && d.proc.signalCode === null) {
        d.proc.kill('SIGTERM');
        await Promise.race([exited(d.proc), sleep(5_000)]);
      }
    }
    for (const ns of Object.values(this.ns)) {
      killNamespacePids(ns);
      spawnSync('ip', ['netns', 'del', ns]);
      ourNamespaces.delete(ns);
    }
  }
}

// ---- one run: an implementation on A, one config, RELOADS reloads --------------------------------

interface Reload {
  /** SIGHUP, wall ms. */
  readonly at: number;
  /** SIGHUP → the line appearing in the log file (inotify). */
  readonly seenMs: number;
  /** tsvrrpd: SIGHUP → the timestamps of its "Reloading ..." and "Reload complete" lines, and what it reports. */
  readonly takenMs: number | null;
  readonly completeMs: number | null;
  readonly selfMs: number | null;
  readonly summary: string | null;
  /** How long before eth0 VRID 1's predicted next advert the SIGHUP was sent; null: random phase. */
  readonly leadMs: number | null;
  /** SIGHUP → old VIP deleted and new VIP added, both (kernel events); null if not both seen. */
  swapMs: number | null;
  readonly notes: string[];
}

interface Wire {
  /** Largest lateness in the reload window (ms), and where. */
  lateMs: number;
  lateAt: string;
  /** Smallest interval − advert_int in the window (negative: an advert early). */
  earlyMs: number;
  steadyLateMs: number;
  prio0: number;
  peerAdverts: number;
  garps: number;
  garpsNewVip: number;
}

interface Run {
  readonly impl: Impl;
  readonly shape: Shape;
  readonly reloads: (Reload & Wire & { peerMaster: number })[];
  readonly notes: string[];
}

interface Frame {
  t: number;
  ipSrc: string;
  vrid: number;
  prio: number | null;
  arpOp: number | null;
  arpSpa: string;
  arpTpa: string;
  ethSrc: string;
}

function readFrames(pcap: string): Frame[] {
  const fields = ['frame.time_epoch', 'ip.src', 'vrrp.virt_rtr_id', 'vrrp.prio', 'arp.opcode', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'eth.src'];
  const r = spawnSync('tshark', ['-n', '-r', pcap, '-Y', 'vrrp or arp', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new BenchError(`tshark -r ${pcap}: ${r.stderr.trim()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [t, ipSrc, vrid, prio, op, spa, tpa, ethSrc] = l.split(',');
      return { t: Number(t), ipSrc: ipSrc ?? '', vrid: Number(vrid || 0), prio: prio ? Number(prio) : null, arpOp: op ? Number(op) : null, arpSpa: spa ?? '', arpTpa: tpa ?? '', ethSrc: ethSrc ?? '' };
    })
    .sort((x, y) => x.t - y.t);
}

/** `[2026-12-02T06:28:47.508802] Deleted 3: eth0    inet 10.100.1.1/32 …` (local time, µs). */
function readAddressEvents(file: string): { t: number; deleted: boolean; ip: string }[] {
  const events: { t: number; deleted: boolean; ip: string }[] = [];
  for (const line of readFrom(file, 0).split('\n')) {
    const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?\] (Deleted )?\d+: \S+\s+inet (\d+\.\d+\.\d+\.\d+)\//.exec(line);
    if (m) events.push({ t: new Date(m[1] as string).getTime() + Number(m[2] ?? 0) * 1000, deleted: m[3] !== undefined, ip: m[4] as string });
  }
  return events;
}

/** The wire in one reload window: A's adverts per (link, VRID), priority 0, B's adverts, A's GARPs. */
function wireOf(frames: Frame[], shape: Shape, atMs: number, newVip: string, macA: string[]): Wire {
  const h = atMs / 1000;
  const linkOfA = new Map(Array.from({ length: shape.links }, (_, k) => [hostIp('a', k), k] as const));
  const ipsB = new Set(Array.from({ length: shape.links }, (_, k) => hostIp('b', k)));
  const [lo, hi] = [h + WINDOW.from, h + WINDOW.to];
  const [slo, shi] = [h + STEADY.from, h + STEADY.to];
  const w: Wire = { lateMs: -Infinity, lateAt: '', earlyMs: Infinity, steadyLateMs: -Infinity, prio0: 0, peerAdverts: 0, garps: 0, garpsNewVip: 0 };
  const byVrid = new Map<string, number[]>();
  for (const f of frames) {
    const link = linkOfA.get(f.ipSrc);
    const inWindow = f.t >= lo && f.t <= hi;
    if (f.prio !== null && link !== undefined) {
      if (f.prio === 0) {
        if (inWindow) w.prio0++;
      } else {
        const key = `eth${link} VRID ${f.vrid}`;
        const ts = byVrid.get(key) ?? [];
        ts.push(f.t);
        byVrid.set(key, ts);
      }
    } else if (f.prio !== null && ipsB.has(f.ipSrc)) {
      if (inWindow) w.peerAdverts++;
    } else if (f.arpOp === 1 && f.arpSpa === f.arpTpa && macA.includes(f.ethSrc) && f.t >= h && f.t <= hi) {
      w.garps++;
      if (f.arpSpa === newVip) w.garpsNewVip++;
    }
  }
  for (const [key, ts] of byVrid) {
    for (let i = 0; i < ts.length; i++) {
      const p = ts[i] as number;
      const q = ts[i + 1];
      // An interval overlapping the window; the last advert's open interval runs to the window's end.
      if (q === undefined) {
        if (p < hi && hi - p - ADVERT_INT > w.lateMs / 1000) [w.lateMs, w.lateAt] = [(hi - p - ADVERT_INT) * 1000, `${key}, no advert after`];
        continue;
      }
      const late = (q - p - ADVERT_INT) * 1000;
      if (q > lo && p < hi) {
        if (late > w.lateMs) [w.lateMs, w.lateAt] = [late, key];
        w.earlyMs = Math.min(w.earlyMs, late);
      }
      if (p >= slo && q <= shi) w.steadyLateMs = Math.max(w.steadyLateMs, late);
    }
  }
  if (byVrid.size !== count(shape)) w.lateAt += ` (adverts from ${byVrid.size} of ${count(shape)} instances captured)`;
  return w;
}

/** ISO timestamp (ms) of the first line in `text` matching `re`, minus `atMs`; null if none. */
function lineTimeMs(text: string, re: RegExp, atMs: number): number | null {
  const line = text.split('\n').find((l) => re.test(l));
  const t = line === undefined ? NaN : Date.parse(line.split(' ')[0] ?? '');
  return Number.isFinite(t) ? t - atMs : null;
}

async function reloadRun(impl: Impl, shape: Shape): Promise<Run> {
  const n = count(shape);
  const lab = new ReloadLab(shape, `${impl === 'tsvrrpd' ? 't' : 'k'}${shape.links}`);
  const run: Run = { impl, shape, reloads: [], notes: [] };
  const reloads: Reload[] = [];
  const peerMaster: number[] = [];
  try {
    await lab.startCapture();
    const a = await lab.start('a', impl, confText(shape, 'a', false));
    progress(`${impl} ×${n}: A started; waiting for it to be MASTER of all ${n} instances`);
    await lab.waitFor(`${impl} A to hold all ${n} VIPs`, () => lab.vips('a').size === n, 90_000, 200);
    const b = await lab.start('b', 'keepalived', confText(shape, 'b', false));
    const backupLines = (): number => (readFrom(b.log, 0).match(/Entering BACKUP STATE/g) ?? []).length;
    await lab.waitFor(`keepalived B to be BACKUP of all ${n} instances`, () => backupLines() >= n, 60_000, 100);
    progress(`${impl} ×${n}: B is BACKUP of all; ${SETTLE_SEC} s of steady state, then ${RELOADS} reloads ${SPACING_SEC} s apart`);
    const masterLines = (): number => (readFrom(b.log, 0).match(/Entering MASTER STATE/g) ?? []).length;
    let bMasterSoFar = masterLines();
    if (bMasterSoFar > 0) run.notes.push(`${impl} ×${n}: B entered MASTER ${bMasterSoFar} time(s) before the first reload`);
    const vrrpPid = readPid(a.vrrpPidFile);
    // Nothing the bench runs (`ip`, file writes) falls in a reload's window or in the steady state
    // before it: the checks run after the previous window, ≥ 4 s before the next steady state.
    let nextAt = wallMs() + SETTLE_SEC * 1000;
    for (let i = 1; i <= RELOADS; i++) {
      const changed = i % 2 === 1;
      const [oldVip, newVip] = [vipOf(CHANGED.link, CHANGED.vrid, !changed), vipOf(CHANGED.link, CHANGED.vrid, changed)];
      const [va, vb] = [lab.vips('a'), lab.vips('b')];
      if (va.size !== n || !va.has(oldVip) || vb.size !== 0) throw new BenchError(`${impl} ×${n}: before reload ${i}, A holds ${va.size} VIPs (${oldVip}: ${va.has(oldVip)}) and B ${vb.size}`);
      fs.writeFileSync(a.conf, confText(shape, 'a', changed));
      const offset = fileSize(a.log);
      const mainPid = readPid(a.pidFile) as number;
      await sleep(Math.max(0, nextAt - wallMs()));
      const aimAt = LEAD_MS === null ? null : lab.nextAdvert(wallMs() + LEAD_MS + 5);
      if (LEAD_MS !== null && aimAt === null) run.notes.push(`reload ${i}: the probe saw too few adverts of eth0 VRID ${CHANGED.vrid}; sent at a random phase`);
      await sleep(Math.max(0, aimAt === null ? Math.random() * 1_000 : aimAt - (LEAD_MS ?? 0) - wallMs()));
      const at = wallMs();
      process.kill(mainPid, 'SIGHUP');
      const { seenMs, text } = await waitLogLine(a.log, offset, /Reload complete|Reload failed|keeping the running configuration/, 30_000);
      if (!/Reload complete/.test(text)) throw new BenchError(`${impl} ×${n}: reload ${i} failed:\n${text.trim()}`);
      const self = /\(applied in ([\d.]+) ms\)/.exec(text);
      const r: Reload = {
        at,
        seenMs: seenMs - at,
        takenMs: impl === 'tsvrrpd' ? lineTimeMs(text, /Reloading \.\.\./, at) : null,
        completeMs: impl === 'tsvrrpd' ? lineTimeMs(text, /Reload complete/, at) : null,
        selfMs: self ? Number(self[1]) : null,
        summary: /(Reload: \d+ instances? kept[^(]*)/.exec(text)?.[1]?.trim() ?? null,
        leadMs: aimAt === null ? null : aimAt - at,
        swapMs: null,
        notes: [],
      };
      reloads.push(r);
      // The rest of the window; then A must hold the new VIP and not the old one.
      await sleep(Math.max(0, at + WINDOW.to * 1000 + 500 - wallMs()));
      lab.checkAlive();
      const after = lab.vips('a');
      if (!after.has(newVip) || after.has(oldVip) || after.size !== n) throw new BenchError(`${impl} ×${n}: after reload ${i}, A holds ${after.size} VIPs (${newVip}: ${after.has(newVip)}, ${oldVip}: ${after.has(oldVip)})`);
      if (readPid(a.vrrpPidFile) !== vrrpPid) r.notes.push(`the VRRP process changed: ${vrrpPid} → ${readPid(a.vrrpPidFile)}`);
      peerMaster.push(masterLines() - bMasterSoFar);
      bMasterSoFar = masterLines();
      progress(`${impl} ×${n}: reload ${i}/${RELOADS} applied in ${appliedMs(r).toFixed(1)} ms${r.selfMs !== null ? ` (self-reported ${r.selfMs} ms)` : ''}`);
      nextAt = at + SPACING_SEC * 1000;
    }
    await sleep(1_000);
    lab.checkAlive();
    await lab.close(); // the daemons stopped before the pcap is read

    const frames = readFrames(lab.pcap);
    const events = readAddressEvents(lab.monitorFile);
    for (const [i, r] of reloads.entries()) {
      const changed = (i + 1) % 2 === 1;
      const [oldVip, newVip] = [vipOf(CHANGED.link, CHANGED.vrid, !changed), vipOf(CHANGED.link, CHANGED.vrid, changed)];
      const del = events.find((e) => e.deleted && e.ip === oldVip && e.t >= r.at);
      const add = events.find((e) => !e.deleted && e.ip === newVip && e.t >= r.at);
      r.swapMs = del && add ? Math.max(del.t, add.t) - r.at : null;
      const others = events.filter((e) => e.t >= r.at && e.t <= r.at + WINDOW.to * 1000 && e.ip !== oldVip && e.ip !== newVip);
      if (others.length > 0) r.notes.push(`${others.length} other address event(s) in A's namespace in the window (${others.slice(0, 3).map((e) => `${e.deleted ? 'del' : 'add'} ${e.ip}`).join(', ')}…)`);
      run.reloads.push({ ...r, ...wireOf(frames, shape, r.at, newVip, lab.macA), peerMaster: peerMaster[i] ?? 0 });
    }
    return run;
  } catch (e) {
    if (e instanceof BenchError) e.message += `\n--- A's log ---\n${tail(path.join(lab.dir, 'a.log'))}\n--- B's log ---\n${tail(path.join(lab.dir, 'b.log'), 5)}`;
    throw e;
  } finally {
    await lab.close();
  }
}

function progress(msg: string): void {
  process.stderr.write(`bench:reload: ${msg}\n`);
}

// ---- the table ----------------------------------------------------------------------------------

const maxOf = (xs: number[]): number => (xs.length === 0 ? NaN : Math.max(...xs));
const fmtMs = (x: number, d = 1): string => (Number.isFinite(x) ? `${x.toFixed(d)} ms` : 'n/a');
const medMax = (xs: number[], d = 1): string => `${fmtMs(median(xs), d)} / ${fmtMs(maxOf(xs), d)}`;
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

/** The applied time the table uses: tsvrrpd's own "Reload complete" timestamp, keepalived's line as seen. */
const appliedMs = (r: Reload): number => r.completeMs ?? r.seenMs;

function verdict(run: Run): string {
  if (run.impl !== 'tsvrrpd') return 'reference';
  const misses: string[] = [];
  if (!(maxOf(run.reloads.map(appliedMs)) <= TARGET.appliedMs)) misses.push('applied');
  if (!(maxOf(run.reloads.map((r) => r.lateMs)) <= TARGET.lateMs)) misses.push('late advert');
  if (run.reloads.some((r) => r.prio0 + r.peerAdverts + r.peerMaster > 0)) misses.push('transition');
  return misses.length === 0 ? 'PASS' : `MISS (${misses.join(', ')})`;
}

function detail(run: Run): string[] {
  return run.reloads.map((r, i) => {
    const ts = run.impl === 'tsvrrpd' ? `"Reloading ..." ${fmtMs(r.takenMs ?? NaN)}, "Reload complete" ${fmtMs(r.completeMs ?? NaN)} (its timestamps), ` : '';
    const self = r.selfMs !== null ? `, self-reported ${r.selfMs} ms` : '';
    return (
      `  ${run.impl} ×${count(run.shape)} #${i + 1}: ${r.leadMs === null ? 'random phase' : `${fmtMs(r.leadMs)} before eth0 VRID ${CHANGED.vrid}'s advert`}; ${ts}line seen ${fmtMs(r.seenMs)}${self}; VIP swapped ${fmtMs(r.swapMs ?? NaN)}; ` +
      `lateness max ${fmtMs(r.lateMs, 2)} (${r.lateAt}), earliest ${fmtMs(r.earlyMs, 2)}, steady state ${fmtMs(r.steadyLateMs, 2)}; ` +
      `prio-0 ${r.prio0}, B adverts ${r.peerAdverts}, B MASTER ${r.peerMaster}; GARPs ${r.garps} (${r.garpsNewVip} for the new VIP)` +
      `${r.summary ? `; "${r.summary}"` : ''}${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`
    );
  });
}

function summaryRow(run: Run, kaVersion: string): string {
  const rs = run.reloads;
  const name = run.impl === 'keepalived' ? `keepalived ${kaVersion}` : 'tsvrrpd';
  const how = run.impl === 'tsvrrpd' ? '(its log timestamps)' : '(line seen, inotify)';
  return row([
    name,
    shapeName(run.shape),
    String(rs.length),
    `${medMax(rs.map(appliedMs))} ${how}`,
    medMax(rs.map((r) => r.swapMs ?? NaN)),
    `${fmtMs(maxOf(rs.map((r) => r.lateMs)), 2)} / ${fmtMs(maxOf(rs.map((r) => r.steadyLateMs)), 2)}`,
    fmtMs(Math.min(...rs.map((r) => r.earlyMs)), 2),
    `${rs.reduce((s, r) => s + r.prio0, 0)} / ${rs.reduce((s, r) => s + r.peerAdverts, 0)} / ${rs.reduce((s, r) => s + r.peerMaster, 0)}`,
    rs.map((r) => `${r.garps}`).join(', '),
    verdict(run),
  ]);
}

async function main(): Promise<number> {
  const missing =
    process.getuid?.() !== 0 ? 'root (network namespaces)' : !have('tshark') ? 'tshark' : !have('keepalived') ? 'keepalived (the BACKUP peer; bash scripts/setup.sh)' : !fs.existsSync(ADDON) ? 'the native addon (npm ci)' : !fs.existsSync(CLI) ? 'a build (npx tsc -p tsconfig.json)' : null;
  if (missing) {
    process.stderr.write(`bench:reload: cannot run: needs ${missing}\n`);
    return 1;
  }
  const only = process.env['BENCH_ONLY'];
  const impls: Impl[] = only === 'keepalived' || only === 'tsvrrpd' ? [only] : ['keepalived', 'tsvrrpd'];
  const forced = process.env['BENCH_SHAPE'] === '4x250' ? FULL : process.env['BENCH_SHAPE'] === '1x250' ? ONE_LINK : null;
  const kaVersion = /Keepalived (v[\d.]+)/.exec(spawnSync('keepalived', ['--version'], { encoding: 'utf8' }).stderr)?.[1] ?? '?';
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-rb-'));
  const started = Date.now();
  const runs: Run[] = [];
  const notes: string[] = [];
  const failed: string[] = [];
  const attempt = async (impl: Impl, shape: Shape): Promise<boolean> => {
    progress(`${impl} on A, ${shapeName(shape)} instances, keepalived BACKUP on B`);
    try {
      runs.push(await reloadRun(impl, shape));
      return true;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      notes.push(`${impl} did not run ${shapeName(shape)} instances: ${msg}`);
      progress(`${impl} did not run ${shapeName(shape)} instances: ${msg.split('\n')[0] ?? ''}`);
      return false;
    }
  };
  const fellBack: Impl[] = [];
  for (const impl of impls) {
    if (forced) {
      if (!(await attempt(impl, forced))) failed.push(impl);
    } else if (!(await attempt(impl, FULL))) {
      fellBack.push(impl);
      if (!(await attempt(impl, ONE_LINK))) failed.push(impl);
    }
  }
  // Like for like: whoever ran 1 000 is also run with the 250 an implementation fell back to.
  if (!forced && fellBack.length > 0) {
    for (const impl of impls) {
      if (!fellBack.includes(impl) && !failed.includes(impl)) {
        notes.push(`${impl} also run with ${shapeName(ONE_LINK)} instances, for comparison with ${fellBack.join(', ')}`);
        await attempt(impl, ONE_LINK);
      }
    }
  }

  const head = [
    'A runs',
    'instances',
    'reloads',
    'SIGHUP → "Reload complete", median / max',
    'SIGHUP → VIP swapped (kernel), median / max',
    'max advert lateness: reload window / steady state',
    'earliest advert (interval − 1 s)',
    'prio-0 adverts / B adverts / B MASTER',
    'GARPs from A per reload',
    `target (tsvrrpd: ≤ ${TARGET.appliedMs} ms, ≤ ${TARGET.lateMs} ms late, no transition)`,
  ];
  const lines = [row(head), row(head.map(() => '---')), ...runs.map((r) => summaryRow(r, kaVersion))];
  process.stdout.write(
    `\nbench:reload: SIGHUP of A (MASTER, prio 150) with one VIP changed, B = keepalived ${kaVersion} BACKUP (prio 100), advert_int ${ADVERT_INT}; ` +
      `${RELOADS} reloads each, ${os.cpus().length} cores, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  const phase = LEAD_MS === null ? 'at a random phase' : `${LEAD_MS} ms before eth0 VRID ${CHANGED.vrid}'s next advert`;
  process.stdout.write(
    `SIGHUP ${phase}; window [SIGHUP − ${-WINDOW.from} s, SIGHUP + ${WINDOW.to} s], steady state [SIGHUP − ${-STEADY.from} s, SIGHUP − ${-STEADY.to} s]; ` +
      `lateness = largest interval between A's adverts of one VRID − advert_int (tshark on the bridges)\n\n`,
  );
  for (const run of runs) for (const l of detail(run)) process.stdout.write(`${l}\n`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
  if (fellBack.includes('tsvrrpd')) notes.unshift(`tsvrrpd fell back to ${shapeName(ONE_LINK)} instances (issue 11: it aborts above ~256 instances)`);
  for (const run of runs) notes.push(...run.notes);
  for (const note of notes) process.stdout.write(`note: ${note.replace(/\n/g, '\n      ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

runBenchMain('bench:reload', main, cleanupSync);
