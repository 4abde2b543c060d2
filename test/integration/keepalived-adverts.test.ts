/**
 * The codec against real keepalived 2.2.7 adverts on the real kernel: keepalived runs as the
 * address owner in a network namespace, tshark captures what it sends (including the
 * priority-0 advert on SIGTERM), and every captured VRRP message must decode, verify, validate
 * and re-encode byte for byte with tsvrrpd's src/protocol. Needs root, keepalived and tshark
 * (scripts/setup.sh installs them); the namespace is deleted even when the test fails.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeAdvert, encodeAdvert } from '../../src/protocol/advert';
import { internetChecksum } from '../../src/protocol/checksum';
import { validateAdvert } from '../../src/protocol/validate';
import { labInstanceParams } from '../support/lab';
import { exited, have, sh, sleep, startCapture } from '../support/netns';

const NS = `tsv-ka-${process.pid}`;
const skip = process.getuid?.() !== 0 ? 'needs root for network namespaces' : !have('keepalived') || !have('tshark') ? 'needs keepalived and tshark (scripts/setup.sh)' : false;
const VIPS = ['10.77.0.100', '10.77.0.101', '10.77.0.102'];
const PASSWORD = 's3cr3t';

let dir = '';
let frames: Uint8Array[] = [];





/** The frames of a capture file, from `tshark -x` hex dumps. */
function readFrames(pcap: string): Uint8Array[] {
  const out = spawnSync('tshark', ['-r', pcap, '-x'], { encoding: 'utf8' }).stdout;
  return out
    .split(/\n\s*\n/)
    .map((block) =>
      block
        .split('\n')
        .map((l) => /^[0-9a-f]{4}\s+((?:[0-9a-f]{2} ?)+)/.exec(l)?.[1] ?? '')
        .join(' ')
        .trim(),
    )
    .filter((hex) => hex.length > 0)
    .map((hex) => Uint8Array.from(hex.split(/\s+/).map((b) => parseInt(b, 16))));
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-ka-'));
  spawnSync('ip', ['netns', 'del', NS]);
  sh(['ip', 'netns', 'add', NS]);
  sh(['ip', '-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
  for (const i of ['lo', 'eth0', 'eth1']) sh(['ip', '-n', NS, 'link', 'set', i, 'up']);
  sh(['ip', '-n', NS, 'addr', 'add', '10.77.0.1/24', 'dev', 'eth0']);
  const conf = path.join(dir, 'keepalived.conf');
  fs.writeFileSync(
    conf,
    `vrrp_instance VI_1 {\n state MASTER\n interface eth0\n virtual_router_id 51\n priority 255\n advert_int 1\n` +
      ` authentication {\n  auth_type PASS\n  auth_pass ${PASSWORD}\n }\n virtual_ipaddress {\n${VIPS.map((v) => `  ${v}/24\n`).join('')} }\n}\n`,
  );
  const pcap = path.join(dir, 'wire.pcapng');
  const tshark = await startCapture(NS, 'eth1', 'ip proto 112', pcap);
  try {
    const ka = spawn('ip', ['netns', 'exec', NS, 'keepalived', '-n', '-l', '-P', '-f', conf, '-p', path.join(dir, 'k.pid'), '-r', path.join(dir, 'v.pid')], {
      stdio: 'ignore',
    });
    // The owner is MASTER at once and advertises every second: wait for two periodic adverts.
    await sleep(2_500);
    ka.kill('SIGTERM');
    await exited(ka);
    await sleep(500);
  } finally {
    tshark.kill('SIGINT');
    await exited(tshark);
  }
  frames = readFrames(pcap);
});

after(() => {
  if (skip) return;
  spawnSync('ip', ['netns', 'del', NS]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const params = labInstanceParams({ vips: VIPS });

test('keepalived 2.2.7 adverts captured on the wire: IP header per RFC 3768 §5.2 (proto 112, TTL 255, 224.0.0.18)', { skip }, () => {
  assert.ok(frames.length >= 3, `captured ${frames.length} frames`);
  for (const f of frames) {
    assert.equal((f[12] as number) * 256 + (f[13] as number), 0x0800, 'IPv4 frame');
    assert.equal(f[14 + 9], 112, '§5.2.4 protocol 112');
    assert.equal(f[14 + 8], 255, '§5.2.3 TTL 255');
    assert.equal(f[14 + 1], 0xc0, 'TOS 0xC0 as keepalived sends');
    assert.deepEqual([...f.subarray(14 + 16, 14 + 20)], [224, 0, 0, 18], '§5.2.2 224.0.0.18');
  }
});

test('keepalived 2.2.7 adverts captured on the wire decode, verify, validate and re-encode byte for byte (§5, §5.3.8)', { skip }, () => {
  const priorities: number[] = [];
  for (const f of frames) {
    const ihl = ((f[14] as number) & 0x0f) * 4;
    const total = (f[16] as number) * 256 + (f[17] as number);
    const payload = f.subarray(14 + ihl, 14 + total);
    assert.equal(internetChecksum(payload), 0, '§5.3.8 checksum verifies');
    const d = decodeAdvert(payload);
    assert.ok(d.ok);
    const a = d.advert;
    priorities.push(a.priority);
    assert.deepEqual([a.version, a.type, a.vrid, a.countIpAddrs, a.authType, a.adverIntSec], [2, 1, 51, 3, 1, 1]);
    assert.deepEqual(a.addresses, VIPS);
    const again = encodeAdvert({ vrid: a.vrid, priority: a.priority, adverIntSec: a.adverIntSec, addresses: a.addresses, authType: 1, password: new TextEncoder().encode(PASSWORD) });
    assert.deepEqual([...again], [...payload], 'tsvrrpd encodes the same bytes');
    const v = validateAdvert({ payload, srcIp: '10.77.0.1', dstIp: '224.0.0.18', ttl: 255, ipTotalLength: total, ipHeaderLength: ihl }, params, { unicast: false, checkVipAddr: true });
    assert.ok(v.ok, v.ok ? '' : v.message);
  }
  assert.equal(priorities[0], 255, 'the owner advertises priority 255');
  assert.equal(priorities[priorities.length - 1], 0, '§6.4.3 shutdown sends one priority-0 advert');
  assert.equal(priorities.filter((p) => p === 0).length, 1, 'exactly one priority-0 advert');
});
