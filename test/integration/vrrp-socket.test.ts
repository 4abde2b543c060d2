/**
 * RawVrrpSocketFactory (src/io/vrrp-socket.ts) on the real kernel: two network namespaces
 * joined by a veth pair, our socket opened on each side in a child process
 * (vrrp-socket-peer.ts), adverts sent and received across; tshark on the link checks the IP
 * header we build (RFC 3768 §5.2, keepalived vrrp_build_ip4()); and a real keepalived 2.2.7
 * BACKUP in B stays BACKUP while our priority-200 adverts arrive and takes over once they stop.
 * Needs root, keepalived and tshark; every process started is killed and both namespaces are
 * deleted in after(), even when a test fails.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeAdvert } from '../../src/protocol/advert';
import { labFields } from '../support/protocol-wire';
import type { PeerMessage, PeerRequest } from './vrrp-socket-peer';
import { exited, have, sh, sleep, waitFor } from '../support/netns';

const NS_A = `tsv-vs-a-${process.pid}`;
const NS_B = `tsv-vs-b-${process.pid}`;
const A_IP = '10.77.0.1';
const A_SECONDARY = '10.77.0.60';
const B_IP = '10.77.0.2';
const VIP = '10.77.0.100';
const GROUP = '224.0.0.18';
const PEER = path.join(__dirname, 'vrrp-socket-peer.js');
const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : !have('keepalived') || !have('tshark') ? 'needs keepalived and tshark (scripts/setup.sh)' : false;

type Packet = Extract<PeerMessage, { ev: 'packet' }>;
type Reply = Exclude<PeerMessage, { ev: 'packet' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;





/** SIGTERM (or `signal`), then SIGKILL if it is still there after `graceMs`. */
async function stop(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 2_000): Promise<void> {
  if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
  p.kill(signal);
  await Promise.race([exited(p), sleep(graceMs)]);
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGKILL');
    await exited(p);
  }
}

