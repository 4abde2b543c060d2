/**
 * Receive validation on a real LAN (checklist section B, #18–#33; RFC 3768 §7.1, §5.3): one
 * tsvrrpd MASTER (priority 100, VRID 51, PASS s3cr3t, VIP 10.77.0.100/24) on a bridge; from a
 * client namespace the injector (injector.ts) sends adverts with priority 200 from 10.77.0.60,
 * each carrying exactly one defect of the forged-advert matrix. The DUT must keep the VIP,
 * keep advertising on schedule and log keepalived's reason; the valid control makes it yield.
 * Priority 0 and a lower priority get an advert back within 50 ms on the wire (§6.4.3, D2),
 * and invalid adverts from a dead master's address are no heartbeat (#32).
 * tshark on the bridge sees every injected frame, so a broken injector cannot pass a case.
 * Needs root, tshark and the native addon; namespaces and processes are always cleaned up.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBridgeLan, exited, have, sleep, waitFor } from '../support/netns';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const INJECTOR = path.join(ROOT, 'dist', 'test', 'integration', 'injector.js');
const ID = process.pid;
const SW = `tsv-fa-sw-${ID}`;
const NODES = {
  a: { ns: `tsv-fa-a-${ID}`, ip: '10.77.0.1', prio: 100 }, // the DUT
  b: { ns: `tsv-fa-b-${ID}`, ip: '10.77.0.2', prio: 150 }, // a real master, for #32 only
  c: { ns: `tsv-fa-c-${ID}`, ip: '10.77.0.50', prio: 0 }, // injector
};
type Daemon = 'a' | 'b';
const VIP = '10.77.0.100';
const FORGED_SRC = '10.77.0.60';
const MDI_DUT = 3 + (256 - NODES.a.prio) / 256;
const addon = fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node'));
const skip = process.getuid?.() !== 0 ? 'needs root' : !have('tshark') ? 'needs tshark' : !addon ? 'needs the native addon (npm ci)' : false;

let dir = '';
let tshark: ChildProcess | null = null;
const daemons = new Map<Daemon, ChildProcess>();
const injectors = new Set<ChildProcess>();

// ---- wire: tshark on the bridge, dissected live into rows ----

const FIELDS = [
  'frame.time_epoch', 'ip.src', 'ip.dst', 'ip.ttl', 'ip.proto', 'ip.len', 'vrrp.version', 'vrrp.type',
  'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.auth_type', 'vrrp.adver_int', 'vrrp.checksum.status', 'vrrp.auth_string',
] as const;
interface Row {
  time: number;
  src: string;
  dst: string;
  ttl: string;
  proto: string;
  len: string;
  version: string;
  type: string;
  vrid: string;
  prio: string;
  count: string;
  authType: string;
  adver: string;
  checksum: string;
  auth: string;
}
const rows: Row[] = [];
let partial = '';
function onWire(d: Buffer): void {
  partial += d.toString();
  const lines = partial.split('\n');
  partial = lines.pop() ?? '';
  for (const l of lines) {
    const f = l.split('\t');
    const g = (i: number): string => f[i] ?? '';
    rows.push({ time: Number(g(0)), src: g(1), dst: g(2), ttl: g(3), proto: g(4), len: g(5), version: g(6), type: g(7), vrid: g(8), prio: g(9), count: g(10), authType: g(11), adver: g(12), checksum: g(13), auth: g(14) });
  }
}
/** The DUT's own adverts (well-formed, VRID 51) from `from` on. */
function dutAdverts(from = 0): Row[] {
  return rows.filter((r) => r.src === NODES.a.ip && r.proto === '112' && r.vrid === '51' && r.time >= from);
}

// ---- helpers (the daemon-failover.test.ts pattern) ----

