/**
 * The notification contract (issue 5) on the real kernel, with keepalived 2.2.7 as the
 * reference: the same scenarios run under keepalived and under tsvrrpd (each on its own
 * bridge LAN of network namespaces, both at once), every notification is recorded, and the
 * two records are compared.
 *
 *  - Standalone instance: start alone → BACKUP → MASTER; one forged lower-priority advert →
 *    MASTER_RX_LOWER_PRI; a priority-200 peer (same implementation) preempts → BACKUP; the
 *    weight-0 vrrp_script fails → FAULT, recovers → BACKUP; the peer stops → MASTER; the
 *    script fails while MASTER → FAULT, recovers → BACKUP → MASTER alone; SIGTERM → STOP.
 *    notify_backup runs as `nobody nogroup`, the others as script_user root; notify_master
 *    has a quoted argument (`'two words'`). The lower-priority advert is forged (injector.ts)
 *    rather than sent by a real lower-priority peer: keepalived notifies each one it hears
 *    (vrrp.c: vrrp_state_master_rx() → send_event_notify()), and a real peer advertises only
 *    while it believes it is master, stopping at the first advert of ours it hears, so how
 *    many the master hears (0, 1, 2...) would be a race; one forged advert makes it exactly one.
 *  - A vrrp_sync_group of two instances with group and instance scripts: BACKUP → MASTER,
 *    FAULT (one member's script fails), BACKUP → MASTER, STOP.
 *  - Notify scripts that hang (`exec sleep 30`) or exit 1 do not delay a takeover: a frozen
 *    priority-200 peer is replaced at Master_Down_Interval on the wire, the new master keeps
 *    advertising every second while its notify_master hangs, and SIGTERM is not held up.
 *
 * Records: rec.sh (the script of every notify keyword) appends one line per call: its argv
 * (count and each argument in brackets), `id -u`/`id -g`, whether IFS, LD_PRELOAD and
 * LD_LIBRARY_PATH are in its exec-time environment (/proc/$$/environ; the daemons are started
 * with all three set, plus a marker variable that must survive), and whether it leads its own
 * process group. The notify FIFO (vrrp_notify_fifo) is held open by the test and every line
 * kept in order. Scripts are fire-and-forget, so per transition their calls are compared as a
 * multiset; the FIFO lines are compared in order.
 *
 * Each implementation is also checked against the expected contract (the keepalived 2.2.7
 * behaviour, read from its source and observed here); tsvrrpd must in addition remove IFS,
 * LD_PRELOAD and LD_LIBRARY_PATH (issue 5; keepalived only does so after 2.2.7, upstream
 * commit cebc577d, so its 2.2.7 record keeps them: that difference stays in the comparison).
 *
 * TSV_E2E_IMPL=keepalived|tsvrrpd runs one implementation only (the comparisons are then
 * skipped); TSV_KEEP_LOGS=1 keeps the temporary directory (logs, configs, records, captures).
 * Needs root, keepalived, tshark and the native addon; every namespace, process and temporary
 * directory is removed in after(), whatever happened.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBridgeLan, exited, have, sh, sleep, startCapture, waitFor } from '../support/netns';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const INJECTOR = path.join(ROOT, 'dist', 'test', 'integration', 'injector.js');
const ADDON = path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node');
const ID = process.pid;

type Impl = 'keepalived' | 'tsvrrpd';
const ALL_IMPLS: readonly Impl[] = ['keepalived', 'tsvrrpd'];
const selected = process.env.TSV_E2E_IMPL;
const IMPLS: readonly Impl[] = selected === undefined || selected === '' ? ALL_IMPLS : ALL_IMPLS.filter((i) => i === selected);

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (IMPLS.length === 0) return `TSV_E2E_IMPL must be keepalived or tsvrrpd (got ${JSON.stringify(selected)})`;
  if (!have('tshark')) return 'needs tshark (scripts/setup.sh)';
  if (IMPLS.includes('keepalived') && !have('keepalived')) return 'needs keepalived (scripts/setup.sh)';
  if (IMPLS.includes('tsvrrpd') && !fs.existsSync(ADDON)) return 'needs the native addon (npm ci)';
  if (!fs.existsSync(INJECTOR)) return 'needs the build (npx tsc -p tsconfig.json)';
  return false;
}
const skip = skipReason();
const compareSkip = skip || (IMPLS.length < 2 ? 'TSV_E2E_IMPL selects one implementation: nothing to compare' : false);

/** The LAN plan, the same on each implementation's own bridge. */
const IP = { d: '10.77.0.1', p: '10.77.0.2', i: '10.77.0.60' } as const;
const VIP = '10.77.0.100';
const NOBODY = 65534;
/** RFC 3768 §6.1 (advert_int 1): Skew_Time and Master_Down_Interval in ms. */
const skewMs = (prio: number): number => ((256 - prio) / 256) * 1000;
const mdiMs = (prio: number): number => 3000 + skewMs(prio);
/** Added to every protocol deadline: start-up of a daemon, scheduling on a loaded host. */
const SLACK = 4_000;

// ---------------------------------------------------------------------------------------
// Cleanup bookkeeping: everything started or created is recorded here, after() removes it.

