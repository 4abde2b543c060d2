/**
 * tsvrrpd against a real keepalived 2.2.7 on one bridge LAN (network namespaces): multicast
 * with tsvrrpd as the higher priority, then with the priorities swapped (election, SIGTERM of
 * the master → the peer takes the VIP, restart → preemption), and unicast with nopreempt on
 * both (handover both ways; the restarted former master does not take the VIP back). At every
 * settled point exactly one node holds the VIP; neither side logs an invalid or mismatched
 * advert; tshark on the bridge checks every advert (TTL 255, checksum, unicast destination).
 * Needs root, keepalived, tshark and the native addon; everything is cleaned up in after().
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBridgeLan, exited, have, pidExists, readPid, sleep, startCapture as startTshark, waitFor } from '../support/netns';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ID = process.pid;
const SW = `tsv-ik-sw-${ID}`;
/** Node T runs tsvrrpd, node K runs keepalived. */
type Node = 't' | 'k';
const NODES: Record<Node, { ns: string; ip: string }> = { t: { ns: `tsv-ik-t-${ID}`, ip: '10.77.0.1' }, k: { ns: `tsv-ik-k-${ID}`, ip: '10.77.0.2' } };
const VIP = '10.77.0.100';
/** RFC 3768 §6.1 Master_Down_Interval for advert_int 1, in ms; deadlines add a few seconds. */
const mdiMs = (prio: number): number => (3 + (256 - prio) / 256) * 1000;
const SLACK = 3_000;
const addon = fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node'));
const skip =
  process.getuid?.() !== 0 ? 'needs root' : !have('tshark') || !have('keepalived') ? 'needs tshark and keepalived (scripts/setup.sh)' : !addon ? 'needs the native addon (npm ci)' : false;

let dir = '';
let tshark: ChildProcess | null = null;
/** Every process started, so after() can always stop it; and keepalived's pid files. */
const procs = new Set<ChildProcess>();
const kaPidFiles: string[] = [];
const running = new Map<Node, { proc: ChildProcess; pidFile: string; initsBefore: number }>();
let runSeq = 0;
/** How many times each node was stopped while holding the VIP (each must send one priority 0). */
const masterStops: Record<Node, number> = { t: 0, k: 0 };