function hasVip(node: Daemon): boolean {
  return spawnSync('ip', ['-n', NODES[node].ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout.includes(` ${VIP}/`);
}
/** Polls the DUT's VIP for `ms`: it must be there at every poll (a yield removes it in ms). */
async function holdsVip(what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    assert.ok(hasVip('a'), `${what}: the DUT lost the VIP (it yielded)\n${logTail('a')}`);
    await sleep(20);
  }
}
function conf(node: Daemon): string {
  const file = path.join(dir, `${node}.conf`);
  fs.writeFileSync(
    file,
    `vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority ${NODES[node].prio}\n advert_int 1\n` +
      ` authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n }\n virtual_ipaddress {\n  ${VIP}/24\n }\n}\n`,
  );
  return file;
}
function startDaemon(node: Daemon): ChildProcess {
  const p = spawn('ip', ['netns', 'exec', NODES[node].ns, ...tsvrrpdNode(), '-n', '-l', '-G', '-f', conf(node), '-p', path.join(dir, `${node}.pid`)], {
    stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, `${node}.log`), 'a')],
  });
  daemons.set(node, p);
  return p;
}
function daemonPid(node: Daemon): number {
  return Number(fs.readFileSync(path.join(dir, `${node}.pid`), 'utf8').trim());
}
function logText(node: Daemon): string {
  try {
    return fs.readFileSync(path.join(dir, `${node}.log`), 'utf8');
  } catch {
    return '';
  }
}
function logTail(node: Daemon): string {
  return `--- ${node}.log (tail) ---\n${logText(node).split('\n').slice(-25).join('\n')}`;
}