const procs = new Set<ChildProcess>();
const pidFiles: string[] = [];
const sockets = new Set<net.Socket>();
const namespaces: string[] = [];
let baseDir = '';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
function readPid(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
/** Resolves true if `p` settles within `ms`, false otherwise (the timer is always cleared). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
/** `pid command line` of every process in a namespace (for failure messages). */
function nsProcs(ns: string): string {
  const pids = (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((x) => x.length > 0);
  return pids.map((pid) => `  ${pid} ${readText(`/proc/${pid}/cmdline`).split('\0').join(' ').trim()}`).join('\n');
}
const readText = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

// ---------------------------------------------------------------------------------------
// One LAN per implementation: director d, peer p (same implementation), injector i.

interface Lab {
  readonly impl: Impl;
  readonly sw: string;
  readonly ns: { readonly d: string; readonly p: string; readonly i: string };
  /** Root-owned 0755 directory of this implementation's runs. */
  readonly dir: string;
}
const labs = new Map<Impl, Lab>();
function lab(impl: Impl): Lab {
  const l = labs.get(impl);
  assert.ok(l, `the ${impl} LAN was built`);
  return l;
}

/** A root-owned 0755 directory (script security: nothing on the path writable by others). */
function secureDir(parent: string, name: string): string {
  const d = path.join(parent, name);
  fs.mkdirSync(d);
  fs.chmodSync(d, 0o755);
  return d;
}
function writeScript(file: string, body: string): void {
  fs.writeFileSync(file, `#!/bin/sh\n${body}`);
  fs.chmodSync(file, 0o755);
}

/** The path of the libc this process runs on: a harmless, real LD_PRELOAD value. */
function libcPath(): string {
  const m = /\s(\/\S*\/libc\.so\.6)$/m.exec(fs.readFileSync('/proc/self/maps', 'utf8'));
  return m?.[1] ?? '/lib/x86_64-linux-gnu/libc.so.6';
}
/** The director's environment: the three variables that must not reach a script, and one that must. */
const DAEMON_ENV = (): NodeJS.ProcessEnv => ({ ...process.env, IFS: ':', LD_PRELOAD: libcPath(), LD_LIBRARY_PATH: '/tsv-nt-no-such-dir', TSV_NT_MARK: 'kept' });

interface Daemon {
  readonly impl: Impl;
  readonly ns: string;
  readonly proc: ChildProcess;
  readonly log: string;
  /** The process that runs VRRP: keepalived's VRRP child, or tsvrrpd itself. */
  readonly vrrpPidFile: string;
}
function startDaemon(l: Lab, node: 'd' | 'p', dir: string, name: string, conf: string, env: NodeJS.ProcessEnv = process.env): Daemon {
  const confFile = path.join(dir, `${name}.conf`);
  fs.writeFileSync(confFile, conf);
  const log = path.join(dir, `${name}.log`);
  const fd = fs.openSync(log, 'a');
  const pid = (what: string): string => path.join(dir, `${name}.${what}.pid`);
  const args =
    l.impl === 'tsvrrpd'
      ? [process.execPath, CLI, '-n', '-l', '-G', '-D', '-f', confFile, '-p', pid('main')]
      : ['keepalived', '-n', '-l', '-G', '-D', '-P', '-f', confFile, '-p', pid('main'), '-r', pid('vrrp'), '-c', pid('chk'), '-b', pid('bfd')];
  pidFiles.push(pid('main'), pid('vrrp'), pid('chk'), pid('bfd'));
  const proc = spawn('ip', ['netns', 'exec', l.ns[node], ...args], { stdio: ['ignore', fd, fd], env });
  fs.closeSync(fd);
  procs.add(proc);
  return { impl: l.impl, ns: l.ns[node], proc, log, vrrpPidFile: pid(l.impl === 'tsvrrpd' ? 'main' : 'vrrp') };
}
async function vrrpPid(d: Daemon): Promise<number> {
  await waitFor(`${d.impl} to write ${d.vrrpPidFile}`, () => readPid(d.vrrpPidFile) !== null, 10_000);
  return readPid(d.vrrpPidFile) as number;
}
/** SIGTERM (keepalived: the parent, which stops its VRRP child); resolves with the ms it took. */
async function stopDaemon(d: Daemon, withinMs = 10_000): Promise<number> {
  const vrrp = readPid(d.vrrpPidFile);
  const t0 = Date.now();
  d.proc.kill('SIGTERM');
  const done = await within(exited(d.proc), withinMs);
  assert.ok(done, `${d.impl} exits within ${withinMs} ms of SIGTERM; still in its namespace:\n${nsProcs(d.ns)}`);
  if (vrrp !== null) await waitFor(`${d.impl}'s VRRP process ${vrrp} to exit`, () => !alive(vrrp), 5_000);
  return Date.now() - t0;
}
const tail = (d: Daemon): string => `--- ${d.impl} log ${d.log} ---\n${lines(readText(d.log)).slice(-40).join('\n')}`;
const countLog = (d: Daemon, re: RegExp): number => (readText(d.log).match(new RegExp(re.source, 'g')) ?? []).length;
const enteredRe = (inst: string, state: string): RegExp => new RegExp(`\\(${inst}\\) Entering ${state} STATE`);

/** How many times each of `insts` has entered `state` so far (for waitEnter). */
const enterCounts = (d: Daemon, insts: readonly string[], state: string): number[] => insts.map((i) => countLog(d, enteredRe(i, state)));
/** Wait until the daemon's log shows every instance in `insts` entering `state` once more than `since`. */
async function waitEnter(d: Daemon, insts: readonly string[], state: 'BACKUP' | 'MASTER' | 'FAULT', timeoutMs: number, since: readonly number[] = insts.map(() => 0)): Promise<void> {
  try {
    await waitFor(`${insts.join(', ')} to enter ${state}`, () => enterCounts(d, insts, state).every((c, n) => c > (since[n] ?? 0)), timeoutMs);
  } catch (e) {
    throw new Error(`${d.impl}: ${(e as Error).message}\n${tail(d)}`);
  }
}
/** Run `action`, then wait until every instance in `insts` has entered `state` once more. */
async function expectEnter(d: Daemon, insts: readonly string[], state: 'BACKUP' | 'MASTER' | 'FAULT', timeoutMs: number, action: () => unknown): Promise<void> {
  const since = enterCounts(d, insts, state);
  await action();
  await waitEnter(d, insts, state, timeoutMs, since);
}

// ---------------------------------------------------------------------------------------
// The recorder: rec.sh, the notify FIFO, per-step snapshots.

/** rec.sh: one line per call, `argv | ids | env | marker pgrp`; IFS is reset only after /proc is read. */
function recScript(recFile: string): string {
  return `envhas() { if tr '\\0' '\\n' < /proc/$$/environ | grep -q "^$1="; then echo set; else echo unset; fi; }
e="IFS=$(envhas IFS) LD_PRELOAD=$(envhas LD_PRELOAD) LD_LIBRARY_PATH=$(envhas LD_LIBRARY_PATH)"
m="MARK=$(envhas TSV_NT_MARK)"
IFS=' 	
'
pg=$(ps -o pgid= -p $$ | tr -d ' ')
if [ "$pg" = "$$" ]; then pg=own; else pg="inherited"; fi
line="argc=$#"
for a in "$@"; do line="$line [$a]"; done
printf '%s | uid=%s gid=%s | %s | %s pgrp=%s\\n' "$line" "$(id -u)" "$(id -g)" "$e" "$m" "$pg" >> '${recFile}'
`;
}

interface StepRecord {
  readonly name: string;
  /** FIFO lines written during the step, in order. */
  readonly fifo: readonly string[];
  /** rec.sh lines written during the step, sorted (a multiset). */
  readonly scripts: readonly string[];
}

class Recorder {
  readonly dir: string;
  readonly recFile: string;
  readonly fifoFile: string;
  readonly fifo: string[] = [];
  readonly steps: StepRecord[] = [];
  private partial = '';

  constructor(dir: string) {
    this.dir = dir;
    this.recFile = path.join(dir, 'rec.log');
    this.fifoFile = path.join(dir, 'notify.fifo');
    fs.writeFileSync(this.recFile, '');
    fs.chmodSync(this.recFile, 0o666); // notify_backup runs as nobody
    writeScript(path.join(dir, 'rec.sh'), recScript(this.recFile));
    writeScript(path.join(dir, 'chk.sh'), `[ ! -e '${path.join(dir, 'fail.flag')}' ]\n`);
    sh(['mkfifo', '-m', '0600', this.fifoFile]);
    // Held open read-write: a writer never sees ENXIO, and every line is read as it comes.
    const fd = fs.openSync(this.fifoFile, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const sock = new net.Socket({ fd, readable: true, writable: false });
    sockets.add(sock);
    sock.on('data', (b: Buffer) => {
      const parts = (this.partial + b.toString('utf8')).split('\n');
      this.partial = parts.pop() ?? '';
      this.fifo.push(...parts);
      fs.appendFileSync(path.join(dir, 'fifo.rec'), parts.map((p) => `${p}\n`).join(''));
    });
    sock.on('error', () => undefined);
  }
  scripts(): string[] {
    return lines(readText(this.recFile));
  }
  fail(on: boolean): void {
    const flag = path.join(this.dir, 'fail.flag');
    if (on) fs.writeFileSync(flag, '');
    else fs.rmSync(flag, { force: true });
  }
  /** Wait until neither the FIFO nor the record has grown for 800 ms (at most 8 s). */
  async settle(): Promise<void> {
    const key = (): string => `${this.fifo.length}/${this.scripts().length}`;
    let last = key();
    let since = Date.now();
    const end = Date.now() + 8_000;
    while (Date.now() - since < 800 && Date.now() < end) {
      await sleep(50);
      const k = key();
      if (k !== last) {
        last = k;
        since = Date.now();
      }
    }
  }
  /** Run one transition (`action` waits for it), let the notifications settle, keep what it produced. */
  async step(name: string, action: () => Promise<unknown>): Promise<void> {
    const f0 = this.fifo.length;
    const r0 = this.scripts().length;
    await action();
    await this.settle();
    this.steps.push({ name, fifo: this.fifo.slice(f0), scripts: this.scripts().slice(r0).sort() });
    fs.writeFileSync(path.join(this.dir, 'steps.json'), JSON.stringify(this.steps, null, 1));
  }
}

// ---------------------------------------------------------------------------------------
// The expected contract (keepalived 2.2.7's behaviour), per step.

interface ExpectedStep {
  readonly name: string;
  readonly fifo: readonly string[];
  /** `argc=N [arg]... | uid=U gid=G` of every call, any order. */
  readonly calls: readonly string[];
}
const call = (uid: number, ...args: string[]): string => `argc=${args.length}${args.map((a) => ` [${a}]`).join('')} | uid=${uid} gid=${uid}`;
const inst = (name: string, state: string, prio: number): string => `INSTANCE "${name}" ${state} ${prio}`;
const group = (name: string, state: string): string => `GROUP "${name}" ${state} 0`;

interface ParsedRecord {
  readonly call: string;
  readonly env: string;
  readonly tail: string;
}
function parseRecord(line: string): ParsedRecord {
  const parts = line.split(' | ');
  assert.equal(parts.length, 4, `a well-formed record line: ${line}`);
  return { call: `${parts[0]} | ${parts[1]}`, env: parts[2] as string, tail: parts[3] as string };
}
const ENV_REMOVED = 'IFS=unset LD_PRELOAD=unset LD_LIBRARY_PATH=unset';

/** Every step as expected: FIFO lines in order, script calls as a multiset; then the per-call facts. */
function checkContract(impl: Impl, rec: Recorder, expected: readonly ExpectedStep[]): void {
  const got = rec.steps.map((s) => ({ name: s.name, fifo: s.fifo, calls: s.scripts.map((l) => parseRecord(l).call).sort() }));
  const want = expected.map((s) => ({ name: s.name, fifo: s.fifo, calls: [...s.calls].sort() }));
  assert.deepEqual(got, want, `${impl}: the notifications of each transition (FIFO lines in order, script calls as a multiset)`);
  const all = rec.steps.flatMap((s) => s.scripts).map(parseRecord);
  assert.ok(all.length > 0, 'scripts ran');
  for (const r of all) assert.equal(r.tail, 'MARK=set pgrp=own', `${impl}: the rest of the environment is passed and the script leads its own process group: ${r.call}`);
  if (impl === 'tsvrrpd') {
    for (const r of all) assert.equal(r.env, ENV_REMOVED, `tsvrrpd removes IFS, LD_PRELOAD and LD_LIBRARY_PATH from a script's environment: ${r.call}`);
  }
}

/** The records of finished runs, by scenario, for the comparisons. */
const records = new Map<string, Map<Impl, readonly StepRecord[]>>();
function keep(scenario: string, impl: Impl, rec: Recorder): void {
  const m = records.get(scenario) ?? new Map<Impl, readonly StepRecord[]>();
  m.set(impl, rec.steps);
  records.set(scenario, m);
}
/** tsvrrpd's record against keepalived's: first everything but the three variables, then those too. */
function compareRecords(scenario: string): void {
  const m = records.get(scenario);
  const k = m?.get('keepalived');
  const t = m?.get('tsvrrpd');
  assert.ok(k, `keepalived's ${scenario} run completed (see its test)`);
  assert.ok(t, `tsvrrpd's ${scenario} run completed (see its test)`);
  const view = (steps: readonly StepRecord[]): unknown =>
    steps.map((s) => ({
      name: s.name,
      fifo: s.fifo,
      scripts: s.scripts
        .map((l) => {
          const r = parseRecord(l);
          return `${r.call} | ${r.tail}`;
        })
        .sort(),
    }));
  assert.deepEqual(view(t), view(k), `${scenario}: tsvrrpd's notifications (left) differ from keepalived 2.2.7's (right)`);
  // The environments are not compared: keepalived 2.2.7 passes IFS, LD_PRELOAD and
  // LD_LIBRARY_PATH to notify scripts and unsets them only since upstream commit cebc577d
  // (reference B16). tsvrrpd follows current keepalived and removes them (checked above, per
  // implementation); a deliberate difference from the 2.2.7 peer.
}

// ---------------------------------------------------------------------------------------
// Configurations.

const AUTH = ' authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n }\n';
function globalDefs(routerId: string, fifo: string | null): string {
  return `global_defs {\n router_id ${routerId}\n enable_script_security\n script_user root\n${fifo ? ` vrrp_notify_fifo ${fifo}\n` : ''}}\n`;
}
function checkScript(dir: string): string {
  return `vrrp_script chk_flag {\n script "${path.join(dir, 'chk.sh')}"\n interval 1\n fall 1\n rise 1\n weight 0\n}\n`;
}
function instanceBlock(name: string, vrid: number, prio: number, vip: string, extra: string): string {
  return `vrrp_instance ${name} {\n state BACKUP\n interface eth0\n virtual_router_id ${vrid}\n priority ${prio}\n advert_int 1\n${AUTH} virtual_ipaddress {\n  ${vip}/24\n }\n${extra}}\n`;
}
function peerConf(vrid: number): string {
  return instanceBlock('VI_1', vrid, 200, VIP, '');
}

// ---------------------------------------------------------------------------------------

before(() => {
  if (skip) return;
  baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-nt-'));
  fs.chmodSync(baseDir, 0o755);
  for (const impl of IMPLS) {
    const k = impl[0] as string;
    const l: Lab = {
      impl,
      sw: `tsv-nt-${k}sw-${ID}`,
      ns: { d: `tsv-nt-${k}d-${ID}`, p: `tsv-nt-${k}p-${ID}`, i: `tsv-nt-${k}i-${ID}` },
      dir: secureDir(baseDir, impl),
    };
    namespaces.push(l.sw, l.ns.d, l.ns.p, l.ns.i);
    buildBridgeLan(l.sw, { d: { ns: l.ns.d, ip: IP.d }, p: { ns: l.ns.p, ip: IP.p }, i: { ns: l.ns.i, ip: IP.i } });
    labs.set(impl, l);
  }
});

after(async () => {
  if (skip) return;
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const f of pidFiles) {
    const pid = readPid(f);
    if (pid !== null && alive(pid)) process.kill(pid, 'SIGKILL');
  }
  // Whatever is left in the namespaces (script children, hanging notify scripts), by pid.
  for (const ns of namespaces) {
    const pids = lines(spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '');
    for (const pid of pids) if (Number(pid) > 0 && alive(Number(pid))) process.kill(Number(pid), 'SIGKILL');
  }
  await within(Promise.all([...procs].map((p) => exited(p))), 5_000);
  for (const s of sockets) s.destroy();
  for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
  if (baseDir) {
    if (process.env.TSV_KEEP_LOGS) console.log(`# notify-contract: kept ${baseDir}`);
    else fs.rmSync(baseDir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------
// Scenario 1: one instance through every notification.

const STANDALONE_VRID = 51;

function standaloneConf(dir: string, rec: Recorder): string {
  const r = path.join(dir, 'rec.sh');
  return (
    globalDefs('tsv_nt_director', rec.fifoFile) +
    checkScript(dir) +
    instanceBlock(
      'VI_1',
      STANDALONE_VRID,
      100,
      VIP,
      ` track_script {\n  chk_flag\n }\n` +
        ` notify_master "${r} master one 'two words'"\n` +
        ` notify_backup "${r} backup" nobody nogroup\n` +
        ` notify_fault "${r} fault"\n` +
        ` notify_stop "${r} stop"\n` +
        ` notify "${r} generic"\n` +
        ` notify_master_rx_lower_pri "${r} rx_lower_pri"\n`,
    )
  );
}

const generic = (state: string, prio = 100): string => call(0, 'generic', 'INSTANCE', 'VI_1', state, String(prio));
const S = {
  backup: { fifo: [inst('VI_1', 'BACKUP', 100)], calls: [call(NOBODY, 'backup'), generic('BACKUP')] },
  master: { fifo: [inst('VI_1', 'MASTER', 100)], calls: [call(0, 'master', 'one', 'two words'), generic('MASTER')] },
  fault: { fifo: [inst('VI_1', 'FAULT', 100)], calls: [call(0, 'fault'), generic('FAULT')] },
};
const STANDALONE_EXPECTED: readonly ExpectedStep[] = [
  { name: 'start alone → BACKUP', ...S.backup },
  { name: 'alone → MASTER', ...S.master },
  { name: 'MASTER hears a priority-50 advert', fifo: [inst('VI_1', 'MASTER_RX_LOWER_PRI', 100)], calls: [call(0, 'rx_lower_pri')] },
  { name: 'priority-200 peer preempts → BACKUP', ...S.backup },
  { name: 'check fails in BACKUP → FAULT', ...S.fault },
  { name: 'check recovers, peer master → BACKUP', ...S.backup },
  { name: 'peer SIGTERM → MASTER', ...S.master },
  { name: 'check fails in MASTER → FAULT', ...S.fault },
  { name: 'check recovers alone → BACKUP', ...S.backup },
  { name: 'alone → MASTER again', ...S.master },
  { name: 'SIGTERM → STOP', fifo: [inst('VI_1', 'STOP', 100)], calls: [call(0, 'stop'), generic('STOP')] },
];

async function runStandalone(impl: Impl): Promise<Recorder> {
  const l = lab(impl);
  const dir = secureDir(l.dir, 'standalone');
  const rec = new Recorder(dir);
  const daemons: Daemon[] = [];
  try {
    let d: Daemon | undefined;
    await rec.step('start alone → BACKUP', async () => {
      d = startDaemon(l, 'd', dir, 'director', standaloneConf(dir, rec), DAEMON_ENV());
      daemons.push(d);
      await waitEnter(d, ['VI_1'], 'BACKUP', SLACK + 6_000);
    });
    assert.ok(d);
    const dd = d;
    await rec.step('alone → MASTER', () => expectEnter(dd, ['VI_1'], 'MASTER', mdiMs(100) + SLACK, () => undefined));
    await rec.step('MASTER hears a priority-50 advert', async () => {
      const lower = /Received advert from 10\.77\.0\.60 with lower priority 50/;
      const before = countLog(dd, lower);
      await inject(l, STANDALONE_VRID, 50);
      await waitFor(`${impl} to log the lower-priority advert`, () => countLog(dd, lower) > before, SLACK);
    });
    let p: Daemon | undefined;
    await rec.step('priority-200 peer preempts → BACKUP', () =>
      expectEnter(dd, ['VI_1'], 'BACKUP', mdiMs(200) + SLACK + 2_000, () => {
        p = startDaemon(l, 'p', dir, 'peer', peerConf(STANDALONE_VRID));
        daemons.push(p);
      }),
    );
    assert.ok(p);
    const pp = p;
    await rec.step('check fails in BACKUP → FAULT', () => expectEnter(dd, ['VI_1'], 'FAULT', SLACK, () => rec.fail(true)));
    await rec.step('check recovers, peer master → BACKUP', () => expectEnter(dd, ['VI_1'], 'BACKUP', SLACK, () => rec.fail(false)));
    await rec.step('peer SIGTERM → MASTER', () => expectEnter(dd, ['VI_1'], 'MASTER', skewMs(100) + SLACK, () => stopDaemon(pp)));
    await rec.step('check fails in MASTER → FAULT', () => expectEnter(dd, ['VI_1'], 'FAULT', SLACK, () => rec.fail(true)));
    await rec.step('check recovers alone → BACKUP', () => expectEnter(dd, ['VI_1'], 'BACKUP', SLACK, () => rec.fail(false)));
    await rec.step('alone → MASTER again', () => expectEnter(dd, ['VI_1'], 'MASTER', mdiMs(100) + SLACK, () => undefined));
    await rec.step('SIGTERM → STOP', () => stopDaemon(dd));
    return rec;
  } catch (e) {
    throw new Error(`${(e as Error).message}\nsteps so far: ${JSON.stringify(rec.steps, null, 1)}\n${daemons.map(tail).join('\n')}`);
  }
}

/** One forged VRRPv2 advert (injector.ts) from the injector namespace. */
async function inject(l: Lab, vrid: number, prio: number): Promise<void> {
  const p = spawn(
    'ip',
    ['netns', 'exec', l.ns.i, process.execPath, INJECTOR, '-i', 'eth0', '--src', IP.i, '--vrid', String(vrid), '--prio', String(prio), '--auth-type', '1', '--auth', 's3cr3t', '--addr', VIP],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  procs.add(p);
  let err = '';
  p.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  assert.equal(await exited(p), 0, `the injector sent its advert: ${err}`);
}

describe('notify contract: one instance through every notification', { concurrency: true }, () => {
  for (const impl of ALL_IMPLS) {
    test(impl, { skip: skip || (IMPLS.includes(impl) ? false : 'not selected by TSV_E2E_IMPL'), timeout: 80_000 }, async (t) => {
      const rec = await runStandalone(impl);
      t.diagnostic(`${impl} FIFO: ${JSON.stringify(rec.fifo)}`);
      for (const s of rec.steps) t.diagnostic(`${impl} ${s.name}: ${JSON.stringify(s.scripts)}`);
      keep('standalone', impl, rec);
      checkContract(impl, rec, STANDALONE_EXPECTED);
    });
  }
});
test('notify contract: one instance: tsvrrpd records the same as keepalived', { skip: compareSkip }, () => compareRecords('standalone'));

// ---------------------------------------------------------------------------------------
// Scenario 2: a sync group, with group scripts and instance scripts.

const SYNC_VRIDS = { VI_1: 61, VI_2: 62 } as const;
const VIP2 = '10.77.0.101';

function syncConf(dir: string, rec: Recorder): string {
  const r = path.join(dir, 'rec.sh');
  return (
    globalDefs('tsv_nt_director', rec.fifoFile) +
    checkScript(dir) +
    `vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n` +
    ` notify_master "${r} g_master"\n notify_backup "${r} g_backup"\n notify_fault "${r} g_fault"\n notify_stop "${r} g_stop"\n notify "${r} g_generic"\n}\n` +
    instanceBlock(
      'VI_1',
      SYNC_VRIDS.VI_1,
      100,
      VIP,
      ` track_script {\n  chk_flag\n }\n notify_master "${r} i1_master"\n notify_backup "${r} i1_backup"\n notify_fault "${r} i1_fault"\n notify_stop "${r} i1_stop"\n notify "${r} i_generic"\n`,
    ) +
    instanceBlock('VI_2', SYNC_VRIDS.VI_2, 90, VIP2, ` notify_master "${r} i2_master"\n notify_backup "${r} i2_backup"\n notify "${r} i_generic"\n`)
  );
}

const ig = (name: string, state: string, prio: number): string => call(0, 'i_generic', 'INSTANCE', name, state, String(prio));
const gg = (state: string): string => call(0, 'g_generic', 'GROUP', 'G1', state, '0');
const SYNC_BACKUP = {
  fifo: [inst('VI_1', 'BACKUP', 100), inst('VI_2', 'BACKUP', 90), group('G1', 'BACKUP')],
  calls: [call(0, 'g_backup'), call(0, 'i1_backup'), call(0, 'i2_backup'), gg('BACKUP'), ig('VI_1', 'BACKUP', 100), ig('VI_2', 'BACKUP', 90)],
};
/** VI_1 (Master_Down 3.61 s) times out first but waits for VI_2 (3.65 s), which enters MASTER first and syncs VI_1. */
const SYNC_MASTER = {
  fifo: [inst('VI_2', 'MASTER', 90), inst('VI_1', 'MASTER', 100), group('G1', 'MASTER')],
  calls: [call(0, 'g_master'), call(0, 'i1_master'), call(0, 'i2_master'), gg('MASTER'), ig('VI_1', 'MASTER', 100), ig('VI_2', 'MASTER', 90)],
};
/** Instance notifies are not suppressed here: each member notifies before the group changes state. */
const SYNC_EXPECTED: readonly ExpectedStep[] = [
  { name: 'start alone → BACKUP', ...SYNC_BACKUP },
  { name: 'alone → MASTER', ...SYNC_MASTER },
  {
    name: 'VI_1 check fails → FAULT',
    fifo: [inst('VI_1', 'FAULT', 100), inst('VI_2', 'FAULT', 90), group('G1', 'FAULT')],
    calls: [call(0, 'g_fault'), call(0, 'i1_fault'), gg('FAULT'), ig('VI_1', 'FAULT', 100), ig('VI_2', 'FAULT', 90)],
  },
  { name: 'check recovers alone → BACKUP', ...SYNC_BACKUP },
  { name: 'alone → MASTER again', ...SYNC_MASTER },
  {
    name: 'SIGTERM → STOP',
    fifo: [inst('VI_1', 'STOP', 100), inst('VI_2', 'STOP', 90), group('G1', 'STOP')],
    calls: [call(0, 'g_stop'), call(0, 'i1_stop'), gg('STOP'), ig('VI_1', 'STOP', 100), ig('VI_2', 'STOP', 90)],
  },
];

async function runSync(impl: Impl): Promise<Recorder> {
  const l = lab(impl);
  const dir = secureDir(l.dir, 'sync');
  const rec = new Recorder(dir);
  const both = ['VI_1', 'VI_2'] as const;
  const daemons: Daemon[] = [];
  try {
    let d: Daemon | undefined;
    await rec.step('start alone → BACKUP', async () => {
      d = startDaemon(l, 'd', dir, 'director', syncConf(dir, rec), DAEMON_ENV());
      daemons.push(d);
      await waitEnter(d, both, 'BACKUP', SLACK + 6_000);
    });
    assert.ok(d);
    const dd = d;
    await rec.step('alone → MASTER', () => expectEnter(dd, both, 'MASTER', mdiMs(90) + SLACK, () => undefined));
    await rec.step('VI_1 check fails → FAULT', () => expectEnter(dd, both, 'FAULT', SLACK, () => rec.fail(true)));
    await rec.step('check recovers alone → BACKUP', () => expectEnter(dd, both, 'BACKUP', SLACK, () => rec.fail(false)));
    await rec.step('alone → MASTER again', () => expectEnter(dd, both, 'MASTER', mdiMs(90) + SLACK, () => undefined));
    await rec.step('SIGTERM → STOP', () => stopDaemon(dd));
    return rec;
  } catch (e) {
    throw new Error(`${(e as Error).message}\nsteps so far: ${JSON.stringify(rec.steps, null, 1)}\n${daemons.map(tail).join('\n')}`);
  }
}

describe('notify contract: a sync group', { concurrency: true }, () => {
  for (const impl of ALL_IMPLS) {
    test(impl, { skip: skip || (IMPLS.includes(impl) ? false : 'not selected by TSV_E2E_IMPL'), timeout: 60_000 }, async (t) => {
      const rec = await runSync(impl);
      t.diagnostic(`${impl} FIFO: ${JSON.stringify(rec.fifo)}`);
      for (const s of rec.steps) t.diagnostic(`${impl} ${s.name}: ${JSON.stringify(s.scripts)}`);
      keep('sync', impl, rec);
      checkContract(impl, rec, SYNC_EXPECTED);
    });
  }
});
test('notify contract: a sync group: tsvrrpd records the same as keepalived', { skip: compareSkip }, () => compareRecords('sync'));

// ---------------------------------------------------------------------------------------
// Scenario 3: notify scripts that hang or fail do not delay a takeover.

const HANG_VRID = 71;

interface WireAdvert {
  readonly time: number;
  readonly src: string;
  readonly vrid: number;
  readonly prio: number;
}
function readAdverts(file: string): WireAdvert[] {
  const out = spawnSync('tshark', ['-r', file, '-Y', 'vrrp', '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'vrrp.virt_rtr_id', '-e', 'vrrp.prio'], {
    encoding: 'utf8',
  }).stdout;
  return lines(out ?? '').map((l) => {
    const [time, src, vrid, prio] = l.split(',');
    return { time: Number(time), src: src ?? '', vrid: Number(vrid), prio: Number(prio) };
  });
}

async function runHang(impl: Impl): Promise<void> {
  const l = lab(impl);
  const dir = secureDir(l.dir, 'hang');
  const hangPids = path.join(dir, 'hang.pids');
  const failCalls = path.join(dir, 'fail.calls');
  const hang = path.join(dir, 'hang.sh');
  const failing = path.join(dir, 'fail.sh');
  writeScript(hang, `echo "$$ $1" >> '${hangPids}'\nexec sleep 30\n`);
  writeScript(failing, `echo "$*" >> '${failCalls}'\nexit 1\n`);
  const conf =
    globalDefs('tsv_nt_hang', null) +
    instanceBlock('VI_1', HANG_VRID, 100, VIP, ` notify_backup "${hang} backup"\n notify_master "${hang} master"\n notify "${failing} generic"\n`);
  const pcap = path.join(dir, 'wire.pcapng');
  const cap = await startCapture(l.sw, 'br0', 'vrrp', pcap);
  procs.add(cap);
  const daemons: Daemon[] = [];
  try {
    const p = startDaemon(l, 'p', dir, 'peer', peerConf(HANG_VRID));
    daemons.push(p);
    await waitEnter(p, ['VI_1'], 'MASTER', mdiMs(200) + SLACK + 2_000);
    const d = startDaemon(l, 'd', dir, 'director', conf);
    daemons.push(d);
    await waitEnter(d, ['VI_1'], 'BACKUP', SLACK + 6_000);
    // Its notify_backup hangs and its generic notify exits 1: both have run.
    await waitFor('notify_backup (hang.sh) to start', () => /^\d+ backup$/m.test(readText(hangPids)), SLACK);
    await waitFor('the generic notify (fail.sh) to run for BACKUP', () => readText(failCalls).includes('generic INSTANCE VI_1 BACKUP 100'), SLACK);
    const backupHang = Number(/^(\d+) backup$/m.exec(readText(hangPids))?.[1]);
    await sleep(1_500); // a few of the peer's adverts reach the BACKUP director

    // The peer freezes like a crashed host: no adverts, no priority 0.
    const peerVrrp = await vrrpPid(p);
    process.kill(peerVrrp, 'SIGSTOP');
    await waitEnter(d, ['VI_1'], 'MASTER', mdiMs(100) + SLACK);
    assert.ok(alive(backupHang), `notify_backup (pid ${backupHang}) was still hanging when ${impl} took over`);
    assert.equal(d.proc.exitCode, null, `${impl} still runs`);
    await waitFor('notify_master (hang.sh) to start', () => /^\d+ master$/m.test(readText(hangPids)), SLACK);
    await waitFor('the generic notify (fail.sh) to run for MASTER', () => readText(failCalls).includes('generic INSTANCE VI_1 MASTER 100'), SLACK);
    await sleep(3_500); // adverts while notify_master hangs
    const masterHang = Number(/^(\d+) master$/m.exec(readText(hangPids))?.[1]);
    assert.ok(alive(masterHang), `notify_master (pid ${masterHang}) is still hanging`);

    await sleep(1_000); // dumpcap writes the last frames
    cap.kill('SIGINT');
    await exited(cap);

    const adverts = readAdverts(pcap).filter((a) => a.vrid === HANG_VRID);
    const firstD = adverts.find((a) => a.src === IP.d);
    assert.ok(firstD, `${impl} advertised as master (${adverts.length} adverts captured)`);
    const lastP = adverts.filter((a) => a.src === IP.p && a.time < firstD.time).pop();
    assert.ok(lastP, "the peer's adverts were captured");
    const gap = (firstD.time - lastP.time) * 1000;
    const mdi = mdiMs(100);
    assert.ok(gap >= mdi - 50 && gap <= mdi + 1_000, `§6.1 ${impl} took over ${gap.toFixed(0)} ms after the peer's last advert (Master_Down_Interval ${mdi.toFixed(0)} ms, + 1 s margin) while notify scripts hang or fail`);
    // While notify_master hangs, the master keeps its Adver_Timer: one advert a second.
    const fromD = adverts.filter((a) => a.src === IP.d && a.prio === 100);
    assert.ok(fromD.length >= 4, `${impl} kept advertising as master (${fromD.length} adverts)`);
    for (let n = 1; n < fromD.length; n++) {
      const dt = ((fromD[n] as WireAdvert).time - (fromD[n - 1] as WireAdvert).time) * 1000;
      assert.ok(dt <= 1_500, `${impl}: adverts ${dt.toFixed(0)} ms apart while notify_master hangs (advert_int 1 s)`);
    }

    // SIGTERM is not held up by the hanging scripts (keepalived gives STOP scripts 1 s).
    process.kill(peerVrrp, 'SIGKILL');
    p.proc.kill('SIGKILL');
    const stopMs = await stopDaemon(d, 5_000);
    assert.ok(stopMs < 3_000, `${impl} stopped ${stopMs} ms after SIGTERM while notify scripts hang`);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${daemons.map(tail).join('\n')}`);
  }
}

describe('notify scripts that hang or exit 1 do not delay a takeover', { concurrency: true }, () => {
  for (const impl of ALL_IMPLS) {
    test(impl, { skip: skip || (IMPLS.includes(impl) ? false : 'not selected by TSV_E2E_IMPL'), timeout: 60_000 }, () => runHang(impl));
  }
});
