/**
 * Batched reads (src/io/rx-batch.ts over the addon's rxWatch, native/src/rx_batch.c) on a real
 * datagram socket of this process — a UDP socket on 127.0.0.1 whose own reader is stopped, the
 * way the VRRP socket pauses raw-socket's — and BatchReader's guards with a fake source. The
 * raw VRRP socket on a real link is in test/integration/vrrp-socket.test.ts. Needs the built
 * addon, not root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { loadNative, type RxWatchHandle } from '../../../src/io/native';
import { BatchReader, RX_SLOTS, RX_SLOT_BYTES, type RxBatchSource } from '../../../src/io/rx-batch';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends stdin's lines to 127.0.0.1:argv[1] as datagrams, the 11th preceded by one of argv[2] octets; then sleeps 30 ms. */
const SENDER = `
import socket, sys, time
port, big = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i, line in enumerate(sys.stdin.read().split('\\n')):
    if i == 10:
        s.sendto(b'a' * big, ('127.0.0.1', port))
    s.sendto(line.encode(), ('127.0.0.1', port))
time.sleep(0.03)
`;

/** A bound UDP socket whose descriptor we read ourselves (Node's reader stopped). */
async function udpSink(): Promise<{ sock: dgram.Socket; fd: number; port: number }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const handle = (sock as unknown as { _handle: { fd: number; recvStop(): number } })._handle;
  handle.recvStop();
  return { sock, fd: handle.fd, port: sock.address().port };
}

function sendAll(to: number, payloads: readonly Buffer[]): Promise<void> {
  const out = dgram.createSocket('udp4');
  return new Promise<void>((resolve, reject) => {
    let left = payloads.length;
    for (const p of payloads) {
      out.send(p, to, '127.0.0.1', (e) => {
        if (e) reject(e);
        else if (--left === 0) {
          out.close();
          resolve();
        }
      });
    }
  });
}

/** A batch reader on `fd` that records each datagram as text in `got`. */
function textReader(fd: number, got: string[]): BatchReader {
  return new BatchReader(loadNative(), fd, 'test', (buf, at, len) => got.push(Buffer.from(buf.subarray(at, at + len)).toString()), () => undefined);
}

/** Wait until `got` holds `what`; fail after `ms`. */
async function arrived(got: readonly string[], what: string, ms = 1_000): Promise<void> {
  for (const end = Date.now() + ms; !got.includes(what); await sleep(2)) if (Date.now() > end) assert.fail(`${what} not read in ${ms} ms (read: ${got.join(',')})`);
}

test('rxWatch: argument checks', () => {
  const addon = loadNative();
  const watch = addon.rxWatch as (...a: unknown[]) => unknown;
  const unwatch = addon.rxUnwatch as (...a: unknown[]) => unknown;
  const buf = new Uint8Array(4 * 256);
  const lens = new Int32Array(4);
  const ages = new Float64Array(4);
  const cb = (): void => undefined;
  assert.throws(() => watch(), TypeError);
  assert.throws(() => watch(3, buf, 256, lens, ages, 'nope'), TypeError);
  assert.throws(() => watch(-1, buf, 256, lens, ages, cb), RangeError);
  assert.throws(() => watch(3, buf, 8, lens, ages, cb), RangeError);
  assert.throws(() => watch(3, [1, 2], 256, lens, ages, cb), TypeError);
  assert.throws(() => watch(3, buf, 256, new Float64Array(4), ages, cb), TypeError);
  assert.throws(() => watch(3, buf, 256, lens, new Int32Array(4), cb), TypeError);
  assert.throws(() => watch(3, buf, 256, lens, new Float64Array(3), cb), RangeError);
  assert.throws(() => watch(3, new Uint8Array(100), 256, lens, ages, cb), RangeError);
  assert.throws(() => watch(999_999, buf, 256, lens, ages, cb), (e: Error & { code?: string }) => e.code === 'EBADF');
  assert.throws(() => unwatch({}), TypeError);
  assert.throws(() => unwatch(), TypeError);
});

