/**
 * Two tsvrrpd daemons on a real bridge LAN (network namespaces) with a client: election,
 * SIGKILL of the master → takeover at Master_Down_Interval on the wire, restart → stale VIP
 * removed then preemption, SIGTERM → one priority-0 advert and takeover in Skew_Time; the
 * client keeps reaching the VIP. tshark on the bridge checks every advert (TTL 255, checksum).
 * Needs root, tshark and the native addon; namespaces and processes are always cleaned up.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBridgeLan, exited, have, sh, sleep, startCapture, waitFor } from '../support/netns';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ID = process.pid;
const SW = `tsv-df-sw-${ID}`;
const NODES = { a: { ns: `tsv-df-a-${ID}`, ip: '10.77.0.1', prio: 150 }, b: { ns: `tsv-df-b-${ID}`, ip: '10.77.0.2', prio: 100 }, c: { ns: `tsv-df-c-${ID}`, ip: '10.77.0.50', prio: 0 } };
const VIP = '10.77.0.100';
const addon = fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node'));
const skip = process.getuid?.() !== 0 ? 'needs root' : !have('tshark') ? 'needs tshark' : !addon ? 'needs the native addon (npm ci)' : false;

let dir = '';
let tshark: ChildProcess | null = null;
const daemons = new Map<'a' | 'b', ChildProcess>();

function hasVip(node: 'a' | 'b'): boolean {
  return spawnSync('ip', ['-n', NODES[node].ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout.includes(` ${VIP}/`);
}
function clientPings(): boolean {
  return spawnSync('ip', ['netns', 'exec', NODES.c.ns, 'ping', '-c', '1', '-W', '1', VIP]).status === 0;
}
function conf(node: 'a' | 'b'): string {
  const file = path.join(dir, `${node}.conf`);
  fs.writeFileSync(
    file,
    `vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority ${NODES[node].prio}\n advert_int 1\n` +
      ` authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n }\n virtual_ipaddress {\n  ${VIP}/24\n }\n}\n`,
  );
  return file;
}
function startDaemon(node: 'a' | 'b'): ChildProcess {
  const p = spawn('ip', ['netns', 'exec', NODES[node].ns, ...tsvrrpdNode(), '-n', '-l', '-G', '-f', conf(node), '-p', path.join(dir, `${node}.pid`)], {
    stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, `${node}.log`), 'a')],
  });
  daemons.set(node, p);
  return p;
}
function daemonPid(node: 'a' | 'b'): number {
  return Number(fs.readFileSync(path.join(dir, `${node}.pid`), 'utf8').trim());
}

interface WireAdvert {
  time: number;
  src: string;
  prio: number;
  ttl: number;
  checksumGood: boolean;
}
function wireAdverts(): WireAdvert[] {
  const out = spawnSync('tshark', ['-r', path.join(dir, 'wire.pcapng'), '-Y', 'vrrp', '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'vrrp.prio', '-e', 'ip.ttl', '-e', 'vrrp.checksum.status'], {
    encoding: 'utf8',
  }).stdout;
  return out
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [time, src, prio, ttl, status] = l.split(',');
      return { time: Number(time), src: src ?? '', prio: Number(prio), ttl: Number(ttl), checksumGood: status === '1' };
    });
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-df-'));
  buildBridgeLan(SW, NODES);
  tshark = await startCapture(SW, 'br0', 'vrrp or arp', path.join(dir, 'wire.pcapng'));
  await sleep(300);
});

after(async () => {
  if (skip) return;
  for (const p of daemons.values()) p.kill('SIGKILL');
  tshark?.kill('SIGINT');
  if (tshark) await exited(tshark);
  for (const ns of [SW, NODES.a.ns, NODES.b.ns, NODES.c.ns]) spawnSync('ip', ['netns', 'del', ns]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('two tsvrrpd on a bridge LAN: election, crash takeover, restart and preemption, graceful handover', { skip, timeout: 120_000 }, async () => {
  startDaemon('b');
  startDaemon('a');
  await waitFor('A (priority 150) to hold the VIP', () => hasVip('a'), 15_000);
  assert.equal(hasVip('b'), false, 'B (priority 100) stays BACKUP');
  await waitFor('the client to reach the VIP on A', clientPings, 10_000);

  // SIGKILL the master: the VIP stays on A's (dead) interface, B takes over at Master_Down.
  const killedAt = Date.now() / 1000;
  process.kill(daemonPid('a'), 'SIGKILL');
  await exited(daemons.get('a') as ChildProcess);
  await waitFor('B to take the VIP after the crash', () => hasVip('b'), 10_000);
  assert.ok(hasVip('a'), 'SIGKILL leaves the VIP on A, like keepalived');
  // Like a crashed host: A's stale address must not answer; remove it as a host failure would.
  sh(['ip', '-n', NODES.a.ns, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
  await waitFor('the client to reach the VIP on B', clientPings, 10_000);

  // Restart A with the VIP put back (a crashed daemon's leftover): it is removed before BACKUP.
  sh(['ip', '-n', NODES.a.ns, 'addr', 'add', `${VIP}/24`, 'dev', 'eth0']);
  startDaemon('a');
  await waitFor('restarted A to remove its stale VIP', () => !hasVip('a'), 5_000);
  await waitFor('A to preempt', () => hasVip('a') && !hasVip('b'), 10_000);
  await waitFor('the client to reach the VIP on A again', clientPings, 10_000);

  // SIGTERM: one priority-0 advert, VIPs removed, exit 0 within 1 s; B takes over in Skew_Time.
  const a = daemons.get('a') as ChildProcess;
  const termAt = Date.now();
  process.kill(daemonPid('a'), 'SIGTERM');
  assert.equal(await exited(a), 0, 'exit 0 after SIGTERM');
  assert.ok(Date.now() - termAt < 1_000, `stopped in ${Date.now() - termAt} ms`);
  assert.equal(hasVip('a'), false, 'SIGTERM removes the VIP');
  await waitFor('B to take over after the priority-0 advert', () => hasVip('b'), 5_000);
  await waitFor('the client to reach the VIP on B at the end', clientPings, 10_000);
  await sleep(1_200);

  // Stop the capture so the file is complete before it is read.
  tshark?.kill('SIGINT');
  if (tshark) await exited(tshark);
  tshark = null;
  const adverts = wireAdverts();
  assert.ok(adverts.length >= 6, `captured ${adverts.length} adverts`);
  for (const ad of adverts) {
    assert.equal(ad.ttl, 255, '§5.2.3 TTL 255');
    assert.ok(ad.checksumGood, '§5.3.8 checksum Good');
  }
  // Crash takeover on the wire: B is silent until it takes over, so its first advert ends the
  // gap that starts with A's last advert before it.
  const firstB = adverts.find((x) => x.src === NODES.b.ip);
  const lastA = adverts.filter((x) => x.src === NODES.a.ip && firstB !== undefined && x.time < firstB.time).pop();
  assert.ok(firstB === undefined || firstB.time > killedAt, 'B sent nothing before the crash');
  assert.ok(lastA && firstB, 'both adverts captured');
  const mdi = 3 + (256 - 100) / 256;
  const crashGap = firstB.time - lastA.time;
  assert.ok(crashGap >= mdi - 0.005 && crashGap <= mdi + 0.05, `§6.1 takeover ${crashGap.toFixed(4)} s after A's last advert (MDI ${mdi} s)`);
  // Graceful handover: exactly one priority-0 advert from A, then B after Skew_Time.
  const zeros = adverts.filter((x) => x.src === NODES.a.ip && x.prio === 0);
  assert.equal(zeros.length, 1, '§6.4.3 one priority-0 advert on shutdown');
  const afterZero = adverts.find((x) => x.src === NODES.b.ip && x.time > (zeros[0] as WireAdvert).time);
  assert.ok(afterZero, 'B advertises after the priority-0 advert');
  const skew = (256 - 100) / 256;
  const gap = afterZero.time - (zeros[0] as WireAdvert).time;
  assert.ok(gap >= skew - 0.005 && gap <= skew + 0.05, `§6.4.2 takeover ${gap.toFixed(4)} s after priority 0 (Skew_Time ${skew} s)`);
});
