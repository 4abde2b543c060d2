/**
 * Gratuitous ARP on takeover, on the wire (checklist #40, #53, §6.3; RFC 3768 §6.4.2 and
 * decision D4): one tsvrrpd with two VIPs and `vrrp_garp_master_delay 2` becomes MASTER on a
 * bridge LAN. tshark on the bridge must show the takeover advert first, then a burst of 5
 * GARPs per VIP, then a second burst of 5 per VIP garp_master_delay (2 s) later and nothing
 * else; each GARP is a broadcast ARP request with sender IP = target IP = the VIP and the
 * DUT's interface MAC as sender (D1: physical MAC, like keepalived).
 * Needs root, tshark and the native addon; namespaces and processes are always cleaned up.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exited, have, sh, sleep, startCapture, waitFor } from '../support/netns';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ID = process.pid;
const SW = `tsv-gw-sw-${ID}`;
const NS = `tsv-gw-a-${ID}`;
const DUT_IP = '10.77.0.1';
const VIPS = ['10.77.0.100', '10.77.0.101'];
const GARP_REPEAT = 5; // keepalived's default vrrp_garp_master_repeat
const GARP_DELAY = 2; // vrrp_garp_master_delay below
const addon = fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node'));
const skip = process.getuid?.() !== 0 ? 'needs root' : !have('tshark') ? 'needs tshark' : !addon ? 'needs the native addon (npm ci)' : false;

let dir = '';
let tshark: ChildProcess | null = null;
let daemon: ChildProcess | null = null;

function hasVips(): boolean {
  const out = spawnSync('ip', ['-n', NS, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout;
  return VIPS.every((v) => out.includes(` ${v}/`));
}
function log(): string {
  try {
    return fs.readFileSync(path.join(dir, 'a.log'), 'utf8');
  } catch {
    return '';
  }
}

const FIELDS = ['frame.time_epoch', 'eth.src', 'eth.dst', 'ip.src', 'vrrp.prio', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'arp.isgratuitous'] as const;
interface Frame {
  time: number;
  ethSrc: string;
  ethDst: string;
  ipSrc: string;
  prio: string;
  opcode: string;
  senderMac: string;
  senderIp: string;
  targetIp: string;
  gratuitous: string;
}
function readWire(): Frame[] {
  const args = ['-r', path.join(dir, 'wire.pcapng'), '-n', '-Y', 'vrrp or arp', '-T', 'fields', '-E', 'separator=/t'];
  for (const f of FIELDS) args.push('-e', f);
  return spawnSync('tshark', args, { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const f = l.split('\t');
      const g = (i: number): string => f[i] ?? '';
      return { time: Number(g(0)), ethSrc: g(1), ethDst: g(2), ipSrc: g(3), prio: g(4), opcode: g(5), senderMac: g(6), senderIp: g(7), targetIp: g(8), gratuitous: g(9) };
    });
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-gw-'));
  for (const ns of [SW, NS]) {
    spawnSync('ip', ['netns', 'del', ns]);
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  sh(['ip', '-n', SW, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
  sh(['ip', '-n', SW, 'link', 'set', 'br0', 'up']);
  sh(['ip', '-n', SW, 'link', 'add', 'swa', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS]);
  sh(['ip', '-n', SW, 'link', 'set', 'swa', 'master', 'br0', 'up']);
  sh(['ip', '-n', NS, 'addr', 'add', `${DUT_IP}/24`, 'dev', 'eth0']);
  sh(['ip', '-n', NS, 'link', 'set', 'eth0', 'up']);
  tshark = await startCapture(SW, 'br0', 'vrrp or arp', path.join(dir, 'wire.pcapng'));
  await sleep(300);
});

after(async () => {
  if (skip) return;
  daemon?.kill('SIGKILL');
  tshark?.kill('SIGINT');
  if (tshark) await exited(tshark);
  for (const ns of [SW, NS]) spawnSync('ip', ['netns', 'del', ns]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('§6.4.2 takeover on the wire: advert, 5 GARPs per VIP, a second burst garp_master_delay later (D4)', { skip, timeout: 60_000 }, async (t) => {
  const mac = sh(['ip', 'netns', 'exec', NS, 'cat', '/sys/class/net/eth0/address']).trim().toLowerCase();
  assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  const conf = path.join(dir, 'a.conf');
  fs.writeFileSync(
    conf,
    `global_defs {\n vrrp_garp_master_delay ${GARP_DELAY}\n}\n` +
      `vrrp_instance VI_1 {\n state BACKUP\n interface eth0\n virtual_router_id 51\n priority 100\n advert_int 1\n` +
      ` authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n }\n virtual_ipaddress {\n${VIPS.map((v) => `  ${v}/24\n`).join('')} }\n}\n`,
  );
  daemon = spawn('ip', ['netns', 'exec', NS, ...tsvrrpdNode(), '-n', '-l', '-G', '-f', conf, '-p', path.join(dir, 'a.pid')], {
    stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'a.log'), 'a')],
  });
  // Alone on the LAN: MASTER after Master_Down_Interval (3.609 s).
  await waitFor('the DUT to take over with both VIPs', hasVips, 15_000);
  // The second burst is due 2 s after the takeover; wait well past it (a third must not come).
  await sleep((GARP_DELAY + 2.5) * 1000);
  tshark?.kill('SIGINT');
  if (tshark) await exited(tshark);
  tshark = null;
  const lines = log();

  const frames = readWire();
  const adverts = frames.filter((f) => f.ipSrc === DUT_IP && f.prio !== '');
  const arps = frames.filter((f) => f.opcode !== '');
  const first = adverts[0];
  assert.ok(first, `the takeover advert captured\n${lines}`);
  assert.equal(first.prio, '100', 'the takeover advert carries the DUT priority');
  assert.equal(first.ethSrc, mac, 'the advert comes from the DUT interface MAC (D1)');

  // Every ARP frame on the LAN is one of the DUT's gratuitous ARPs.
  for (const a of arps) {
    assert.equal(a.ethDst, 'ff:ff:ff:ff:ff:ff', '§6.4.2 GARP is broadcast');
    assert.equal(a.opcode, '1', 'GARP is an ARP request (opcode 1), like keepalived');
    assert.ok(VIPS.includes(a.senderIp), `sender IP ${a.senderIp} is a VIP`);
    assert.equal(a.targetIp, a.senderIp, 'sender IP = target IP');
    assert.equal(a.senderMac, mac, "ARP sender MAC = the DUT's interface MAC (D1)");
    assert.equal(a.ethSrc, mac, "Ethernet source = the DUT's interface MAC");
    assert.equal(a.gratuitous, '1', 'tshark recognises it as gratuitous');
  }

  // §6.4.2 "Send an ADVERTISEMENT, then broadcast a gratuitous ARP": nothing before the advert.
  assert.deepEqual(arps.filter((a) => a.time < first.time), [], 'no GARP before the takeover advert');
  const burst1 = arps.filter((a) => a.time - first.time < 1);
  const burst2 = arps.filter((a) => a.time - first.time >= 1);
  const perVip = (burst: Frame[]): number[] => VIPS.map((v) => burst.filter((a) => a.senderIp === v).length);
  assert.deepEqual(perVip(burst1), VIPS.map(() => GARP_REPEAT), `first burst: ${GARP_REPEAT} GARPs per VIP`);
  assert.ok(burst1.every((a) => a.time - first.time < 0.5), 'the first burst follows the advert at once');
  assert.deepEqual(perVip(burst2), VIPS.map(() => GARP_REPEAT), `second burst: ${GARP_REPEAT} GARPs per VIP, and nothing after it\n${lines}`);
  const start2 = Math.min(...burst2.map((a) => a.time)) - first.time;
  const span2 = Math.max(...burst2.map((a) => a.time)) - Math.min(...burst2.map((a) => a.time));
  assert.ok(start2 > GARP_DELAY - 0.05 && start2 < GARP_DELAY + 0.5, `second burst ${start2.toFixed(3)} s after the takeover (garp_master_delay ${GARP_DELAY} s)`);
  assert.ok(span2 < 0.5, `the second burst is one burst (${span2.toFixed(3)} s)`);
  t.diagnostic(`burst 1: ${((Math.max(...burst1.map((a) => a.time)) - first.time) * 1000).toFixed(2)} ms after the advert; burst 2: ${start2.toFixed(4)} s`);

  assert.match(lines, /\(VI_1\) Entering MASTER STATE/);
  for (const v of VIPS) {
    assert.equal(lines.split(`Sending gratuitous ARP on eth0 for ${v}`).length - 1, 2, `two bursts logged for ${v}\n${lines}`);
  }
});