test('a burst of datagrams is read in batches of at most RX_SLOTS, whole and in order, each stamped; one longer than a slot is dropped', { timeout: 10_000 }, async () => {
  const { sock, fd, port } = await udpSink();
  const got: { text: string; ageNs: number }[] = [];
  const errors: string[] = [];
  const source = loadNative();
  const batches: number[] = [];
  const counting: RxBatchSource = {
    rxWatch: (f, b, s, l, a, onBatch) => source.rxWatch(f, b, s, l, a, (n, code) => {
      batches.push(n);
      onBatch(n, code);
    }),
    rxUnwatch: (h) => source.rxUnwatch(h),
  };
  const payloads = Array.from({ length: 70 }, (_, i) => Buffer.from(`datagram ${i}`));
  const reader = new BatchReader(counting, fd, 'test', (buf, at, len, ageNs) => got.push({ text: Buffer.from(buf.subarray(at, at + len)).toString(), ageNs }), (code) => errors.push(code));
  await sleep(50); // the kernel turns receive stamping on from a work queue, shortly after
  // Sent by a child while this event loop is blocked in spawnSync: all of them wait in the
  // socket, then the first wake-up finds them together.
  const sender = spawnSync('python3', ['-c', SENDER, String(port), String(RX_SLOT_BYTES + 1)], { input: payloads.map((p) => p.toString()).join('\n'), encoding: 'utf8' });
  assert.equal(sender.status, 0, sender.stderr);
  try {
    for (let i = 0; i < 100 && got.length < payloads.length; i++) await sleep(10);
    assert.deepEqual(got.map((g) => g.text), payloads.map((p) => p.toString()));
    assert.ok(batches.every((n) => n >= 1 && n <= RX_SLOTS), `batches ${batches.join(',')}`);
    assert.ok(batches.length <= Math.ceil(71 / RX_SLOTS) + 1, `71 datagrams in ${batches.length} batches`);
    // Each waited in the socket for the 30 ms the sender slept after sending, and more.
    for (const g of got) assert.ok(g.ageNs >= 25e6 && g.ageNs < 5e9, `age ${g.ageNs} ns`);
    assert.deepEqual(errors, []);
  } finally {
    reader.close();
    reader.close(); // twice is harmless
    sock.close();
  }
});

test('closing the reader from inside its own callback stops delivery at once', { timeout: 10_000 }, async () => {
  const { sock, fd, port } = await udpSink();
  await sendAll(port, Array.from({ length: 10 }, (_, i) => Buffer.from(`d${i}`)));
  await sleep(20);
  const got: string[] = [];
  const reader: BatchReader = new BatchReader(loadNative(), fd, 'test', (buf, at, len) => {
    got.push(Buffer.from(buf.subarray(at, at + len)).toString());
    if (got.length === 3) reader.close();
  }, () => undefined);
  await sleep(100);
  await sendAll(port, [Buffer.from('late')]);
  await sleep(50);
  assert.deepEqual(got, ['d0', 'd1', 'd2']);
  sock.close();
});

test('BatchReader guards: a throwing listener does not stop the batch; an error ends the watch once, typed by its code', () => {
  let onBatch: ((count: number, code: string) => void) | null = null;
  let unwatched = 0;
  const fake: RxBatchSource = {
    rxWatch: (_fd, buffer, slot, lengths, ages, cb) => {
      onBatch = cb;
      buffer.set([1, 2, 3], 0);
      buffer.set([4, 5], slot);
      buffer.set([6], 2 * slot);
      lengths.set([3, -1, 1]);
      ages.set([10, 20, -1]);
      return {} as RxWatchHandle;
    },
    rxUnwatch: () => void unwatched++,
  };
  const seen: [number[], number][] = [];
  const errors: string[] = [];
  const reader = new BatchReader(fake, 7, 'test', (buf, at, len, age) => {
    seen.push([[...buf.subarray(at, at + len)], age]);
    if (seen.length === 1) throw new Error('listener bug');
  }, (code) => errors.push(code));
  assert.ok(onBatch);
  (onBatch as (count: number, code: string) => void)(3, '');
  assert.deepEqual(seen, [[[1, 2, 3], 10], [[6], -1]]);
  (onBatch as (count: number, code: string) => void)(-1, 'ENETDOWN');
  assert.deepEqual(errors, ['ENETDOWN']);
  reader.close(); // the watch had already stopped itself
  assert.equal(unwatched, 0);
});

