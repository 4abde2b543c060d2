/**
 * The addon's rawSendTo (native/src/tx_raw.c): argument checks, -errno for a failed send (never
 * a throw), and a real IPv4 packet (IP_HDRINCL) out of one raw socket of this process into
 * another on 127.0.0.1. The VRRP socket's use of it on a real link is proved by
 * test/integration/vrrp-socket.test.ts and every end-to-end test. Needs root for the raw sockets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { loadNative } from '../../../src/io/native';
import { buildIpv4Packet } from '../../../src/io/ipv4-header';

/** An IP protocol number reserved for experiments (RFC 3692), so nothing else answers it. */
const PROTO_TEST = 253;

test('rawSendTo: argument checks', () => {
  const tx = loadNative().rawSendTo as (...a: unknown[]) => unknown;
  assert.throws(() => tx(), TypeError);
  assert.throws(() => tx('3', new Uint8Array(1), 1), TypeError);
  assert.throws(() => tx(-1, new Uint8Array(1), 1), RangeError);
  assert.throws(() => tx(3, 'abc', 1), TypeError);
  assert.throws(() => tx(3, new Uint16Array(2), 1), TypeError);
  assert.throws(() => tx(3, new Uint8Array(1), '1'), TypeError);
  assert.throws(() => tx(3, new Uint8Array(1), 2 ** 32), RangeError);
  assert.throws(() => tx(3, new Uint8Array(1), 1.5), RangeError);
});

test('rawSendTo: a failed send is -errno, not a throw (a descriptor that is not a socket: -ENOTSOCK)', () => {
  const { rawSendTo } = loadNative();
  const fd = fs.openSync('/dev/null', 'r');
  try {
    assert.equal(rawSendTo(fd, new Uint8Array(20), 0x7f000001), -88);
  } finally {
    fs.closeSync(fd);
  }
  assert.equal(rawSendTo(2147483000, new Uint8Array(20), 0x7f000001), -9, 'EBADF');
});

test('rawSendTo: one IPv4 packet out of a raw IP_HDRINCL socket, received whole by another on 127.0.0.1', { skip: process.getuid?.() !== 0 ? 'needs root' : false, timeout: 10_000 }, async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const raw = require('raw-socket') as {
    createSocket(o: { protocol: number }): {
      setOption(level: number, option: number, value: number): void;
      on(ev: 'message', cb: (b: Buffer) => void): void;
      close(): void;
    };
  };
  const { rawSendTo, findRawSocket } = loadNative();
  const tx = raw.createSocket({ protocol: PROTO_TEST });
  const rx = raw.createSocket({ protocol: PROTO_TEST });
  try {
    tx.setOption(0, 3, 1); // IP_HDRINCL
    const got = new Promise<Buffer>((resolve) => rx.on('message', (b) => resolve(Buffer.from(b))));
    // Both are raw sockets of one protocol, unbound: findRawSocket refuses to pick one of two,
    // so take the descriptors from /proc in the order raw-socket opened them.
    assert.equal(findRawSocket(PROTO_TEST, 'lo'), -1);
    const fds = rawFds();
    assert.ok(fds.length >= 2, `two raw sockets of this process: ${fds.join(',')}`);
    const payload = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const packet = buildIpv4Packet({ src: '127.0.0.1', dst: '127.0.0.1', ttl: 64, protocol: PROTO_TEST }, payload);
    // Whichever of the two is the sender (IP_HDRINCL set), one send arrives on the other.
    const sent = fds.map((fd) => rawSendTo(fd, packet, 0x7f000001));
    assert.ok(sent.includes(packet.length), `sent: ${sent.join(',')}`);
    const b = await got;
    assert.deepEqual([...b.subarray(b.length - payload.length)], [...payload]);
    assert.equal(b[9], PROTO_TEST);
  } finally {
    tx.close();
    rx.close();
  }
});

/** This process's raw sockets' descriptors, oldest first (fd numbers only grow here). */
function rawFds(): number[] {
  const rawInodes = new Set(
    fs
      .readFileSync('/proc/self/net/raw', 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length > 9 && parseInt((f[1] ?? '').split(':')[1] ?? '', 16) === PROTO_TEST)
      .map((f) => f[9]),
  );
  return fs
    .readdirSync('/proc/self/fd')
    .map(Number)
    .filter((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
        return m !== null && rawInodes.has(m[1]);
      } catch {
        return false;
      }
    })
    .sort((a, b) => a - b);
}
