/**
 * A small harness for black-box end-to-end scenarios on the real kernel, runnable against
 * tsvrrpd or keepalived 2.2.7 (the reference) with the same expectations:
 *
 *  - `new E2eLab('tsv-tr')` + `await build({ a: '10.78.0.1', b: '10.78.0.2', c: '10.78.0.50' })`:
 *    a bridge LAN of network namespaces (one per node plus the bridge's, via
 *    buildBridgeLan in ./netns), each node's `eth0` a port of the bridge; `addLan()` adds
 *    more LANs (eth1, …) to existing nodes. Names are `<prefix>-<key>-<pid>`, so parallel
 *    test files never collide.
 *  - `start(node, name, conf, { env })`: writes the config, starts the selected implementation
 *    in the node's namespace (`TSV_E2E_IMPL=keepalived` or `tsvrrpd`, the default) with console
 *    logging to `<dir>/<name>.log` (`name` may lead with a `subdir()`); the returned `E2eDaemon`
 *    reads its log, waits for lines, stops it (SIGTERM, waiting for keepalived's VRRP child too;
 *    `stopWithin()` makes a slow stop a failure) or kills it (SIGKILL). `startAThenB()` starts
 *    nodes a and b in that order; `startPair()` also waits for A to win the election.
 *  - `vrrpInstance()`, `vrrpScript()`, `trackFile()`, `SCRIPT_SECURITY`: keepalived config text.
 *  - `hasVip(node, vip)`, `link(node, iface, 'up'|'down')`, `exec(node, args)`, `ping()`,
 *    `spawnIn(node, name, args)` for helper processes (cleaned up like the daemons).
 *  - `checkScript(name)`: a root-owned 0755 shell script for `vrrp_script` whose result the
 *    test toggles with flag files: `fail()`, `ok()`, `hang()` (runs a uniquely named `sleep
 *    100`, found later with `hangingSleeps()`).
 *  - `capture(lan)`: live tshark on a LAN's bridge, decoding every VRRP advert (epoch time,
 *    source, destination, VRID, priority, TTL) as it arrives; `lab.waitAdvert()` polls it;
 *    `assertTakeover()` checks a takeover in what it captured.
 *  - `waitFor` / `holdsFor`: polling with a deadline, failures carry every daemon's log.
 *  - `hostLink(node, …)`: a veth pair from the root namespace to a node (for a server the test
 *    runs in its own process); `defer(fn)`: more cleanup (sockets, servers).
 *  - `cleanup()` (call it from after()): kills every process still running in the lab's
 *    namespaces (daemons, script children), stops captures, runs what was deferred, deletes the
 *    namespaces, host links and the temporary directory (kept when TSV_KEEP_LOGS is set, its
 *    path printed).
 *
 * A test file holds its labs in one of two ways, each of which registers the after() hook that
 * removes whatever is left: `ScenarioLabs` (a lab per test, removed when the test ends) or
 * `SideBySide` (keepalived and tsvrrpd each on a lab of its own, both at once, built in
 * before(), for files that compare the two implementations' records).
 *
 * Both implementations are run with keepalived's command line: tsvrrpd as
 * `node dist/src/cli.js -n -l -G -D -f CONF -p PID`, keepalived as
 * `keepalived -n -l -G -D -P -f CONF -p PID -r VRRPPID -c CHKPID -b BFDPID` (VRRP only,
 * console log, no syslog). Configs that run scripts should include `SCRIPT_SECURITY`.
 */
import { after, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addBridge, addBridgePort, buildBridgeLan, exited, have, killNamespacePids, pidExists, readPid, sh, sleep, waitFor, within } from './netns';
import { tsvrrpdNode } from './tsvrrpd-command';

export type Impl = 'tsvrrpd' | 'keepalived';
/** Both implementations, keepalived (the reference) first. */
export const ALL_IMPLS: readonly Impl[] = ['keepalived', 'tsvrrpd'];

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const ADDON = path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node');

/** The implementation under test: `TSV_E2E_IMPL=keepalived` selects keepalived; tsvrrpd otherwise. */
export function e2eImpl(): Impl {
  return process.env.TSV_E2E_IMPL === 'keepalived' ? 'keepalived' : 'tsvrrpd';
}

/**
 * The implementations a side-by-side file runs: both, unless `TSV_E2E_IMPL` selects one;
 * none for any other value (e2eSkipReason() then says why).
 */
export function e2eImpls(): readonly Impl[] {
  const selected = process.env.TSV_E2E_IMPL;
  return selected === undefined || selected === '' ? ALL_IMPLS : ALL_IMPLS.filter((i) => i === selected);
}

/** What a file needs beyond root and the implementations it runs. */
export interface E2eNeeds {
  /** tshark (default true). */
  readonly tshark?: boolean;
  /** Files of the build it runs besides the daemon (e.g. a helper compiled to dist). */
  readonly built?: readonly string[];
}