test('rxHold: argument checks', () => {
  const addon = loadNative();
  const hold = addon.rxHold as (...a: unknown[]) => unknown;
  assert.throws(() => hold(), TypeError);
  assert.throws(() => hold('5'), TypeError);
  assert.throws(() => hold(-1), RangeError);
  assert.throws(() => hold(1001), RangeError);
  assert.throws(() => hold(2.5), RangeError);
  assert.equal(addon.rxFlush(), 0, 'nothing held');
});

test('the receive hold: once reads come close together a socket is read again only at the shared timer, or at rxFlush(); off, at once', { timeout: 10_000 }, async () => {
  const addon = loadNative();
  const a = await udpSink();
  const b = await udpSink();
  const got: string[] = [];
  const readers = [textReader(a.fd, got), textReader(b.fd, got)];
  const HOLD_MS = 300;
  addon.rxHold(HOLD_MS);
  try {
    await sendAll(a.port, [Buffer.from('a1')]);
    await arrived(got, 'a1'); // the first read: nothing to compare with, no hold
    await sendAll(b.port, [Buffer.from('b1')]);
    await arrived(got, 'b1'); // read at once, but within HOLD_MS of a1: b is held from here
    const heldAt = Date.now();
    await sendAll(b.port, [Buffer.from('b2')]);
    await sleep(30);
    if (Date.now() - heldAt < HOLD_MS - 50) assert.ok(!got.includes('b2'), 'b2 waits in the held socket');
    assert.ok(addon.rxFlush() >= 0);
    assert.ok(got.includes('b2'), 'rxFlush() read it before returning');
    // Polled again after the flush: b3 is read at once, and holds b again (reads still close).
    await sendAll(b.port, [Buffer.from('b3')]);
    await arrived(got, 'b3');
    const b3At = Date.now();
    await sendAll(b.port, [Buffer.from('b4')]);
    await arrived(got, 'b4', 3_000); // by the shared timer
    assert.ok(Date.now() - b3At >= HOLD_MS - 20, `b4 read ${Date.now() - b3At} ms after b3, with a ${HOLD_MS} ms hold`);
    addon.rxHold(0); // releases what is held
    await sendAll(b.port, [Buffer.from('b5')]);
    await arrived(got, 'b5');
    await sendAll(b.port, [Buffer.from('b6')]);
    await arrived(got, 'b6', 200);
    assert.deepEqual(got, ['a1', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
  } finally {
    addon.rxHold(0);
    for (const r of readers) r.close();
    a.sock.close();
    b.sock.close();
  }
});

test('the receive hold: a watch closed while held is dropped from the hold (the timer and rxFlush skip it)', { timeout: 10_000 }, async () => {
  const addon = loadNative();
  const a = await udpSink();
  const got: string[] = [];
  const r = textReader(a.fd, got);
  addon.rxHold(100);
  try {
    await sendAll(a.port, [Buffer.from('x1')]);
    await sleep(20);
    await sendAll(a.port, [Buffer.from('x2')]);
    await arrived(got, 'x2');
    await sendAll(a.port, [Buffer.from('x3')]); // held
    r.close();
    assert.equal(addon.rxFlush(), 0);
    await sleep(150); // the hold timer fires over an empty list
    assert.deepEqual(got, ['x1', 'x2']);
  } finally {
    addon.rxHold(0);
    r.close();
    a.sock.close();
  }
});

test('the receive hold: reads further apart than the hold never hold a socket (a host hearing a few adverts reads each at once)', { timeout: 10_000 }, async () => {
  const addon = loadNative();
  const a = await udpSink();
  const got: string[] = [];
  const r = textReader(a.fd, got);
  const HOLD_MS = 150;
  addon.rxHold(HOLD_MS);
  try {
    for (const [i, name] of ['y1', 'y2'].entries()) {
      if (i > 0) await sleep(HOLD_MS + 100);
      await sendAll(a.port, [Buffer.from(name)]);
      await arrived(got, name);
    }
    // y2 came more than HOLD_MS after y1: the socket was not held, so y3 is read at once.
    const sentAt = Date.now();
    await sendAll(a.port, [Buffer.from('y3')]);
    await arrived(got, 'y3');
    const tookMs = Date.now() - sentAt;
    assert.deepEqual(got, ['y1', 'y2', 'y3']);
    assert.ok(tookMs < HOLD_MS - 50, `y3 read after ${tookMs} ms: held`);
  } finally {
    addon.rxHold(0);
    r.close();
    a.sock.close();
  }
});