/** Our socket factory running inside a namespace, driven over IPC. */
class Peer {
  readonly proc: ChildProcess;
  readonly packets: Packet[] = [];
  /** What the socket factory warned about, per open(). */
  readonly warnings: (readonly string[])[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  constructor(ns: string) {
    this.proc = spawn('ip', ['netns', 'exec', ns, process.execPath, PEER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: PeerMessage) => {
      if ('ev' in m) this.packets.push(m);
      else this.waiting.get(m.id)?.(m);
    });
  }

  request(req: DistributiveOmit<PeerRequest, 'id'>): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peer request ${JSON.stringify(req)} timed out`)), 5_000);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(r);
      });
      this.proc.send({ ...req, id });
    });
  }

  async open(ifname: string, own: readonly string[]): Promise<number> {
    const r = await this.request({ op: 'open', ifname, own });
    if (!r.ok || r.sock === undefined) throw new Error(`open ${ifname}: ${JSON.stringify(r)}`);
    this.warnings.push(r.warnings ?? []);
    return r.sock;
  }

  async send(sock: number, message: Uint8Array, src: string, dst: string, ttl?: number): Promise<void> {
    const r = await this.request({ op: 'send', sock, hex: Buffer.from(message).toString('hex'), src, dst, ...(ttl === undefined ? {} : { ttl }) });
    if (!r.ok) throw new Error(`send: ${JSON.stringify(r)}`);
  }

  received(sock: number, hex: string): Packet[] {
    return this.packets.filter((p) => p.sock === sock && p.hex === hex);
  }
}

let dir = '';
/** tshark's fields of each VRRP frame seen on the link, in WIRE_FIELDS order. */
const wire: string[][] = [];
const WIRE_FIELDS = ['ip.src', 'ip.dst', 'ip.ttl', 'ip.dsfield', 'ip.proto', 'ip.flags.df', 'ip.id', 'vrrp.checksum.status', 'vrrp.prio'];
const PRIO = WIRE_FIELDS.indexOf('vrrp.prio');
let tshark: ChildProcess | undefined;
let keepalived: ChildProcess | undefined;
let keepalivedLog = '';
let sender: NodeJS.Timeout | undefined;
let peerA: Peer | undefined;
let peerB: Peer | undefined;
/** A's socket (own: both A addresses), A's control socket (own: none), B's socket. */
let sockA = 0;
let sockA2 = 0;
let sockB = 0;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const advert = (priority: number): Uint8Array => encodeAdvert(labFields({ priority }));
const addrs = (ns: string): string => sh(['ip', '-n', ns, '-4', 'addr', 'show', 'dev', 'eth0']);

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-vs-'));
  for (const ns of [NS_A, NS_B]) {
    spawnSync('ip', ['netns', 'del', ns]);
    sh(['ip', 'netns', 'add', ns]);
  }
  sh(['ip', '-n', NS_A, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS_B]);
  for (const ns of [NS_A, NS_B]) for (const i of ['lo', 'eth0']) sh(['ip', '-n', ns, 'link', 'set', i, 'up']);
  sh(['ip', '-n', NS_A, 'addr', 'add', `${A_IP}/24`, 'dev', 'eth0']);
  sh(['ip', '-n', NS_A, 'addr', 'add', `${A_SECONDARY}/24`, 'dev', 'eth0']);
  sh(['ip', '-n', NS_B, 'addr', 'add', `${B_IP}/24`, 'dev', 'eth0']);
  // Let A's kernel deliver a datagram whose source is one of A's own addresses (forged by B),
  // so the adapter's own-address filter is what drops it, not the kernel's martian check.
  sh(['ip', 'netns', 'exec', NS_A, 'sysctl', '-qw', 'net.ipv4.conf.eth0.accept_local=1']);

  // tshark in B prints the fields of every VRRP frame on the link as they pass (-l).
  let capturing = false;
  let partial = '';
  const args = ['-i', 'eth0', '-l', '-f', 'ip proto 112', '-T', 'fields', '-E', 'separator=,', ...WIRE_FIELDS.flatMap((f) => ['-e', f])];
  tshark = spawn('ip', ['netns', 'exec', NS_B, 'tshark', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  tshark.stderr?.on('data', (d: Buffer) => {
    if (d.toString().includes('Capturing on')) capturing = true;
  });
  tshark.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.length > 0) wire.push(l.split(','));
  });
  peerA = new Peer(NS_A);
  peerB = new Peer(NS_B);
  sockA = await peerA.open('eth0', [A_IP, A_SECONDARY]);
  sockA2 = await peerA.open('eth0', []);
  sockB = await peerB.open('eth0', [B_IP]);
  await waitFor('tshark to start capturing', () => capturing, 15_000);
  // "Capturing on" comes before the capture is live: probe until tshark shows a frame.
  const probe = advert(1);
  const end = Date.now() + 10_000;
  while (!wire.some((r) => r[PRIO] === '1')) {
    if (Date.now() > end) throw new Error('tshark never saw a probe advert');
    await peerB.send(sockB, probe, B_IP, GROUP);
    await sleep(100);
  }
});

after(async () => {
  if (skip) return;
  if (sender) clearInterval(sender);
  // keepalived -P forks a VRRP child: stop the parent, then anything left in its pid files.
  const pids = ['k.pid', 'v.pid'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f)).map((f) => Number(fs.readFileSync(f, 'utf8').trim()));
  await stop(keepalived);
  for (const pid of pids) {
    try {
      if (Number.isInteger(pid) && pid > 1) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await stop(tshark, 'SIGINT');
  await stop(peerA?.proc);
  await stop(peerB?.proc);
  for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('§5.2 multicast advert A -> B: src A, dst 224.0.0.18, TTL 255, payload byte for byte', { skip, timeout: 10_000 }, async () => {
  assert.ok(peerA && peerB);
  const msg = advert(201);
  await peerA.send(sockA, msg, A_IP, GROUP);
  await waitFor('B to receive the advert', () => peerB!.received(sockB, hex(msg)).length > 0, 3_000);
  const [p] = peerB.received(sockB, hex(msg));
  assert.ok(p);
  assert.deepEqual(
    { srcIp: p.srcIp, dstIp: p.dstIp, ttl: p.ttl, ipTotalLength: p.ipTotalLength, ipHeaderLength: p.ipHeaderLength, hex: p.hex },
    { srcIp: A_IP, dstIp: GROUP, ttl: 255, ipTotalLength: 40, ipHeaderLength: 20, hex: hex(msg) },
  );
});

test('B20 the configured source is used even when it is not the primary address (secondary 10.77.0.60)', { skip, timeout: 10_000 }, async () => {
  assert.ok(peerA && peerB);
  assert.match(addrs(NS_A), new RegExp(`inet ${A_SECONDARY.replace(/\./g, '\\.')}/24 .*secondary`), '10.77.0.60 is a secondary address');
  const msg = advert(202);
  await peerA.send(sockA, msg, A_SECONDARY, GROUP);
  await waitFor('B to receive the advert', () => peerB!.received(sockB, hex(msg)).length > 0, 3_000);
  assert.equal(peerB.received(sockB, hex(msg))[0]?.srcIp, A_SECONDARY);
});

test('own adverts are never delivered: not looped back to A, and a forged one from our address is dropped', { skip, timeout: 10_000 }, async () => {
  assert.ok(peerA && peerB);
  const forged = advert(203);
  const genuine = advert(204);
  await peerB.send(sockB, forged, A_IP, GROUP); // B forges A's address
  await peerB.send(sockB, genuine, B_IP, GROUP);
  // The control socket (no own addresses) proves the kernel delivered both to A.
  await waitFor('the control socket to get both', () => peerA!.received(sockA2, hex(forged)).length > 0 && peerA!.received(sockA2, hex(genuine)).length > 0, 3_000);
  await waitFor("A's socket to get the genuine one", () => peerA!.received(sockA, hex(genuine)).length > 0, 3_000);
  assert.equal(peerA.received(sockA, hex(forged)).length, 0, 'the forged own-address advert was filtered');
  const own = peerA.packets.filter((p) => p.sock === sockA && (p.srcIp === A_IP || p.srcIp === A_SECONDARY));
  assert.deepEqual(own, [], 'A never hears itself');
  assert.equal(peerA.packets.filter((p) => p.sock === sockA2 && p.srcIp === A_SECONDARY).length, 0, 'multicast loop is off: not even the control socket hears A');
});

test('unicast advert to B (unicast_peer) is received with dst = B, and the ttl argument (unicast_ttl) is honoured', { skip, timeout: 10_000 }, async () => {
  assert.ok(peerA && peerB);
  const msg = advert(205);
  await peerA.send(sockA, msg, A_IP, B_IP);
  const lowTtl = advert(206);
  await peerA.send(sockA, lowTtl, A_IP, B_IP, 7);
  await waitFor('B to receive both', () => peerB!.received(sockB, hex(msg)).length > 0 && peerB!.received(sockB, hex(lowTtl)).length > 0, 3_000);
  const p = peerB.received(sockB, hex(msg))[0];
  assert.deepEqual([p?.srcIp, p?.dstIp, p?.ttl], [A_IP, B_IP, 255]);
  assert.equal(peerB.received(sockB, hex(lowTtl))[0]?.ttl, 7);
});

test('kernel receive timestamps: an advert that waits 0.3 s in a stalled event loop is reported that old (SIOCGSTAMPNS)', { skip, timeout: 10_000 }, async () => {
  assert.ok(peerA && peerB);
  const msg = advert(77);
  // B's loop is busy from 50 ms after the reply for 400 ms; A sends 100 ms after the reply,
  // so the advert sits in B's socket for ~350 ms before JS can read it.
  const r = await peerB.request({ op: 'block', afterMs: 50, ms: 400 });
  assert.ok(r.ok);
  await sleep(100);
  await peerA.send(sockA, msg, A_IP, GROUP);
  await waitFor('B to receive the advert', () => peerB?.received(sockB, hex(msg)).length === 1, 5_000);
  const age = peerB.received(sockB, hex(msg))[0]?.rxAgeUs ?? 0;
  // Measured in JS the age would be 0; the kernel's stamp says how long it waited.
  assert.ok(age >= 150_000 && age <= 1_000_000, `rxAgeUs ${age}`);
  // An advert read at once is young (no stall: well under the 400 ms above).
  const fresh = advert(78);
  await peerA.send(sockA, fresh, A_IP, GROUP);
  await waitFor('B to receive the second advert', () => peerB?.received(sockB, hex(fresh)).length === 1, 5_000);
  const freshAge = peerB.received(sockB, hex(fresh))[0]?.rxAgeUs ?? -1;
  assert.ok(freshAge >= 0 && freshAge < 100_000, `fresh rxAgeUs ${freshAge}`);
  // B's one socket was found; A's second socket on the same interface makes the descriptor
  // ambiguous, which the factory says (and that socket's adverts are timed from their read).
  assert.deepEqual(peerB.warnings, [[]]);
  assert.deepEqual(peerA.warnings, [[], ['VRRP socket on eth0: no kernel receive timestamps (socket not found uniquely); Master_Down is timed from when adverts are read']]);
});

test('batched reads (rx-batch.ts): 80 adverts queued in a stalled loop all arrive, in order, each with its own kernel stamp', { skip, timeout: 10_000 }, async () => {
  assert.ok(peerA && peerB);
  // More than RX_SLOTS (32) × the 4 reads of one wake-up would not matter; 80 spans 3 reads.
  const burst = Array.from({ length: 80 }, (_, i) => advert(100 + i));
  const r = await peerB.request({ op: 'block', afterMs: 50, ms: 400 });
  assert.ok(r.ok);
  await sleep(100);
  for (const [i, m] of burst.entries()) {
    await peerA.send(sockA, m, A_IP, GROUP);
    if (i % 20 === 19) await sleep(20); // ~60 ms between the first and the last
  }
  await waitFor('B to receive the whole burst', () => burst.every((m) => peerB?.received(sockB, hex(m)).length === 1), 5_000);
  const got = burst.map((m) => peerB?.received(sockB, hex(m))[0]);
  const order = got.map((p) => peerB?.packets.indexOf(p as Packet) ?? -1);
  assert.deepEqual(order, [...order].sort((x, y) => x - y), 'delivered in arrival order');
  const ages = got.map((p) => p?.rxAgeUs ?? 0);
  // Each was stamped when it arrived: the first waited longest, ~60 ms more than the last.
  assert.ok((ages[0] as number) >= 150_000, `first age ${ages[0]}`);
  assert.ok((ages[0] as number) - (ages[79] as number) >= 30_000, `ages ${ages[0]} … ${ages[79]}`);
  // Ages are taken when a batch is read, so one read later may add the time its predecessor took.
  for (let i = 1; i < ages.length; i++) assert.ok((ages[i] as number) <= (ages[i - 1] as number) + 5_000, `age ${i}: ${ages[i]} after ${ages[i - 1]}`);
});

test('failures are TsvrrpdIoError with a code: a missing interface is ENODEV', { skip, timeout: 10_000 }, async () => {
  assert.ok(peerA);
  const r = await peerA.request({ op: 'open', ifname: 'nope0', own: [] });
  assert.equal(r.ok, false);
  assert.ok(!r.ok);
  assert.deepEqual([r.name, r.code], ['TsvrrpdIoError', 'ENODEV']);
});

test('tshark on the link: ip.proto 112, ip.dsfield 0xc0, DF clear, kernel-filled id, TTL 255 on 224.0.0.18, vrrp.checksum.status Good', { skip, timeout: 10_000 }, async () => {
  const sent = ['201', '202', '203', '204', '205', '206'];
  await waitFor('tshark to show every advert sent above', () => sent.every((p) => wire.some((r) => r[PRIO] === p)), 5_000);
  const unicastTtls = new Set<number>();
  for (const [src, dst, ttl, ds, proto, df, id, status, prio] of wire) {
    const where = `prio ${prio} ${src} -> ${dst}`;
    assert.equal(Number(proto), 112, `${where} ip.proto`);
    assert.equal(Number(ds), 0xc0, `${where} ip.dsfield`);
    assert.ok(df === '0' || df === 'False', `${where} DF clear (${df})`);
    assert.notEqual(Number(id), 0, `${where} id filled in by the kernel`);
    assert.equal(Number(status), 1, `${where} vrrp.checksum.status`);
    if (dst === GROUP) assert.equal(Number(ttl), 255, `${where} TTL`);
    else unicastTtls.add(Number(ttl));
  }
  assert.deepEqual([...unicastTtls].sort((x, y) => x - y), [7, 255]);
});

test('interop: keepalived 2.2.7 BACKUP (prio 100) stays BACKUP under our prio-200 adverts, takes over within MDI once they stop', { skip, timeout: 30_000 }, async () => {
  assert.ok(peerA);
  const conf = path.join(dir, 'keepalived.conf');
  fs.writeFileSync(
    conf,
    'vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 100\n advert_int 1\n' +
      ` authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n }\n virtual_ipaddress {\n  ${VIP}/24\n }\n}\n`,
  );
  const msg = advert(200);
  let lastSentAt = 0;
  let sendError: unknown = null;
  const sendOne = (): void => {
    peerA!.send(sockA, msg, A_IP, GROUP).then(
      () => (lastSentAt = Date.now()),
      (e: unknown) => (sendError = e),
    );
  };
  sendOne();
  sender = setInterval(sendOne, 1_000);
  const pidFiles = ['k.pid', 'v.pid', 'c.pid', 'b.pid'].map((f) => path.join(dir, f));
  keepalived = spawn('ip', ['netns', 'exec', NS_B, 'keepalived', '-n', '-l', '-D', '-G', '-P', '-f', conf, '-p', pidFiles[0]!, '-r', pidFiles[1]!, '-c', pidFiles[2]!, '-b', pidFiles[3]!], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (d: Buffer): void => {
    keepalivedLog += d.toString();
  };
  keepalived.stdout?.on('data', collect);
  keepalived.stderr?.on('data', collect);

  await waitFor('keepalived to enter BACKUP', () => keepalivedLog.includes('Entering BACKUP STATE'), 5_000);
  await sleep(5_000);
  assert.equal(sendError, null);
  assert.ok(!addrs(NS_B).includes(`${VIP}/`), 'the VIP is absent from B');
  assert.ok(!keepalivedLog.includes('Entering MASTER STATE'), `keepalived stayed BACKUP:\n${keepalivedLog}`);

  clearInterval(sender);
  sender = undefined;
  await sleep(50); // the last send's reply
  const stoppedAt = lastSentAt;
  await waitFor('keepalived to take the VIP', () => addrs(NS_B).includes(`${VIP}/`), 6_000);
  const takeoverMs = Date.now() - stoppedAt;
  // §6.1 MDI(100) = 3 × 1 s + 156/256 s = 3.609 s after our last advert.
  assert.ok(takeoverMs >= 3_400 && takeoverMs <= 4_500, `took over ${takeoverMs} ms after our last advert`);
  // keepalived's VRRP child writes its log through a pipe: wait for the line, do not race it.
  await waitFor('keepalived to log MASTER', () => /Entering MASTER STATE/.test(keepalivedLog), 5_000);
  assert.doesNotMatch(keepalivedLog, /invalid|mismatch|too short|too long|error/i, 'keepalived rejected none of our adverts');
});