/** Why these scenarios cannot run here (for `test(..., { skip })`), or false. */
export function e2eSkipReason(impls: Impl | readonly Impl[] = e2eImpl(), needs: E2eNeeds = {}): string | false {
  const list: readonly Impl[] = typeof impls === 'string' ? [impls] : impls;
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (list.length === 0) return `TSV_E2E_IMPL must be keepalived or tsvrrpd (got ${JSON.stringify(process.env.TSV_E2E_IMPL)})`;
  if (needs.tshark !== false && !have('tshark')) return 'needs tshark (scripts/setup.sh)';
  if (list.includes('keepalived') && !have('keepalived')) return `${list.length === 1 ? 'TSV_E2E_IMPL=keepalived ' : ''}needs keepalived (scripts/setup.sh)`;
  if (list.includes('tsvrrpd') && !fs.existsSync(ADDON)) return 'needs the native addon (npm ci)';
  if (list.includes('tsvrrpd') && !fs.existsSync(CLI)) return 'needs the build (npx tsc -p tsconfig.json)';
  if ((needs.built ?? []).some((f) => !fs.existsSync(f))) return 'needs the build (npx tsc -p tsconfig.json)';
  return false;
}

/** Added to every RFC-derived deadline (process start-up, polling, a script run). */
export const SLACK = 3_000;
/** Allowed error on a timer measured on the wire. */
export const EPS = 50;

/** A measurement for the test output (stderr, `# [impl] msg`): not an assertion. */
export function note(msg: string): void {
  process.stderr.write(`# [${e2eImpl()}] ${msg}\n`);
}

/**
 * `global_defs` for configs with scripts: script security on, scripts run as root. Both
 * implementations then accept the lab's scripts (root-owned, in 0755 directories) without a
 * SECURITY VIOLATION warning.
 */
export const SCRIPT_SECURITY = 'global_defs {\n enable_script_security\n script_user root\n}\n';

/** A `vrrp_instance` block for `vrrpInstance()`. */
export interface InstanceSpec {
  /** Default VI_1. */
  readonly name?: string;
  /** Default BACKUP. */
  readonly state?: 'MASTER' | 'BACKUP';
  /** Default eth0. */
  readonly iface?: string;
  readonly vrid: number;
  readonly prio: number;
  /** Seconds, default 1. */
  readonly advertInt?: number;
  /** PASS password (default 's3cr3t'); null for no authentication block. */
  readonly authPass?: string | null;
  /** Virtual addresses; `/24` is added to those without a prefix length. */
  readonly vips: readonly string[];
  /** More lines inside the block (nopreempt, track_script { … }, notify …), each ending in \n. */
  readonly extra?: string;
}

/** keepalived config text for one `vrrp_instance`. */
export function vrrpInstance(i: InstanceSpec): string {
  const auth = i.authPass === null ? '' : ` authentication {\n  auth_type PASS\n  auth_pass ${i.authPass ?? 's3cr3t'}\n }\n`;
  const vips = i.vips.map((v) => `  ${v.includes('/') ? v : `${v}/24`}\n`).join('');
  return (
    `vrrp_instance ${i.name ?? 'VI_1'} {\n state ${i.state ?? 'BACKUP'}\n interface ${i.iface ?? 'eth0'}\n virtual_router_id ${i.vrid}\n` +
    ` priority ${i.prio}\n advert_int ${i.advertInt ?? 1}\n${auth} virtual_ipaddress {\n${vips} }\n${i.extra ?? ''}}\n`
  );
}

/** `;`-separated options ('interval 1; weight -60') as the lines of a block. */
function optionLines(options: string): string {
  return options
    .split(';')
    .map((o) => o.trim())
    .filter((o) => o.length > 0)
    .map((o) => ` ${o}\n`)
    .join('');
}

/** keepalived config text for a `vrrp_script`; `options` are `;`-separated lines, e.g. 'interval 1; weight -60'. */
export function vrrpScript(name: string, file: string, options: string): string {
  return `vrrp_script ${name} {\n script "${file}"\n${optionLines(options)}}\n`;
}

/** keepalived config text for a `track_file`; `options` are `;`-separated lines, e.g. 'weight -10'. */
export function trackFile(name: string, file: string, options: string): string {
  return `track_file ${name} {\n file ${file}\n${optionLines(options)}}\n`;
}

/** RFC 3768 §6.1 Skew_Time in ms for a priority. */
export const skewMs = (prio: number): number => ((256 - prio) / 256) * 1000;
/** RFC 3768 §6.1 Master_Down_Interval in ms for a priority (advert_int in seconds, default 1). */
export const masterDownMs = (prio: number, advertInt = 1): number => 3 * advertInt * 1000 + skewMs(prio);