/** Poll `cond` for `ms`: it must hold at every sample. */
async function holdsFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    assert.ok(cond(), `${what}\n${logsForFailure()}`);
    await sleep(20);
  }
}
function hasVip(node: Node): boolean {
  return spawnSync('ip', ['-n', NODES[node].ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout.includes(` ${VIP}/`);
}
/** A settled point: exactly one node holds the VIP, and it is `master`. */
function assertOnlyMaster(master: Node, when: string): void {
  const t = hasVip('t');
  const k = hasVip('k');
  assert.equal(Number(t) + Number(k), 1, `${when}: exactly one node holds the VIP (tsvrrpd ${t}, keepalived ${k})\n${logsForFailure()}`);
  assert.ok(master === 't' ? t : k, `${when}: ${master === 't' ? 'tsvrrpd' : 'keepalived'} holds the VIP`);
}
const logFile = (node: Node, scenario: string): string => path.join(dir, `${scenario}-${node}.log`);
const readLog = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
let currentScenario = '';
function logsForFailure(): string {
  if (!currentScenario) return '';
  return (['t', 'k'] as const).map((n) => `--- ${n === 't' ? 'tsvrrpd' : 'keepalived'} log (${currentScenario}) ---\n${readLog(logFile(n, currentScenario))}`).join('\n');
}

interface Scenario {
  name: string;
  vrid: number;
  prio: Record<Node, number>;
  unicast: boolean;
}
function conf(node: Node, s: Scenario): string {
  const peer = node === 't' ? 'k' : 't';
  const unicast = s.unicast ? ` nopreempt\n unicast_src_ip ${NODES[node].ip}\n unicast_peer {\n  ${NODES[peer].ip}\n }\n` : '';
  const file = path.join(dir, `${s.name}-${node}.conf`);
  fs.writeFileSync(
    file,
    `vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id ${s.vrid}\n priority ${s.prio[node]}\n advert_int 1\n${unicast}` +
      ` authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n }\n virtual_ipaddress {\n  ${VIP}/24\n }\n}\n`,
  );
  return file;
}
function start(node: Node, s: Scenario): void {
  assert.ok(!running.has(node), `${node} is not running`);
  const n = ++runSeq;
  const err = fs.openSync(logFile(node, s.name), 'a');
  const p = (name: string): string => path.join(dir, `${node}-${n}.${name}.pid`);
  const args =
    node === 't'
      ? [...tsvrrpdNode(), '-n', '-l', '-G', '-D', '-f', conf(node, s), '-p', p('main')]
      : ['keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf(node, s), '-p', p('main'), '-r', p('vrrp'), '-c', p('chk'), '-b', p('bfd')];
  if (node === 'k') kaPidFiles.push(p('main'), p('vrrp'), p('chk'), p('bfd'));
  const initsBefore = initCount(node, s);
  const proc = spawn('ip', ['netns', 'exec', NODES[node].ns, ...args], { stdio: ['ignore', err, err] });
  fs.closeSync(err);
  procs.add(proc);
  running.set(node, { proc, pidFile: p(node === 't' ? 'main' : 'vrrp'), initsBefore });
}
/** The log is appended to across restarts: count the start-ups seen so far. */
const initCount = (node: Node, s: Scenario): number => (readLog(logFile(node, s.name)).match(/\(VI_1\) Entering BACKUP STATE \(init\)/g) ?? []).length;
/** Wait until the daemon's VRRP process is up (its pid file written) and this run's instance is in BACKUP. */
async function waitStarted(node: Node, s: Scenario): Promise<void> {
  const r = running.get(node);
  assert.ok(r);
  await waitFor(`${node} to write its pid file`, () => readPid(r.pidFile) !== null, 10_000);
  await waitFor(`${node} to enter BACKUP`, () => initCount(node, s) > r.initsBefore, 10_000);
}
/** SIGTERM: tsvrrpd itself; keepalived's parent, which stops its VRRP child gracefully (priority 0). */
async function stop(node: Node): Promise<void> {
  const r = running.get(node);
  assert.ok(r);
  const vrrpPid = readPid(r.pidFile);
  if (hasVip(node)) masterStops[node] += 1;
  r.proc.kill('SIGTERM');
  await exited(r.proc);
  if (vrrpPid !== null) await waitFor(`${node}'s VRRP process ${vrrpPid} to exit`, () => !pidExists(vrrpPid), 5_000);
  running.delete(node);
}
/** Stop the BACKUP first, so the MASTER's priority-0 advert finds nobody to take over. */
async function stopAll(): Promise<void> {
  const order = [...running.keys()].sort((a, b) => Number(hasVip(a)) - Number(hasVip(b)));
  for (const n of order) await stop(n);
}
async function startCapture(s: Scenario): Promise<void> {
  tshark = await startTshark(SW, 'br0', 'vrrp', path.join(dir, `${s.name}.pcapng`));
  procs.add(tshark);
  await sleep(300);
}
/** Stop the capture (so the file is complete) and read its adverts. */
async function stopCapture(s: Scenario): Promise<WireAdvert[]> {
  await sleep(1_000); // let dumpcap write the last frames (the final priority-0 advert)
  tshark?.kill('SIGINT');
  if (tshark) await exited(tshark);
  tshark = null;
  return wireAdverts(s);
}

interface WireAdvert {
  src: string;
  dst: string;
  vrid: number;
  prio: number;
  ttl: number;
  checksumGood: boolean;
}
function wireAdverts(s: Scenario): WireAdvert[] {
  const fields = ['ip.src', 'ip.dst', 'vrrp.virt_rtr_id', 'vrrp.prio', 'ip.ttl', 'vrrp.checksum.status'];
  const out = spawnSync('tshark', ['-r', path.join(dir, `${s.name}.pcapng`), '-Y', 'vrrp', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).stdout;
  return out
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [src, dst, vrid, prio, ttl, status] = l.split(',');
      return { src: src ?? '', dst: dst ?? '', vrid: Number(vrid), prio: Number(prio), ttl: Number(ttl), checksumGood: status === '1' };
    });
}
/** Lines where a side complains about the other's adverts (keepalived and tsvrrpd share wording). */
const COMPLAINT = /invalid|mismatch|not present in|bad |wrong/i;
function complaints(node: Node, s: Scenario): string[] {
  return readLog(logFile(node, s.name))
    .split('\n')
    .filter((l) => COMPLAINT.test(l));
}
function assertNoComplaints(s: Scenario): void {
  const k = complaints('k', s);
  assert.deepEqual(k, [], `keepalived complained about tsvrrpd's adverts:\n${k.join('\n')}`);
  const t = complaints('t', s);
  assert.deepEqual(t, [], `tsvrrpd complained about keepalived's adverts:\n${t.join('\n')}`);
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-ik-'));
  buildBridgeLan(SW, NODES);
});

after(async () => {
  if (skip) return;
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill(p === tshark ? 'SIGINT' : 'SIGKILL');
  for (const f of kaPidFiles) {
    const pid = readPid(f);
    if (pid !== null && pidExists(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const p of procs) await exited(p);
  for (const ns of [SW, NODES.t.ns, NODES.k.ns]) spawnSync('ip', ['netns', 'del', ns]);
  if (dir && !process.env.TSV_KEEP_LOGS) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every advert of the scenario: TTL 255, good checksum, the right destination and priority. */
function checkWire(s: Scenario, adverts: WireAdvert[]): void {
  const mine = adverts.filter((a) => a.vrid === s.vrid);
  for (const node of ['t', 'k'] as const) {
    const peer: Node = node === 't' ? 'k' : 't';
    const from = mine.filter((a) => a.src === NODES[node].ip);
    const who = node === 't' ? 'tsvrrpd' : 'keepalived';
    assert.ok(from.filter((a) => a.prio > 0).length >= 3, `${who} advertised (${from.length} adverts captured)`);
    for (const a of from) {
      assert.equal(a.ttl, 255, `${who}: §5.2.3 TTL 255`);
      assert.ok(a.checksumGood, `${who}: §5.3.8 checksum Good`);
      assert.equal(a.dst, s.unicast ? NODES[peer].ip : '224.0.0.18', `${who}: adverts go to ${s.unicast ? 'the unicast_peer' : 'the group'}`);
      assert.ok(a.prio === 0 || a.prio === s.prio[node], `${who}: advertises its priority ${s.prio[node]} (got ${a.prio})`);
    }
    assert.equal(from.filter((a) => a.prio === 0).length, masterStops[node], `${who}: one priority-0 advert per stop as master`);
  }
  assert.equal(mine.length, adverts.length, 'no adverts from other VRIDs or hosts');
}

async function beginScenario(s: Scenario): Promise<void> {
  currentScenario = s.name;
  masterStops.t = 0;
  masterStops.k = 0;
  await startCapture(s);
}

/** Multicast, `high` has the higher priority: election, SIGTERM → takeover, restart → preemption. */
async function preemptScenario(s: Scenario, high: Node): Promise<void> {
  await beginScenario(s);
  const low: Node = high === 't' ? 'k' : 't';
  // The higher priority first: node starts in ~0.8 s, keepalived at once; started together,
  // keepalived (100) could time out first and be master briefly before the preemption.
  start(high, s);
  await waitStarted(high, s);
  start(low, s);
  await waitStarted(low, s);
  await waitFor(`${high} (priority ${s.prio[high]}) to hold the VIP`, () => hasVip(high), mdiMs(s.prio[high]) + SLACK);
  // The lower priority's own Master_Down_Interval passes: it must stay BACKUP.
  await holdsFor(`${low} stays BACKUP while ${high} is master`, () => hasVip(high) && !hasVip(low), mdiMs(s.prio[low]) - mdiMs(s.prio[high]) + 1_000);
  assertOnlyMaster(high, 'after the election');

  await stop(high);
  assert.equal(hasVip(high), false, `SIGTERM removes the VIP from ${high}`);
  await waitFor(`${low} to take the VIP after ${high}'s priority-0 advert`, () => hasVip(low), 1_000 + SLACK);
  assertOnlyMaster(low, `after ${high} stopped`);

  start(high, s);
  await waitStarted(high, s);
  await waitFor(`restarted ${high} to preempt`, () => hasVip(high) && !hasVip(low), mdiMs(s.prio[high]) + SLACK);
  await sleep(1_000);
  assertOnlyMaster(high, 'after preemption');
  await stopAll();
  assert.ok(!hasVip('t') && !hasVip('k'), 'no VIP left after both stopped');
  checkWire(s, await stopCapture(s));
  assertNoComplaints(s);
}

const masterCount = (node: Node, s: Scenario): number => (readLog(logFile(node, s.name)).match(/\(VI_1\) Entering MASTER STATE/g) ?? []).length;

test('multicast: tsvrrpd 150 vs keepalived 100: tsvrrpd master, SIGTERM → keepalived takes over, restart → tsvrrpd preempts', { skip, timeout: 40_000 }, async () => {
  const s: Scenario = { name: 'mc-t-high', vrid: 51, prio: { t: 150, k: 100 }, unicast: false };
  await preemptScenario(s, 't');
  assert.equal(masterCount('t', s), 2, 'tsvrrpd was master twice (start, preemption)');
  assert.equal(masterCount('k', s), 1, 'keepalived was master once (after the SIGTERM)');
  assert.match(readLog(logFile('k', s.name)), /\(VI_1\) Backup received priority 0 advertisement/, "keepalived took tsvrrpd's priority-0 advert");
});

test('multicast: keepalived 150 vs tsvrrpd 100: keepalived master, SIGTERM → tsvrrpd takes over, restart → keepalived preempts', { skip, timeout: 40_000 }, async () => {
  const s: Scenario = { name: 'mc-k-high', vrid: 52, prio: { t: 100, k: 150 }, unicast: false };
  await preemptScenario(s, 'k');
  assert.equal(masterCount('k', s), 2, 'keepalived was master twice (start, preemption)');
  assert.equal(masterCount('t', s), 1, 'tsvrrpd was master once (after the SIGTERM)');
  assert.match(readLog(logFile('t', s.name)), /\(VI_1\) Entering BACKUP STATE(?! \(init\))/, 'tsvrrpd went back to BACKUP on preemption');
});

test('unicast with nopreempt: one master at a time, handover both ways on SIGTERM, no take-back after restart', { skip, timeout: 60_000 }, async () => {
  // tsvrrpd has the higher priority, so only nopreempt keeps it from taking the VIP back.
  const s: Scenario = { name: 'uc', vrid: 53, prio: { t: 150, k: 100 }, unicast: true };
  await beginScenario(s);
  // tsvrrpd first: with nopreempt, whoever times out first keeps the VIP.
  start('t', s);
  await waitStarted('t', s);
  start('k', s);
  await waitStarted('k', s);
  await waitFor('one node to become master', () => hasVip('t') || hasVip('k'), mdiMs(100) + SLACK);
  await sleep(1_000);
  assertOnlyMaster('t', 'after the election (priority 150, Master_Down 3.41 s, wins)');

  await stop('t');
  await waitFor('keepalived to take the VIP after tsvrrpd stopped', () => hasVip('k'), 1_000 + SLACK);
  assertOnlyMaster('k', 'after tsvrrpd stopped');

  // The restarted former master (higher priority, nopreempt) must stay BACKUP past its MDI.
  start('t', s);
  await waitStarted('t', s);
  await holdsFor('restarted tsvrrpd does not take the VIP back (nopreempt)', () => hasVip('k') && !hasVip('t'), mdiMs(s.prio.t) + SLACK);
  assertOnlyMaster('k', 'after tsvrrpd restarted');

  await stop('k');
  await waitFor('tsvrrpd to take the VIP after keepalived stopped', () => hasVip('t'), 1_000 + SLACK);
  assertOnlyMaster('t', 'after keepalived stopped');

  start('k', s);
  await waitStarted('k', s);
  await holdsFor('restarted keepalived does not take the VIP back', () => hasVip('t') && !hasVip('k'), mdiMs(s.prio.k) + SLACK);
  assertOnlyMaster('t', 'after keepalived restarted');
  await stopAll();

  checkWire(s, await stopCapture(s));
  assertNoComplaints(s);
  assert.equal(masterCount('t', s), 2, 'tsvrrpd was master twice (start, after keepalived stopped)');
  assert.equal(masterCount('k', s), 1, 'keepalived was master once (after tsvrrpd stopped)');
  assert.match(readLog(logFile('k', s.name)), /\(VI_1\) Backup received priority 0 advertisement/, "keepalived took tsvrrpd's unicast priority-0 advert");
  assert.match(readLog(logFile('t', s.name)), /\(VI_1\) Backup received priority 0 advertisement/, "tsvrrpd took keepalived's unicast priority-0 advert");
});