const BASE = ['--src', FORGED_SRC, '--vrid', '51', '--prio', '200', '--auth-type', '1', '--auth', 's3cr3t', '--addr', VIP];
/** Run the injector in the client namespace; later options override BASE's (parseArgs: last wins). */
async function inject(extra: string[]): Promise<void> {
  const p = spawn('ip', ['netns', 'exec', NODES.c.ns, process.execPath, INJECTOR, '-i', 'eth0', ...BASE, ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  injectors.add(p);
  let err = '';
  p.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const code = await exited(p);
  injectors.delete(p);
  if (code !== 0) throw new Error(`injector ${extra.join(' ')} exited ${code}: ${err}`);
}
function injectInBackground(extra: string[]): ChildProcess {
  const p = spawn('ip', ['netns', 'exec', NODES.c.ns, process.execPath, INJECTOR, '-i', 'eth0', ...BASE, ...extra], { stdio: 'ignore' });
  injectors.add(p);
  void exited(p).then(() => injectors.delete(p));
  return p;
}
/** The first frame from `src` at or after index `from` that matches. */
async function wireFrame(what: string, from: number, match: (r: Row) => boolean, src = FORGED_SRC): Promise<Row> {
  let found: Row | undefined;
  await waitFor(`${what} on the wire`, () => (found = rows.slice(from).find((r) => r.src === src && match(r))) !== undefined, 5_000);
  return found as Row;
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-fa-'));
  buildBridgeLan(SW, NODES);
  let ready = false;
  const args = ['netns', 'exec', SW, 'tshark', '-i', 'br0', '-l', '-n', '-f', 'vrrp or ip proto 113', '-T', 'fields', '-E', 'separator=/t'];
  for (const f of FIELDS) args.push('-e', f);
  tshark = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  tshark.stdout?.on('data', onWire);
  tshark.stderr?.on('data', (d: Buffer) => {
    if (d.toString().includes('Capturing on')) ready = true;
  });
  await waitFor('tshark', () => ready, 15_000);
  await sleep(300);
  startDaemon('a');
  // state BACKUP, alone on the LAN: MASTER after Master_Down_Interval (3.609 s).
  await waitFor('the DUT to become MASTER', () => hasVip('a') && dutAdverts().length >= 1, 15_000);
});

after(async () => {
  if (skip) return;
  for (const p of injectors) p.kill('SIGKILL');
  for (const p of daemons.values()) p.kill('SIGKILL');
  tshark?.kill('SIGINT');
  if (tshark) await exited(tshark);
  for (const ns of [SW, NODES.a.ns, NODES.b.ns, NODES.c.ns]) spawnSync('ip', ['netns', 'del', ns]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Case {
  readonly id: string;
  /** tsvrrpd logs one line per reject reason per 10 s: cases sharing a reason are spaced. */
  readonly reason: string;
  readonly args: string[];
  /** The defect as tshark dissects it: the frame on the wire really carries it. */
  readonly wire: (r: Row) => boolean;
  /** keepalived's wording as tsvrrpd logs it; null where both drop silently. */
  readonly log: RegExp | null;
}
const MATRIX: readonly Case[] = [
  { id: 'T09 8 octets short', reason: 'too_short', args: ['--truncate', '8'], wire: (r) => r.len === '32', log: /\(VI_1\) vrrp packet too short, length 32 and expect 40/ },
  { id: 'T11 auth type 0', reason: 'authtype_mismatch', args: ['--auth-type', '0'], wire: (r) => r.authType === '0', log: /\(VI_1\) received a 0 auth, expecting 1!/ },
  { id: 'T05 TTL 254', reason: 'ttl', args: ['--ttl', '254'], wire: (r) => r.ttl === '254', log: /\(VI_1\) invalid TTL\/HL\. Received 254 and expect 255/ },
  { id: 'T06 version 3', reason: 'length_mismatch', args: ['--version', '3'], wire: (r) => r.version === '3', log: /\(VI_1\) vrrp packet too long, length 40 and expect 32/ },
  { id: 'T08 bad checksum', reason: 'checksum', args: ['--bad-checksum'], wire: (r) => r.checksum === '0' && r.len === '40', log: /\(VI_1\) Invalid VRRPv2 checksum/ },
  { id: 'T10 VRID 52', reason: 'vrid', args: ['--vrid', '52'], wire: (r) => r.vrid === '52', log: null },
  { id: 'T07 type 2', reason: 'type', args: ['--type', '2'], wire: (r) => r.type === '2', log: /\(VI_1\) Invalid packet type\. 2/ },
  { id: 'T12 wrong password', reason: 'auth_failure', args: ['--auth', 'wrong'], wire: (r) => r.auth === 'wrong', log: /\(VI_1\) received an invalid passwd!/ },
  { id: 'T14 adver_int 2', reason: 'adver_int_mismatch', args: ['--adver', '2'], wire: (r) => r.adver === '2', log: /\(VI_1\) advertisement interval mismatch mine=1 sec rcv'd=2 sec/ },
  // keepalived is silent here (its socket is bound to 224.0.0.18); tsvrrpd says why.
  { id: 'T18 unicast destination', reason: 'mcast_unicast_mismatch', args: ['--dst', NODES.a.ip], wire: (r) => r.dst === NODES.a.ip, log: /\(VI_1\) Expected multicast packet but received unicast packet/ },
  { id: 'T19 IP protocol 113', reason: 'none', args: ['--proto', '113'], wire: (r) => r.proto === '113', log: null },
  // Late: same reason as T11 (auth type mismatch), whose line opened a 10 s rate-limit window.
  { id: 'T13 auth type 2', reason: 'authtype_mismatch', args: ['--auth-type', '2'], wire: (r) => r.authType === '2', log: /\(VI_1\) received a 2 auth, expecting 1!/ },
  // Last: same reason as T09 (too short).
  { id: 'T17 count 2 with 1 address', reason: 'too_short', args: ['--count', '2'], wire: (r) => r.count === '2' && r.len === '40', log: /\(VI_1\) vrrp packet too short, length 40 and expect 44/ },
];

test('§7.1 forged-advert matrix: every single defect at priority 200 is discarded, logged, and the DUT stays MASTER', { skip, timeout: 60_000 }, async (t) => {
  await waitFor('the DUT to be MASTER', () => hasVip('a'), 10_000);
  const start = Date.now() / 1000;
  const reasonAt = new Map<string, number>();
  for (const c of MATRIX) {
    await sleep(Math.max(0, (reasonAt.get(c.reason) ?? -Infinity) + 10_500 - Date.now()));
    reasonAt.set(c.reason, Date.now());
    const logFrom = logText('a').length;
    const wireFrom = rows.length;
    await inject(c.args);
    const frame = await wireFrame(`${c.id}: the forged frame`, wireFrom, c.wire);
    assert.equal(frame.prio === '' ? '200' : frame.prio, '200', `${c.id}: forged with priority 200`);
    await holdsVip(c.id, 400);
    if (c.log !== null) {
      const re = c.log;
      await waitFor(`${c.id}: the DUT to log ${re.source}`, () => re.test(logText('a').slice(logFrom)), 3_000).catch((e: unknown) => {
        throw new Error(`${String(e)}\n${logTail('a')}`);
      });
    }
    const since = logText('a').slice(logFrom);
    assert.doesNotMatch(since, /Entering BACKUP STATE|higher priority|Entering MASTER STATE/, `${c.id}: no state change logged`);
  }
  // It kept advertising on schedule through the whole matrix: a yield would leave a gap of
  // Master_Down_Interval, and no defect may provoke an extra advert.
  await sleep(1_200);
  const ads = dutAdverts(start - 1);
  const span = Date.now() / 1000 - start;
  assert.ok(ads.length >= Math.floor(span) - 1, `${ads.length} DUT adverts in ${span.toFixed(1)} s`);
  const gaps = ads.slice(1).map((r, i) => r.time - (ads[i] as Row).time);
  t.diagnostic(`${MATRIX.length} defects in ${span.toFixed(1)} s; ${ads.length} DUT adverts, gaps ${Math.min(...gaps).toFixed(4)}..${Math.max(...gaps).toFixed(4)} s`);
  for (const gap of gaps) assert.ok(gap > 0.95 && gap < 1.05, `advert gap ${gap.toFixed(4)} s during the matrix (Adver_Timer 1 s)`);
  for (const a of ads) assert.equal(a.prio, '100', 'the DUT advertised its own priority throughout');
  assert.ok(hasVip('a'), 'the DUT still holds the VIP after the matrix');
});

/**
 * Inject a valid advert at priority `prio` half-way between two of the DUT's adverts (the
 * schedule read off the wire) and measure the DUT's answer there. Without an immediate
 * answer the DUT's next advert would come ~0.5 s later, so the 50 ms bound can fail.
 */
async function immediateAnswer(prio: number): Promise<{ phase: number; reply: number; next: number }> {
  const last = dutAdverts().pop();
  assert.ok(last, 'the DUT is advertising');
  let at = last.time + 0.5;
  while (at < Date.now() / 1000 + 0.8) at += 1; // time for the injector to start
  const wireFrom = rows.length;
  await inject(['--prio', String(prio), '--at', at.toFixed(3)]);
  const frame = await wireFrame(`the priority-${prio} advert`, wireFrom, (r) => r.prio === String(prio) && r.ttl === '255' && r.checksum === '1');
  await waitFor(`two DUT adverts after the priority-${prio} advert`, () => dutAdverts(frame.time).length >= 2, 5_000);
  const prev = dutAdverts().filter((r) => r.time < frame.time).pop() as Row;
  const [reply, next] = dutAdverts(frame.time) as [Row, Row];
  return { phase: frame.time - prev.time, reply: reply.time - frame.time, next: next.time - reply.time };
}

test('§6.4.3 priority 0 and lower priority (50): an advert back within 50 ms, Adver_Timer reset, DUT stays MASTER', { skip, timeout: 60_000 }, async (t) => {
  await waitFor('the DUT to be MASTER', () => hasVip('a'), 10_000);
  for (const prio of [0, 50]) {
    const logFrom = logText('a').length;
    const { phase, reply, next } = await immediateAnswer(prio);
    assert.ok(phase > 0.15 && phase < 0.85, `priority ${prio}: injected ${phase.toFixed(3)} s after a periodic advert (the schedule cannot fake an answer)`);
    t.diagnostic(`priority ${prio}: injected at phase ${phase.toFixed(3)} s, answer after ${(reply * 1000).toFixed(2)} ms, next advert ${next.toFixed(4)} s later`);
    assert.ok(reply < 0.05, `priority ${prio}: the DUT answered ${(reply * 1000).toFixed(2)} ms after the injected advert (≤ 50 ms)`);
    assert.ok(Math.abs(next - 1) < 0.05, `priority ${prio}: next periodic advert ${next.toFixed(4)} s after the answer (timer reset to 1 s)`);
    await holdsVip(`priority ${prio}`, 300);
    const since = logText('a').slice(logFrom);
    assert.doesNotMatch(since, /Entering BACKUP STATE/, `priority ${prio}: no state change`);
    if (prio === 50) assert.match(since, /\(VI_1\) Received advert from 10\.77\.0\.60 with lower priority 50, ours 100, forcing new election/, logTail('a'));
  }
});

test('#18 control: a valid priority-200 advert makes the DUT yield at once', { skip, timeout: 60_000 }, async () => {
  await waitFor('the DUT to be MASTER', () => hasVip('a'), 10_000);
  const logFrom = logText('a').length;
  const wireFrom = rows.length;
  await inject([]);
  const frame = await wireFrame('the valid priority-200 advert', wireFrom, (r) => r.prio === '200' && r.ttl === '255' && r.checksum === '1' && r.vrid === '51');
  await waitFor('the DUT to remove the VIP', () => !hasVip('a'), 3_000);
  const since = logText('a').slice(logFrom);
  assert.match(since, /\(VI_1\) Master received advert from 10\.77\.0\.60 with higher priority 200, ours 100/, logTail('a'));
  assert.match(since, /\(VI_1\) Entering BACKUP STATE/);
  // A backup is silent (§6.4.2): nothing from the DUT for the next 2 s.
  await sleep(2_000);
  assert.deepEqual(dutAdverts(frame.time + 0.05).filter((r) => r.time < frame.time + 2), [], 'no DUT advert after yielding');
});

test('#32 invalid adverts from the dead master\'s address are no heartbeat: takeover at Master_Down_Interval', { skip, timeout: 60_000 }, async (t) => {
  // A real master (priority 150) takes over from the DUT, which becomes BACKUP under it.
  startDaemon('b');
  await waitFor('B (priority 150) to be MASTER with the DUT as BACKUP', () => hasVip('b') && !hasVip('a'), 20_000);
  await waitFor('B advertising', () => rows.filter((r) => r.src === NODES.b.ip && r.prio === '150').length >= 2, 5_000);
  assert.equal(hasVip('a'), false, 'the DUT is BACKUP under B');
  // Invalid adverts from B's address, one kind per second each, half a second apart.
  const forged = ['--src', NODES.b.ip, '--prio', '150', '--repeat', '7', '--interval', '1'];
  const ttlBad = injectInBackground([...forged, '--ttl', '254']);
  await sleep(500);
  const sumBad = injectInBackground([...forged, '--bad-checksum']);
  await sleep(200);
  process.kill(daemonPid('b'), 'SIGKILL');
  await exited(daemons.get('b') as ChildProcess);
  await waitFor('the DUT to take over despite the invalid adverts', () => hasVip('a'), 10_000);
  await Promise.all([exited(ttlBad), exited(sumBad)]);
  await sleep(200);

  const fromB = rows.filter((r) => r.src === NODES.b.ip);
  const lastReal = fromB.filter((r) => r.ttl === '255' && r.checksum === '1').pop();
  assert.ok(lastReal, "B's last valid advert captured");
  const firstDut = dutAdverts(lastReal.time)[0];
  assert.ok(firstDut, "the DUT's takeover advert captured");
  const invalidBetween = fromB.filter((r) => r.time > lastReal.time && r.time < firstDut.time);
  assert.ok(invalidBetween.length >= 4, `${invalidBetween.length} invalid adverts from ${NODES.b.ip} while the DUT waited`);
  for (const r of invalidBetween) assert.ok(r.ttl === '254' || r.checksum === '0', 'only invalid adverts from B after its death');
  const gap = firstDut.time - lastReal.time;
  t.diagnostic(`takeover ${gap.toFixed(4)} s after B's last valid advert, ${invalidBetween.length} invalid adverts in between`);
  assert.ok(gap >= MDI_DUT - 0.005 && gap <= MDI_DUT + 0.05, `takeover ${gap.toFixed(4)} s after B's last valid advert (MDI ${MDI_DUT} s)\n${logTail('a')}`);
  assert.match(logText('a'), /\(VI_1\) Entering MASTER STATE[\s\S]*Entering BACKUP STATE[\s\S]*Entering MASTER STATE/);
});