/**
 * A takeover on the wire, advert_int 1 (RFC 3768 §6.1): in `adverts` (of one VRID), the first
 * from `newSrc` comes Master_Down_Interval(`prio`) after the last from `oldSrc` before it
 * (−50 ms, +1 s), and `newSrc` advertises priority `prio` at least `minAdverts` times, never
 * more than 1.5 s apart. `during` ends the messages ("while …").
 */
export function assertTakeover(
  adverts: readonly WireAdvert[],
  o: { readonly impl: Impl; readonly oldSrc: string; readonly newSrc: string; readonly prio: number; readonly minAdverts: number; readonly during: string },
): void {
  const first = adverts.find((a) => a.src === o.newSrc);
  assert.ok(first, `${o.impl} advertised as master (${adverts.length} adverts captured)`);
  const last = adverts.filter((a) => a.src === o.oldSrc && a.time < first.time).pop();
  assert.ok(last, "the peer's adverts were captured");
  const gap = (first.time - last.time) * 1000;
  const mdi = masterDownMs(o.prio);
  assert.ok(gap >= mdi - 50 && gap <= mdi + 1_000, `§6.1 ${o.impl} took over ${gap.toFixed(0)} ms after the peer's last advert (Master_Down_Interval ${mdi.toFixed(0)} ms, + 1 s margin) ${o.during}`);
  const mine = adverts.filter((a) => a.src === o.newSrc && a.prio === o.prio);
  assert.ok(mine.length >= o.minAdverts, `${o.impl} kept advertising as master (${mine.length} adverts)`);
  for (let n = 1; n < mine.length; n++) {
    const dt = ((mine[n] as WireAdvert).time - (mine[n - 1] as WireAdvert).time) * 1000;
    assert.ok(dt <= 1_500, `${o.impl}: adverts ${dt.toFixed(0)} ms apart ${o.during} (advert_int 1 s)`);
  }
}

/** One VRRP advert seen on the wire. */
export interface WireAdvert {
  /** Capture time, seconds since the epoch (same clock as Date.now() / 1000). */
  readonly time: number;
  readonly src: string;
  readonly dst: string;
  readonly vrid: number;
  readonly prio: number;
  readonly ttl: number;
}

/** A live tshark capture of VRRP adverts on one LAN's bridge. */
export class AdvertCapture {
  readonly adverts: WireAdvert[] = [];
  private buffered = '';

  constructor(
    readonly proc: ChildProcess,
    private readonly textFile: string,
  ) {
    proc.stdout?.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) this.parse(line);
    });
  }

  private parse(line: string): void {
    if (line.trim() === '') return;
    fs.appendFileSync(this.textFile, `${line}\n`);
    const [time, src, dst, vrid, prio, ttl] = line.split(',');
    if (!time || !src) return;
    this.adverts.push({ time: Number(time), src, dst: dst ?? '', vrid: Number(vrid), prio: Number(prio), ttl: Number(ttl) });
  }

  /** Adverts matching `filter`, optionally only those captured after `sinceMs` (Date.now() scale). */
  find(filter: Partial<Pick<WireAdvert, 'src' | 'vrid' | 'prio'>>, sinceMs = 0): WireAdvert[] {
    return this.adverts.filter(
      (a) =>
        a.time * 1000 >= sinceMs &&
        (filter.src === undefined || a.src === filter.src) &&
        (filter.vrid === undefined || a.vrid === filter.vrid) &&
        (filter.prio === undefined || a.prio === filter.prio),
    );
  }

  /** A readable dump of the last `n` adverts, for assertion messages. */
  tail(n = 20): string {
    return this.adverts
      .slice(-n)
      .map((a) => `${a.time.toFixed(3)} ${a.src} -> ${a.dst} vrid ${a.vrid} prio ${a.prio} ttl ${a.ttl}`)
      .join('\n');
  }

  /** Stop tshark (SIGINT, so it flushes), waiting for the last lines. */
  async stop(): Promise<WireAdvert[]> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGINT');
      await exited(this.proc);
    }
    if (this.buffered) this.parse(this.buffered);
    this.buffered = '';
    return this.adverts;
  }
}

/** A daemon (tsvrrpd or keepalived) running in one node's namespace. */
export class E2eDaemon {
  constructor(
    readonly impl: Impl,
    readonly node: string,
    /** The node's namespace. */
    readonly ns: string,
    readonly name: string,
    readonly proc: ChildProcess,
    readonly confFile: string,
    readonly logFile: string,
    /** The pid file of the process that runs VRRP (keepalived's -r child; tsvrrpd's -p). */
    readonly vrrpPidFile: string,
    /** Every pid file the daemon may write (cleanup kills what they name). */
    readonly pidFiles: readonly string[],
  ) {}

