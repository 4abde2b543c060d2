/**
 * PacketGarpSender on the real kernel (reference B12; keepalived vrrp_arp.c
 * send_gratuitous_arp_immediate()): in a network namespace with a veth pair eth0/eth1, send
 * GARPs for the lab VIP out of eth0 through the native AF_PACKET addon and read them on eth1
 * with tshark. Also the failure mapping: a missing ifindex (AF_PACKET ENXIO), a missing
 * interface name, a downed link. Needs root; the namespace is deleted even when a test fails.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { TsvrrpdIoError } from '../../src/io/errors';
import { PacketGarpSender } from '../../src/io/garp-sender';
import { isNativeSystemError, loadNative } from '../../src/io/native';
import { buildGarpFrame } from '../../src/protocol/garp';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SENDER = path.join(ROOT, 'dist', 'src', 'io', 'garp-sender.js');
const NS = `tsv-garp-${process.pid}`;
const VIP = '10.77.0.100';
const isRoot = process.getuid?.() === 0;
const haveTshark = spawnSync('sh', ['-c', 'command -v tshark'], { encoding: 'utf8' }).status === 0;
const skip = !isRoot ? 'needs root for network namespaces and AF_PACKET' : !haveTshark ? 'tshark is not installed (scripts/setup.sh installs it)' : false;
/** Larger than any ifindex this host will hand out during the test. */
const MISSING_IFINDEX = 0x7ffffff0;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Run PacketGarpSender.send() inside the namespace; returns the TsvrrpdIoError code or 'ok'. */
function sendInNs(ifname: string, count: number): string {
  const script = `
    const { PacketGarpSender } = require(${JSON.stringify(SENDER)});
    new PacketGarpSender().send(${JSON.stringify(ifname)}, ${JSON.stringify(VIP)}, ${count}).then(
      () => console.log('ok'),
      (e) => { console.log(e.name === 'TsvrrpdIoError' ? e.code : 'not-typed: ' + e.stack); });`;
  return sh('ip', ['netns', 'exec', NS, process.execPath, '-e', script]).trim();
}

const FIELDS = ['eth.dst', 'eth.src', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'arp.dst.hw_mac', 'arp.isgratuitous'] as const;
type Row = Record<(typeof FIELDS)[number], string>;

/** Capture ARP on `ifname` in the namespace for `seconds` while `act` runs; one Row per frame. */
async function captureArp(ifname: string, seconds: number, act: () => void): Promise<Row[]> {
  const args = ['netns', 'exec', NS, 'tshark', '-i', ifname, '-f', 'arp', '-a', `duration:${seconds}`, '-l', '-n', '-T', 'fields', '-E', 'separator=,'];
  for (const f of FIELDS) args.push('-e', f);
  const tshark = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  tshark.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => tshark.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    tshark.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capturing on')) resolve();
    });
    void exited.then((code) => reject(new Error(`tshark exited ${code} before capturing: ${err}`)));
  });
  act();
  assert.equal(await exited, 0, `tshark failed: ${err}`);
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const v = l.split(',');
      return Object.fromEntries(FIELDS.map((f, i) => [f, v[i] ?? ''])) as Row;
    });
}

before(() => {
  if (skip) return;
  spawnSync('ip', ['netns', 'del', NS]);
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
  // No IPv6 chatter (DAD, router solicitations) on the wire we read.
  sh('ip', ['netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  for (const i of ['lo', 'eth0', 'eth1']) sh('ip', ['-n', NS, 'link', 'set', i, 'up']);
});

after(() => {
  if (!skip) spawnSync('ip', ['netns', 'del', NS]);
});

test('B12 five GARPs for the VIP leave eth0 as broadcast ARP requests from its MAC (tshark on the peer)', { skip }, async () => {
  const mac = sh('ip', ['netns', 'exec', NS, 'cat', '/sys/class/net/eth0/address']).trim();
  let result = '';
  const rows = await captureArp('eth1', 3, () => {
    result = sendInNs('eth0', 5);
  });
  assert.equal(result, 'ok');
  assert.equal(rows.length, 5, `captured: ${JSON.stringify(rows)}`);
  for (const r of rows) {
    assert.equal(r['eth.dst'], 'ff:ff:ff:ff:ff:ff');
    assert.equal(r['eth.src'], mac);
    assert.equal(r['arp.opcode'], '1', 'an ARP request, as keepalived sends');
    assert.equal(r['arp.src.hw_mac'], mac);
    assert.equal(r['arp.src.proto_ipv4'], VIP);
    assert.equal(r['arp.dst.proto_ipv4'], VIP);
    assert.equal(r['arp.dst.hw_mac'], 'ff:ff:ff:ff:ff:ff');
    assert.equal(r['arp.isgratuitous'], '1');
  }
});

test('count 0 sends nothing', { skip }, async () => {
  let result = '';
  const rows = await captureArp('eth1', 1, () => {
    result = sendInNs('eth0', 0);
  });
  assert.equal(result, 'ok');
  assert.equal(rows.length, 0);
});

test('a non-existent ifindex: the addon throws ENXIO, the sender maps it to TsvrrpdIoError ENODEV', { skip }, async () => {
  const frame = buildGarpFrame(Uint8Array.of(0x02, 0, 0, 0, 0, 1), VIP);
  assert.throws(
    () => loadNative().sendFrame(MISSING_IFINDEX, frame),
    (e: unknown) => isNativeSystemError(e) && e.code === 'ENXIO' && e.errno === 6 && e.syscall === 'sendto',
  );
  const sender = new PacketGarpSender();
  assert.throws(
    () => sender.sendFrames({ ifindex: MISSING_IFINDEX, mac: Uint8Array.of(0x02, 0, 0, 0, 0, 1) }, 'gone0', VIP, 5),
    (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'ENODEV' && isNativeSystemError(e.cause) && e.cause.code === 'ENXIO',
  );
  await assert.rejects(sender.send(`tsvnone${process.pid}`, VIP, 5), (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'ENODEV');
});

test('a link that is down: TsvrrpdIoError ENETDOWN', { skip }, () => {
  sh('ip', ['-n', NS, 'link', 'set', 'eth0', 'down']);
  try {
    assert.equal(sendInNs('eth0', 1), 'ENETDOWN');
  } finally {
    sh('ip', ['-n', NS, 'link', 'set', 'eth0', 'up']);
  }
});
