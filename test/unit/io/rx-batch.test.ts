/**
 * Batched reads (src/io/rx-batch.ts over the addon's rxWatch, native/src/rx_batch.c) on a real
 * datagram socket of this process — a UDP socket on 127.0.0.1 whose own reader is stopped, the
 * way the VRRP socket pauses raw-socket's — and BatchReader's guards with a fake source. The
 * raw VRRP socket on a real link is in test/integration/vrrp-socket.test.ts. Needs the built
 * addon, not root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { loadNative, type RxWatchHandle } from '../../../src/io/native';
import { BatchReader, RX_SLOTS, RX_SLOT_BYTES, type RxBatchSource } from '../../../src/io/rx-batch';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
  // Queued before the reader starts: the first wake-up finds all of them waiting.
  await sendAll(port, [...payloads.slice(0, 10), Buffer.alloc(RX_SLOT_BYTES + 1, 0x61), ...payloads.slice(10)]);
  await sleep(20);
  const reader = new BatchReader(counting, fd, 'test', (bytes, ageNs) => got.push({ text: Buffer.from(bytes).toString(), ageNs }), (code) => errors.push(code));
  try {
    for (let i = 0; i < 100 && got.length < payloads.length; i++) await sleep(10);
    assert.deepEqual(got.map((g) => g.text), payloads.map((p) => p.toString()));
    assert.ok(batches.every((n) => n >= 1 && n <= RX_SLOTS), `batches ${batches.join(',')}`);
    assert.ok(batches.length <= Math.ceil(71 / RX_SLOTS) + 1, `71 datagrams in ${batches.length} batches`);
    // Each waited ≥ 20 ms in the socket before the reader started, and none is implausible.
    for (const g of got) assert.ok(g.ageNs >= 15e6 && g.ageNs < 5e9, `age ${g.ageNs} ns`);
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
  const reader: BatchReader = new BatchReader(loadNative(), fd, 'test', (bytes) => {
    got.push(Buffer.from(bytes).toString());
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
  const reader = new BatchReader(fake, 7, 'test', (bytes, age) => {
    seen.push([[...bytes], age]);
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