  /** The whole log so far (stdout and stderr). */
  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /** Log lines matching `re`. */
  lines(re: RegExp): string[] {
    return this.log()
      .split('\n')
      .filter((l) => re.test(l));
  }

  /** How many times `re` matches in the whole log. */
  count(re: RegExp): number {
    return (this.log().match(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`)) ?? []).length;
  }

  /** The last `n` non-empty log lines under a heading, for failure messages. */
  tail(n = 40): string {
    const lines = this.log()
      .split('\n')
      .filter((l) => l.length > 0);
    return `--- ${this.impl} log ${this.logFile} ---\n${lines.slice(-n).join('\n')}`;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  vrrpPid(): number | null {
    return readPid(this.vrrpPidFile);
  }

  /** Wait until the VRRP process has written its pid file (it is up and reading its config); that pid. */
  async waitStarted(timeoutMs = 10_000): Promise<number> {
    const start = Date.now();
    let pid = this.vrrpPid();
    while (pid === null) {
      if (!this.running) throw new Error(`${this.impl} on ${this.node} exited (${this.proc.exitCode}) before starting:\n${this.log()}`);
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${this.impl} on ${this.node} to start:\n${this.log()}`);
      await sleep(20);
      pid = this.vrrpPid();
    }
    return pid;
  }

  /** Wait for the `count`th log line matching `re` (1 = the first ever); the ms it took. */
  async waitLog(re: RegExp, timeoutMs: number, count = 1): Promise<number> {
    const start = Date.now();
    while (this.lines(re).length < count) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${this.impl} on ${this.node} to log ${re} (#${count}):\n${this.log()}`);
      await sleep(20);
    }
    return Date.now() - start;
  }

  /** Send a signal to the daemon's main process (keepalived's parent passes SIGHUP, SIGUSR1, … to its VRRP child). */
  signal(sig: NodeJS.Signals): void {
    if (this.running) this.proc.kill(sig);
  }

  /** SIGTERM (graceful: VIPs released, priority-0 advert from a master); waits for every process to exit. */
  async stop(timeoutMs = 5_000): Promise<void> {
    const vrrp = this.vrrpPid();
    if (this.running) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
      await exited(this.proc);
      clearTimeout(timer);
    }
    if (vrrp !== null) {
      const start = Date.now();
      while (pidExists(vrrp) && Date.now() - start < timeoutMs) await sleep(20);
      if (pidExists(vrrp)) process.kill(vrrp, 'SIGKILL');
    }
  }

  /**
   * SIGTERM, after which the daemon must be gone within `withinMs` (an assertion; its message
   * lists what still runs in the namespace) and its VRRP process 5 s later at the most; the ms
   * the daemon took.
   */
  async stopWithin(withinMs = 10_000): Promise<number> {
    const vrrp = this.vrrpPid();
    const t0 = Date.now();
    this.proc.kill('SIGTERM');
    const done = await within(exited(this.proc), withinMs);
    assert.ok(done, `${this.impl} exits within ${withinMs} ms of SIGTERM; still in its namespace:\n${nsProcs(this.ns)}`);
    if (vrrp !== null) await waitFor(`${this.impl}'s VRRP process ${vrrp} to exit`, () => !pidExists(vrrp), 5_000);
    return Date.now() - t0;
  }

  /** SIGKILL every process of the daemon (a crash: VIPs stay). */
  async kill(): Promise<void> {
    for (const f of this.pidFiles) {
      const pid = readPid(f);
      if (pid !== null && pidExists(pid)) process.kill(pid, 'SIGKILL');
    }
    if (this.running) this.proc.kill('SIGKILL');
    await exited(this.proc);
  }
}

/** A check script for `vrrp_script`, toggled by flag files. */
export interface CheckScript {
  /** Absolute path, for `script "<path>"`. */
  readonly path: string;
  /** From now on the script exits 1. */
  fail(): void;
  /** From now on the script exits 0 (clears fail and hang). */
  ok(): void;
  /** From now on the script runs `<sleepPath> 100` (hangs) before its verdict. */
  hang(): void;
  /** How many times the script has started so far. */
  runs(): number;
}

/** `pid command line` of every process in a namespace (for failure messages). */
function nsProcs(ns: string): string {
  const pids = (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((x) => x.length > 0);
  const cmdline = (pid: string): string => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  return pids.map((pid) => `  ${pid} ${cmdline(pid).split('\0').join(' ').trim()}`).join('\n');
}

interface LanInfo {
  readonly bridgeNs: string;
  readonly iface: string;
  readonly ips: Record<string, string>;
}

/** A lab of namespaces on one or more bridge LANs; see the file comment. */
export class E2eLab {
  /** A root-owned 0755 temporary directory: configs, logs, scripts, captures. */
  readonly dir: string;
  readonly impl: Impl;
  private readonly nodes = new Map<string, string>();
  private readonly lans = new Map<string, LanInfo>();
  private readonly daemons: E2eDaemon[] = [];
  private readonly captures: AdvertCapture[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly hostLinks: string[] = [];
  private readonly deferred: (() => unknown)[] = [];
  private seq = 0;

  /** `prefix` names everything (e.g. 'tsv-tr' → namespaces tsv-tr-a-<pid>); `impl` defaults to e2eImpl(). */
  constructor(
    readonly prefix: string,
    impl: Impl = e2eImpl(),
  ) {
    this.impl = impl;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    fs.chmodSync(this.dir, 0o755);
    for (const sub of ['scripts', 'flags', 'bin']) fs.mkdirSync(path.join(this.dir, sub), { mode: 0o755 });
    fs.symlinkSync(sh(['sh', '-c', 'command -v sleep']).trim(), this.sleepPath);
  }

  /** The uniquely named `sleep` that hanging check scripts run. */
  get sleepPath(): string {
    return path.join(this.dir, 'bin', `${this.prefix}-hang-sleep`);
  }

  /** Namespace of a node. */
  ns(node: string): string {
    const ns = this.nodes.get(node);
    assert.ok(ns, `no node ${node} in the lab`);
    return ns;
  }

  /** A node's address on a LAN (default the first). */
  ip(node: string, lan = 'lan0'): string {
    const ip = this.lans.get(lan)?.ips[node];
    assert.ok(ip, `node ${node} is not on ${lan}`);
    return ip;
  }

  /** The namespace holding a LAN's bridge br0. */
  bridgeNs(lan = 'lan0'): string {
    const l = this.lans.get(lan);
    assert.ok(l, `no LAN ${lan}`);
    return l.bridgeNs;
  }

  /**
   * Build LAN `lan0`: one namespace per node (key → eth0 address, /24) on bridge br0;
   * resolves once every eth0 is operationally up (a daemon started earlier could see it down).
   */
  async build(nodes: Readonly<Record<string, string>>): Promise<void> {
    const pid = process.pid;
    const spec: Record<string, { ns: string; ip: string }> = {};
    for (const [key, ip] of Object.entries(nodes)) {
      const ns = `${this.prefix}-${key}-${pid}`;
      spec[key] = { ns, ip };
      this.nodes.set(key, ns);
    }
    const sw = `${this.prefix}-sw0-${pid}`;
    this.lans.set('lan0', { bridgeNs: sw, iface: 'eth0', ips: { ...nodes } });
    buildBridgeLan(sw, spec);
    for (const key of Object.keys(nodes)) await this.waitOperUp(key, 'eth0');
  }

  /** Is a node's interface operationally up (carrier, `state UP`)? */
  operUp(node: string, iface: string): boolean {
    return / state UP /.test(spawnSync('ip', ['-n', this.ns(node), '-o', 'link', 'show', 'dev', iface], { encoding: 'utf8' }).stdout);
  }

  /** Wait until a node's interface is operationally up (the kernel may report carrier up to 1 s late). */
  async waitOperUp(node: string, iface: string, timeoutMs = 5_000): Promise<void> {
    const start = Date.now();
    while (!this.operUp(node, iface)) {
      if (Date.now() - start > timeoutMs) throw new Error(`${iface} in ${this.ns(node)} is not up after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /**
   * Another LAN: a new bridge namespace, and interface `iface` (address ip/24) in each listed
   * (existing) node, a port of that bridge; resolves once those interfaces are up.
   */
  async addLan(lan: string, iface: string, nodes: Readonly<Record<string, string>>): Promise<void> {
    const sw = `${this.prefix}-sw${this.lans.size}-${process.pid}`;
    this.lans.set(lan, { bridgeNs: sw, iface, ips: { ...nodes } });
    addBridge(sw);
    for (const [key, ip] of Object.entries(nodes)) addBridgePort(sw, key, this.ns(key), iface, ip);
    for (const key of Object.keys(nodes)) await this.waitOperUp(key, iface);
  }

  /** Run a command in a node's namespace; its stdout (throws on failure). */
  exec(node: string, args: readonly string[]): string {
    return sh(['ip', 'netns', 'exec', this.ns(node), ...args]);
  }

  /** Set a node's interface up or down (administratively; the bridge port loses carrier). */
  link(node: string, iface: string, state: 'up' | 'down'): void {
    sh(['ip', '-n', this.ns(node), 'link', 'set', iface, state]);
  }

  /** Does `node` hold IPv4 address `vip` on any interface? */
  hasVip(node: string, vip: string): boolean {
    return spawnSync('ip', ['-n', this.ns(node), '-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).stdout.includes(` ${vip}/`);
  }

  /** Which of `nodes` hold `vip` now. */
  holders(vip: string, nodes: readonly string[]): string[] {
    return nodes.filter((n) => this.hasVip(n, vip));
  }

  /** One ping from `node` to `ip` (1 s deadline). */
  ping(node: string, ip: string): boolean {
    return spawnSync('ip', ['netns', 'exec', this.ns(node), 'ping', '-c', '1', '-W', '1', ip]).status === 0;
  }

  /**
   * A veth pair from the root namespace (`hostIf`, address `hostCidr`) to `node` (`iface`,
   * address `nodeCidr`): a link to a server the test runs in its own process. cleanup() removes it.
   */
  hostLink(node: string, iface: string, hostIf: string, hostCidr: string, nodeCidr: string): void {
    const ns = this.ns(node);
    spawnSync('ip', ['link', 'del', hostIf]);
    sh(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', iface, 'netns', ns]);
    this.hostLinks.push(hostIf);
    sh(['ip', 'addr', 'add', hostCidr, 'dev', hostIf]);
    sh(['ip', 'link', 'set', hostIf, 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', nodeCidr, 'dev', iface]);
    sh(['ip', '-n', ns, 'link', 'set', iface, 'up']);
  }

  /** A root-owned 0755 directory `<dir>/<name>` (for one scenario's files); its path. */
  subdir(name: string): string {
    const d = path.join(this.dir, name);
    fs.mkdirSync(d);
    fs.chmodSync(d, 0o755);
    return d;
  }

  /** Write a file in the lab directory; its path. */
  writeFile(name: string, content: string, mode = 0o644): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
    return file;
  }

  /** A check script `<dir>/scripts/<name>.sh`: exit 0 unless failed or hung by the test. */
  checkScript(name: string): CheckScript {
    const flags = path.join(this.dir, 'flags');
    const fail = path.join(flags, `${name}.fail`);
    const hang = path.join(flags, `${name}.hang`);
    const runs = path.join(flags, `${name}.runs`);
    const file = path.join(this.dir, 'scripts', `${name}.sh`);
    fs.writeFileSync(
      file,
      `#!/bin/sh\n# e2e check ${name}: fails while ${fail} exists, hangs while ${hang} exists\n` +
        `echo run >> ${runs}\n[ -e ${hang} ] && ${this.sleepPath} 100\n[ ! -e ${fail} ]\n`,
      { mode: 0o755 },
    );
    fs.chmodSync(file, 0o755);
    const touch = (f: string): void => fs.writeFileSync(f, '');
    return {
      path: file,
      fail: () => touch(fail),
      ok: () => {
        fs.rmSync(fail, { force: true });
        fs.rmSync(hang, { force: true });
      },
      hang: () => touch(hang),
      runs: () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').split('\n').length - 1 : 0),
    };
  }

  /** Pids of processes running this lab's hanging `sleep` (argv[0] is sleepPath), anywhere on the host. */
  hangingSleeps(): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const argv0 = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0];
        if (argv0 === this.sleepPath) pids.push(Number(entry));
      } catch {
        // the process has gone
      }
    }
    return pids;
  }

  /**
   * Start the implementation under test (or `opts.impl`) in `node`'s namespace with config text
   * `conf` and the environment `opts.env` (default this process's); files are
   * `<dir>/<name>.conf`, `<dir>/<name>.log` (appended to across restarts). `opts.pidFile`
   * replaces the main pid file (`-p`), e.g. one shared by two starts or written by the test.
   */
  start(node: string, name: string, conf: string, opts: { readonly impl?: Impl; readonly env?: NodeJS.ProcessEnv; readonly pidFile?: string } = {}): E2eDaemon {
    const impl = opts.impl ?? this.impl;
    const n = ++this.seq;
    const confFile = this.writeFile(`${name}.conf`, conf);
    const logFile = path.join(this.dir, `${name}.log`);
    const pidFile = (what: string): string => (what === 'main' && opts.pidFile !== undefined ? opts.pidFile : path.join(this.dir, `${name}-${n}.${what}.pid`));
    const args =
      impl === 'tsvrrpd'
        ? [...tsvrrpdNode(), '-n', '-l', '-G', '-D', '-f', confFile, '-p', pidFile('main')]
        : ['keepalived', '-n', '-l', '-G', '-D', '-P', '-f', confFile, '-p', pidFile('main'), '-r', pidFile('vrrp'), '-c', pidFile('chk'), '-b', pidFile('bfd')];
    // keepalived's children first: its VRRP child stops gracefully when the parent dies.
    const pidFiles = impl === 'tsvrrpd' ? [pidFile('main')] : ['vrrp', 'chk', 'bfd', 'main'].map(pidFile);
    const out = fs.openSync(logFile, 'a');
    const proc = spawn('ip', ['netns', 'exec', this.ns(node), ...args], { stdio: ['ignore', out, out], env: opts.env ?? process.env });
    fs.closeSync(out);
    this.children.add(proc);
    const d = new E2eDaemon(impl, node, this.ns(node), name, proc, confFile, logFile, pidFile(impl === 'tsvrrpd' ? 'main' : 'vrrp'), pidFiles);
    this.daemons.push(d);
    return d;
  }

  /** Start node a (as `<tag>-a`), then, once its VRRP process is up, node b (`<tag>-b`); waits for b too. */
  async startAThenB(tag: string, confA: string, confB: string): Promise<{ a: E2eDaemon; b: E2eDaemon }> {
    const a = this.start('a', `${tag}-a`, confA);
    await a.waitStarted();
    const b = this.start('b', `${tag}-b`, confB);
    await b.waitStarted();
    return { a, b };
  }

  /**
   * Start any other long-running command in a node's namespace (a mail server in the client,
   * a FIFO reader, …), its output appended to `<dir>/<name>.log`; cleanup() stops it.
   */
  spawnIn(node: string, name: string, args: readonly string[]): ChildProcess {
    const out = fs.openSync(path.join(this.dir, `${name}.log`), 'a');
    const p = spawn('ip', ['netns', 'exec', this.ns(node), ...args], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.children.add(p);
    return p;
  }

  /** Start a live capture of VRRP adverts on a LAN's bridge; resolves once tshark is capturing. */
  async capture(lan = 'lan0', name = lan): Promise<AdvertCapture> {
    const fields = ['frame.time_epoch', 'ip.src', 'ip.dst', 'vrrp.virt_rtr_id', 'vrrp.prio', 'ip.ttl'];
    const p = spawn(
      'ip',
      ['netns', 'exec', this.bridgeNs(lan), 'tshark', '-l', '-n', '-i', 'br0', '-f', 'ip proto 112', '-Y', 'vrrp', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.children.add(p);
    const cap = new AdvertCapture(p, path.join(this.dir, `${name}.adverts.txt`));
    this.captures.push(cap);
    let ready = false;
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('Capturing on')) ready = true;
    });
    const start = Date.now();
    while (!ready) {
      if (p.exitCode !== null || Date.now() - start > 15_000) {
        p.kill('SIGKILL');
        throw new Error(`tshark did not start on ${lan}: ${stderr}`);
      }
      await sleep(20);
    }
    await sleep(200);
    return cap;
  }

  /** Every daemon's log, for assertion messages. */
  report(): string {
    return this.daemons.map((d) => `--- ${d.impl} ${d.name} (node ${d.node}) ---\n${d.log()}`).join('\n');
  }

  /** Poll `cond` every 20 ms until it holds; the ms it took. Fails with every log at the deadline. */
  async waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<number> {
    const start = Date.now();
    while (!cond()) {
      if (Date.now() - start > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.report()}`);
      await sleep(20);
    }
    return Date.now() - start;
  }

  /** Wait until `cap` has an advert matching `filter` captured after `sinceMs` (Date.now() scale); the first one. */
  async waitAdvert(cap: AdvertCapture, what: string, filter: Partial<Pick<WireAdvert, 'src' | 'vrid' | 'prio'>>, sinceMs: number, timeoutMs: number): Promise<WireAdvert> {
    try {
      await this.waitFor(what, () => cap.find(filter, sinceMs).length > 0, timeoutMs);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- last adverts captured ---\n${cap.tail()}`);
    }
    const first = cap.find(filter, sinceMs)[0];
    assert.ok(first);
    return first;
  }

  /** Poll `cond` every 20 ms for `ms`: it must hold at every sample. */
  async holdsFor(what: string, cond: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (!cond()) assert.fail(`${what}: no longer true after ${ms - (end - Date.now())} ms\n${this.report()}`);
      await sleep(20);
    }
  }

  /** Run `fn` at cleanup(), once the lab's processes are gone (close a socket, a server, …). */
  defer(fn: () => unknown): void {
    this.deferred.push(fn);
  }

  /** Stop the given daemons (default: all) at the same time, gracefully (SIGTERM). */
  async stopAll(daemons: readonly E2eDaemon[] = this.daemons): Promise<void> {
    await Promise.all(daemons.map((d) => d.stop()));
  }

  /**
   * Remove everything: SIGKILL the daemons and whatever else still runs in the lab's
   * namespaces (script children), stop captures, run what was deferred, delete the namespaces,
   * the host links and the directory.
   */
  async cleanup(): Promise<void> {
    for (const d of this.daemons) await d.kill().catch(() => undefined);
    for (const c of this.captures) await c.stop().catch(() => undefined);
    const namespaces = [...this.nodes.values(), ...[...this.lans.values()].map((l) => l.bridgeNs)];
    for (const ns of namespaces) {
      killNamespacePids(ns);
    }
    for (const p of this.children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all([...this.children].map((p) => exited(p)));
    for (const fn of this.deferred) {
      try {
        await fn();
      } catch {
        // cleanup goes on
      }
    }
    for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
    for (const l of this.hostLinks) spawnSync('ip', ['link', 'del', l]);
    if (process.env.TSV_KEEP_LOGS) process.stderr.write(`${this.prefix}: logs kept in ${this.dir}\n`);
    else fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * How often `inst` entered `state` in a daemon's log: "(VI_1) Entering MASTER STATE", and also
 * keepalived's "(VI_2): entering FAULT state (interface eth1 down)".
 */
export const entered = (d: E2eDaemon, state: string, inst = 'VI_1'): number => d.lines(new RegExp(`\\(${inst}\\):? Entering ${state} STATE`, 'i')).length;

/**
 * Start A then B (A first, so A wins the first election), wait for A to hold `vip` (within
 * Master_Down_Interval for priority `aMdiPrio`, + SLACK) and check that B never became master
 * and that neither started in FAULT.
 */
export async function startPair(lab: E2eLab, tag: string, confA: string, confB: string, vip: string, aMdiPrio = 150): Promise<{ a: E2eDaemon; b: E2eDaemon }> {
  const { a, b } = await lab.startAThenB(tag, confA, confB);
  await lab.waitFor('A to become master', () => lab.hasVip('a', vip), masterDownMs(aMdiPrio) + SLACK);
  assert.equal(lab.hasVip('b', vip), false, 'B is BACKUP while A is master');
  assert.equal(entered(b, 'MASTER'), 0, 'B never became master');
  for (const d of [a, b]) assert.deepEqual(d.lines(/entering FAULT state/i), [], `${d.name} started without FAULT`);
  return { a, b };
}

/**
 * A lab per test: `create(t, n, nodes)` builds lab `<prefix>-<n>` (nodes on lan0), removed when
 * test `t` ends. Construct it at the top level of a test file: it registers the after() hook
 * that removes any lab still there, whatever happened.
 */
export class ScenarioLabs {
  private readonly open: E2eLab[] = [];

  constructor(
    private readonly prefix: string,
    private readonly impl: Impl = e2eImpl(),
  ) {
    after(async () => {
      for (const lab of [...this.open]) await this.remove(lab);
    });
  }

  async create(t: TestContext, n: number, nodes: Readonly<Record<string, string>>): Promise<E2eLab> {
    const lab = new E2eLab(`${this.prefix}-${n}`, this.impl);
    this.open.push(lab);
    t.after(() => this.remove(lab));
    await lab.build(nodes);
    return lab;
  }

  private async remove(lab: E2eLab): Promise<void> {
    const i = this.open.indexOf(lab);
    if (i < 0) return;
    this.open.splice(i, 1);
    await lab.cleanup();
  }
}

/**
 * keepalived and tsvrrpd side by side, for files that compare their records: a lab each
 * (`<prefix>-k`, `<prefix>-t`, the same `nodes` on lan0), both at once; `TSV_E2E_IMPL` selects
 * one (the comparisons are then skipped). Construct it at the top level of a test file: it
 * registers before() (builds each selected implementation's lab, then runs `setup` on it, `n`
 * its index) and after() (removes the labs, whatever happened).
 */
export class SideBySide {
  readonly impls: readonly Impl[] = e2eImpls();
  /** Why nothing here can run, or false. */
  readonly skip: string | false;
  /** The skip of a test comparing the two records. */
  readonly compareSkip: string | false;
  private readonly labs = new Map<Impl, E2eLab>();

  constructor(prefix: string, nodes: Readonly<Record<string, string>>, opts: { readonly needs?: E2eNeeds; readonly setup?: (lab: E2eLab, n: number) => unknown } = {}) {
    this.skip = e2eSkipReason(this.impls, opts.needs);
    this.compareSkip = this.skip || (this.impls.length < 2 ? 'TSV_E2E_IMPL selects one implementation: nothing to compare' : false);
    before(async () => {
      if (this.skip) return;
      for (const [n, impl] of this.impls.entries()) {
        const lab = new E2eLab(`${prefix}-${impl[0] as string}`, impl);
        this.labs.set(impl, lab);
        await lab.build(nodes);
        await opts.setup?.(lab, n);
      }
    });
    after(async () => {
      for (const lab of this.labs.values()) await lab.cleanup();
    });
  }

  /** The skip of `impl`'s own test. */
  implSkip(impl: Impl): string | false {
    return this.skip || (this.impls.includes(impl) ? false : 'not selected by TSV_E2E_IMPL');
  }

  /** `impl`'s lab (built in before()). */
  lab(impl: Impl): E2eLab {
    const l = this.labs.get(impl);
    assert.ok(l, `the ${impl} LAN was built`);
    return l;
  }
}
