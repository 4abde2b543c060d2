/**
 * RawVrrpSocketFactory against a fake raw-socket module (the real kernel is proved in
 * test/integration/vrrp-socket.test.ts): the socket options and their bytes, the IP header
 * of what we send, the own-address filter, the copy of raw-socket's reused receive buffer,
 * and errno translation of raw-socket's strerror-only errors into TsvrrpdIoError codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { endianness } from 'node:os';
import { TsvrrpdIoError } from '../../../src/io/errors';
import { copyPacket } from '../../../src/io/ports';
import { setFaultSink } from '../../../src/io/faults';
import { buildIpv4Packet } from '../../../src/io/ipv4-header';
import type { RxWatchHandle } from '../../../src/io/native';
import { RX_HOLD_MS } from '../../../src/io/rx-batch';
import { RawVrrpSocketFactory, rawErrorCode, rxAgeUs, type RawSocketLike, type RawSocketModule, type RxStampSource } from '../../../src/io/vrrp-socket';
import { encodeAdvert } from '../../../src/protocol/advert';
import type { ReceivedPacket } from '../../../src/protocol/types';
import { labFields } from '../../support/protocol-wire';

interface SentCall {
  buffer: Buffer;
  address: string;
  done: (error: Error | null, bytes: number) => void;
}

class FakeRawSocket extends EventEmitter implements RawSocketLike {
  readonly options: { level: number; option: number; value: number | string; length?: number }[] = [];
  readonly sent: SentCall[] = [];
  closed = false;
  failOption: { option: number; message: string } | null = null;

  send(buffer: Buffer, offset: number, length: number, address: string, _before: (() => void) | null, after: (error: Error | null, bytes: number) => void): this {
    this.sent.push({ buffer: buffer.subarray(offset, offset + length), address, done: after });
    return this;
  }

  setOption(level: number, option: number, value: number | Buffer, length?: number): void {
    if (this.failOption?.option === option) throw new Error(this.failOption.message);
    const entry = { level, option, value: typeof value === 'number' ? value : value.subarray(0, length).toString('hex') };
    this.options.push(length === undefined ? entry : { ...entry, length });
  }

  close(): this {
    this.closed = true;
    return this;
  }
}

function fake(opts: { createError?: string; failOption?: { option: number; message: string } } = {}): { raw: RawSocketModule; sockets: FakeRawSocket[] } {
  const sockets: FakeRawSocket[] = [];
  return {
    sockets,
    raw: {
      createSocket: (o) => {
        assert.equal(o.protocol, 112);
        if (opts.createError !== undefined) throw new Error(opts.createError);
        const s = new FakeRawSocket();
        s.failOption = opts.failOption ?? null;
        sockets.push(s);
        return s;
      },
    },
  };
}

const readIfindex = async (ifname: string): Promise<number> => {
  if (ifname === 'eth0') return 7;
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '/sys/class/net/${ifname}/ifindex'`), { code: 'ENOENT' });
};

/** A send the fake socket (no synchronous wrapper) had to queue: always a promise. */
function queued(r: Promise<void> | void): Promise<void> {
  assert.ok(r instanceof Promise, 'a queued send returns a promise');
  return r;
}

const le = endianness() === 'LE';
const mreqn = (group: string, ifindex: string): string => `${group}00000000${ifindex}`;
const IFINDEX_7 = le ? '07000000' : '00000007';

test('open: SO_BINDTODEVICE, IP_HDRINCL, mcast_all/loop off, TTL 255, IP_MULTICAST_IF and join 224.0.0.18 with ip_mreqn on the ifindex', async () => {
  const { raw, sockets } = fake();
  const s = await new RawVrrpSocketFactory({ raw, readIfindex }).open('eth0', { ownAddresses: [] });
  assert.deepEqual(sockets[0]?.options, [
    { level: 1, option: 25, value: Buffer.from('eth0\0').toString('hex'), length: 5 },
    { level: 0, option: 3, value: 1 },
    { level: 0, option: 49, value: 0 },
    { level: 0, option: 34, value: 0 },
    { level: 0, option: 33, value: 255 },
    { level: 0, option: 32, value: mreqn('00000000', IFINDEX_7), length: 12 },
    { level: 0, option: 35, value: mreqn('e0000012', IFINDEX_7), length: 12 },
  ]);
  s.close();
});

test('B20 send: our IP header (TTL 255, TOS 0xC0, proto 112, configured source) + the message, to dstIp; resolves after the send', async () => {
  const { raw, sockets } = fake();
  const s = await new RawVrrpSocketFactory({ raw, readIfindex }).open('eth0', { ownAddresses: [] });
  const msg = encodeAdvert(labFields());
  let resolved = false;
  const p = queued(s.send(msg, '10.77.0.60', '224.0.0.18')).then(() => (resolved = true));
  const call = sockets[0]?.sent[0];
  assert.ok(call);
  assert.equal(call.address, '224.0.0.18');
  assert.deepEqual([...call.buffer], [...buildIpv4Packet({ src: '10.77.0.60', dst: '224.0.0.18' }, msg)]);
  await Promise.resolve();
  assert.equal(resolved, false, 'not before the afterCallback');
  call.done(null, call.buffer.length);
  await p;
  assert.equal(resolved, true);

  const q = s.send(msg, '10.77.0.1', '10.77.0.2', 1);
  const unicast = sockets[0]?.sent[1];
  assert.equal(unicast?.buffer[8], 1, 'unicast_ttl');
  unicast?.done(null, 40);
  await q;
  s.close();
});

test('send failures reject with TsvrrpdIoError: strerror text -> code, cause kept; bad addresses are RangeError', async () => {
  const { raw, sockets } = fake();
  const s = await new RawVrrpSocketFactory({ raw, readIfindex }).open('eth0', { ownAddresses: [] });
  const msg = encodeAdvert(labFields());
  const p = queued(s.send(msg, '10.77.0.1', '10.9.9.9'));
  const cause = new Error('Network is unreachable');
  sockets[0]?.sent[0]?.done(cause, 0);
  await assert.rejects(p, (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'ENETUNREACH' && e.cause === cause && /10\.77\.0\.1 -> 10\.9\.9\.9 on eth0/.test(e.operation));
  await assert.rejects(queued(s.send(msg, '10.77.0.999', '224.0.0.18')), RangeError);
  s.close();
});

test('send with the synchronous wrapper: sent at once, nothing returned; one packet built per message and route, reused', async () => {
  const { raw, sockets } = fake();
  const s = await new RawVrrpSocketFactory({ raw, readIfindex }).open('eth0', { ownAddresses: [] });
  const fakeSock = sockets[0] as FakeRawSocket & { wrap?: unknown; requests?: unknown[] };
  const direct: { buffer: Buffer; address: string }[] = [];
  let fail: Error | null = null;
  fakeSock.requests = [];
  fakeSock.wrap = {
    send: (buffer: Buffer, offset: number, length: number, address: string, done: (bytes: number) => void): void => {
      if (fail !== null) throw fail;
      direct.push({ buffer: buffer.subarray(offset, offset + length), address });
      done(length);
    },
  };
  const msg = encodeAdvert(labFields());
  assert.equal(s.send(msg, '10.77.0.60', '224.0.0.18'), undefined);
  assert.equal(s.send(msg, '10.77.0.60', '224.0.0.18'), undefined);
  assert.equal(s.send(msg, '10.77.0.60', '10.77.0.2', 1), undefined);
  assert.equal(s.send(Uint8Array.from(msg), '10.77.0.60', '224.0.0.18'), undefined);
  assert.equal(direct.length, 4);
  assert.equal(direct[0]?.buffer.buffer, direct[1]?.buffer.buffer, 'the same message and route reuse the packet');
  assert.notEqual(direct[0]?.buffer.buffer, direct[2]?.buffer.buffer, 'another destination and TTL: another packet');
  assert.notEqual(direct[0]?.buffer.buffer, direct[3]?.buffer.buffer, 'another message: another packet');
  assert.deepEqual([...(direct[2]?.buffer ?? [])], [...buildIpv4Packet({ src: '10.77.0.60', dst: '10.77.0.2', ttl: 1 }, msg)]);
  assert.deepEqual([...(direct[3]?.buffer ?? [])], [...buildIpv4Packet({ src: '10.77.0.60', dst: '224.0.0.18' }, msg)]);
  // EAGAIN (or any error) from the synchronous send: the queued path takes it and reports.
  fail = new Error('Resource temporarily unavailable');
  const p = queued(s.send(msg, '10.77.0.60', '224.0.0.18'));
  fakeSock.sent[0]?.done(null, 40);
  await p;
  s.close();
});

test('send through the addon when the socket was found: rawSendTo(fd, packet, destination as a number); a failure (EAGAIN) is queued', async () => {
  const { raw, sockets } = fake();
  const calls: { fd: number; packet: Uint8Array; dst: number }[] = [];
  let rc: number | null = null;
  const rxStamps: RxStampSource = {
    findRawSocket: () => 9,
    rxAgeNs: () => -1,
    rawSendTo: (fd, packet, dst) => (calls.push({ fd, packet, dst }), rc ?? packet.length),
  };
  const s = await new RawVrrpSocketFactory({ raw, readIfindex, rxStamps }).open('eth0', { ownAddresses: [] });
  (sockets[0] as FakeRawSocket & { requests?: unknown[] }).requests = [];
  const msg = encodeAdvert(labFields());
  assert.equal(s.send(msg, '10.77.0.60', '224.0.0.18'), undefined);
  assert.equal(s.send(msg, '10.77.0.60', '10.77.0.2'), undefined);
  assert.deepEqual(
    calls.map((c) => [c.fd, c.dst]),
    [
      [9, 0xe0000012],
      [9, 0x0a4d0002],
    ],
  );
  assert.deepEqual([...(calls[0]?.packet ?? [])], [...buildIpv4Packet({ src: '10.77.0.60', dst: '224.0.0.18' }, msg)]);
  assert.equal(sockets[0]?.sent.length, 0, 'raw-socket not used');
  rc = -11; // EAGAIN: the socket buffer is full
  const p = queued(s.send(msg, '10.77.0.60', '224.0.0.18'));
  assert.equal(sockets[0]?.sent.length, 1, 'queued on raw-socket, which waits for the socket to be writable');
  sockets[0]?.sent[0]?.done(null, 40);
  await p;
  s.close();
});

test('close rejects queued sends (raw-socket drops them silently) and later sends; closing twice is harmless', async () => {
  const { raw, sockets } = fake();
  const s = await new RawVrrpSocketFactory({ raw, readIfindex }).open('eth0', { ownAddresses: [] });
  const msg = encodeAdvert(labFields());
  const pending = queued(s.send(msg, '10.77.0.1', '224.0.0.18'));
  s.close();
  s.close();
  assert.equal(sockets[0]?.closed, true);
  await assert.rejects(pending, (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'EIO');
  await assert.rejects(queued(s.send(msg, '10.77.0.1', '224.0.0.18')), (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'EIO');
  assert.equal(sockets[0]?.sent.length, 1, 'nothing reaches raw-socket after close (it would reopen an unbound socket)');
  sockets[0]?.sent[0]?.done(null, 40); // a late callback changes nothing
});

test('receive: ReceivedPacket fields from the IP header, the payload a view of the reused buffer (copyPacket keeps it); own sources and non-VRRP dropped', async () => {
  const { raw, sockets } = fake();
  const s = await new RawVrrpSocketFactory({ raw, readIfindex }).open('eth0', { ownAddresses: ['10.77.0.1', '10.77.0.60'] });
  const got: ReceivedPacket[] = [];
  const views: Uint8Array[] = [];
  s.onPacket((p) => {
    views.push(p.payload);
    got.push(copyPacket(p));
  });
  const msg = encodeAdvert(labFields());
  const shared = Buffer.alloc(4096);
  const deliver = (src: string, opts: { protocol?: number; ttl?: number } = {}): void => {
    const bytes = buildIpv4Packet({ src, dst: '224.0.0.18', ...opts }, msg);
    shared.set(bytes);
    sockets[0]?.emit('message', shared.subarray(0, bytes.length), src);
  };
  deliver('10.77.0.1');
  deliver('10.77.0.60');
  deliver('10.77.0.2', { protocol: 113 });
  sockets[0]?.emit('message', Buffer.from([0x45, 0, 0]), '10.77.0.2');
  deliver('10.77.0.2', { ttl: 254 });
  shared.fill(0xee); // raw-socket reuses its buffer for the next datagram
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], { payload: msg, srcIp: '10.77.0.2', dstIp: '224.0.0.18', ttl: 254, ipTotalLength: 40, ipHeaderLength: 20 });
  assert.equal(Object.getPrototypeOf(got[0]?.payload), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer view');
  assert.equal(Object.getPrototypeOf(views[0]), Uint8Array.prototype);
  assert.equal(views[0]?.buffer, shared.buffer, 'handed on as a view of the receive buffer, not copied');
  assert.equal(views[0]?.[0], 0xee, 'which the next datagram overwrites');
  s.close();
});

test('open failures are TsvrrpdIoError: no interface ENODEV, not root EPERM, a failing option closes the socket', async () => {
  const { raw } = fake();
  const factory = new RawVrrpSocketFactory({ raw, readIfindex });
  const isCode = (code: string) => (e: unknown) => e instanceof TsvrrpdIoError && e.code === code;
  await assert.rejects(factory.open('nope0', { ownAddresses: [] }), isCode('ENODEV'));
  await assert.rejects(factory.open('../eth0', { ownAddresses: [] }), isCode('ENODEV'));
  await assert.rejects(factory.open('averyveryverylongname', { ownAddresses: [] }), isCode('ENODEV'));
  await assert.rejects(new RawVrrpSocketFactory({ raw: fake({ createError: 'Operation not permitted' }).raw, readIfindex }).open('eth0', { ownAddresses: [] }), isCode('EPERM'));
  const failing = fake({ failOption: { option: 35, message: 'No such device' } });
  await assert.rejects(new RawVrrpSocketFactory({ raw: failing.raw, readIfindex }).open('eth0', { ownAddresses: [] }), (e: unknown) => isCode('ENODEV')(e) && /join 224\.0\.0\.18 on eth0/.test((e as TsvrrpdIoError).operation));
  assert.equal(failing.sockets[0]?.closed, true);
});

test("receive errors go to onError as TsvrrpdIoError (raw-socket's poll errors carry a bare libuv status)", async () => {
  const { raw, sockets } = fake();
  const errors: TsvrrpdIoError[] = [];
  const s = await new RawVrrpSocketFactory({ raw, readIfindex, onError: (e) => errors.push(e) }).open('eth0', { ownAddresses: [] });
  sockets[0]?.emit('error', new Error('-100'));
  sockets[0]?.emit('error', new Error('No buffer space available'));
  assert.deepEqual(
    errors.map((e) => [e.code, e.operation]),
    [
      ['ENETDOWN', 'receive VRRP on eth0'],
      ['ENOBUFS', 'receive VRRP on eth0'],
    ],
  );
  s.close();
});

test('rawErrorCode: Node codes, glibc and musl strerror texts, libuv numbers; anything else UNKNOWN', () => {
  assert.equal(rawErrorCode(Object.assign(new Error('x'), { code: 'EACCES' })), 'EACCES');
  assert.equal(rawErrorCode(new Error('Cannot assign requested address')), 'EADDRNOTAVAIL');
  assert.equal(rawErrorCode(new Error('Address not available')), 'EADDRNOTAVAIL');
  assert.equal(rawErrorCode(new Error('Network is down')), 'ENETDOWN');
  assert.equal(rawErrorCode(new Error('-19')), 'ENODEV');
  assert.equal(rawErrorCode(new Error('Invalid IP address \'x\'')), 'UNKNOWN');
  assert.equal(rawErrorCode('Network is down'), 'UNKNOWN');
});

test('receive: rxAgeUs is the kernel stamp\'s age read right after each datagram, 0 without stamps', async () => {
  const calls: string[] = [];
  const ages = [250_000, -1, 3_000_000_000];
  const stamps: RxStampSource = {
    findRawSocket: (protocol, ifname) => {
      calls.push(`find ${protocol} ${ifname}`);
      return 9;
    },
    rxAgeNs: (fd) => {
      calls.push(`age ${fd}`);
      return ages.shift() ?? 0;
    },
  };
  const { raw, sockets } = fake();
  const s = await new RawVrrpSocketFactory({ raw, readIfindex, rxStamps: stamps }).open('eth0', { ownAddresses: [] });
  const got: number[] = [];
  s.onPacket((_p, age) => got.push(age));
  const bytes = buildIpv4Packet({ src: '10.77.0.2', dst: '224.0.0.18' }, encodeAdvert(labFields()));
  for (let i = 0; i < 3; i++) sockets[0]?.emit('message', Buffer.from(bytes), '10.77.0.2');
  // 250 µs; unknown (-1) → 0; 3 s old (a stall) is kept.
  assert.deepEqual(got, [250, 0, 3_000_000]);
  assert.deepEqual(calls, ['find 112 eth0', 'age 9', 'age 9', 'age 9']);
  s.close();
  sockets[0]?.emit('message', Buffer.from(bytes), '10.77.0.2');
  assert.equal(calls.length, 4, 'no stamp read after close (the descriptor may be reused)');

  // No unique socket found (-1): no stamps, age 0; an injected raw module alone means none.
  const none: RxStampSource = { findRawSocket: () => -1, rxAgeNs: () => assert.fail('not called') };
  const f2 = fake();
  const warnings: string[] = [];
  const s2 = await new RawVrrpSocketFactory({ raw: f2.raw, readIfindex, rxStamps: none, onWarning: (m) => warnings.push(m) }).open('eth0', { ownAddresses: [] });
  assert.deepEqual(warnings, ['VRRP socket on eth0: no kernel receive timestamps (socket not found uniquely); Master_Down is timed from when adverts are read']);
  const got2: number[] = [];
  s2.onPacket((_p, age) => got2.push(age));
  f2.sockets[0]?.emit('message', Buffer.from(bytes), '10.77.0.2');
  assert.deepEqual(got2, [0]);
  s2.close();
});

test('rxAgeUs(): ns to whole µs; negative, NaN or over 10 s is unknown (0)', () => {
  assert.equal(rxAgeUs(0), 0);
  assert.equal(rxAgeUs(1_999), 1);
  assert.equal(rxAgeUs(4_200_000_000), 4_200_000, 'a 4.2 s stall is real');
  assert.equal(rxAgeUs(10_000_000_000), 10_000_000);
  assert.equal(rxAgeUs(10_000_001_000), 0);
  assert.equal(rxAgeUs(-1), 0);
  assert.equal(rxAgeUs(Number.NaN), 0);
});

test('receive: a listener that throws is reported as a fault; the socket stays open and the next advert still arrives', async () => {
  const faults: string[] = [];
  const previous = setFaultSink((line) => faults.push(line.split('\n', 1)[0] ?? ''));
  try {
    const { raw, sockets } = fake();
    const s = await new RawVrrpSocketFactory({ raw, readIfindex }).open('eth0', { ownAddresses: [] });
    const got: number[] = [];
    let first = true;
    s.onPacket((p) => {
      if (first) {
        first = false;
        throw new Error('listener bug');
      }
      got.push(p.ttl);
    });
    const bytes = buildIpv4Packet({ src: '10.77.0.2', dst: '224.0.0.18' }, encodeAdvert(labFields()));
    // emit() returns normally: nothing unwinds into raw-socket's native poll callback.
    sockets[0]?.emit('message', Buffer.from(bytes), '10.77.0.2');
    sockets[0]?.emit('message', Buffer.from(bytes), '10.77.0.2');
    assert.deepEqual(faults, ['internal error in the VRRP receive path on eth0: Error: listener bug']);
    assert.deepEqual(got, [255]);
    assert.equal(sockets[0]?.closed, false);
    s.close();
  } finally {
    setFaultSink(previous);
  }
});

test('the receive hold: set once (RX_HOLD_MS) when a socket is read in batches; flushReceived() reads what it holds; 0 or a failing rxHold leaves it off', async () => {
  const calls: string[] = [];
  const stamps = (holdError: string | null = null): RxStampSource => ({
    findRawSocket: () => 9,
    rxAgeNs: () => assert.fail('a batched socket reads no stamp per datagram'),
    rxWatch: () => {
      calls.push('watch');
      return {} as RxWatchHandle;
    },
    rxUnwatch: () => void calls.push('unwatch'),
    rxHold: (ms) => {
      calls.push(`hold ${ms}`);
      if (holdError !== null) throw new Error(holdError);
    },
    rxFlush: () => {
      calls.push('flush');
      return 0;
    },
  });
  const pausable = (): RawSocketModule => {
    const { raw } = fake();
    return { createSocket: (o) => Object.assign(raw.createSocket(o), { pauseRecv: () => void calls.push('pause') }) };
  };
  const factory = new RawVrrpSocketFactory({ raw: pausable(), readIfindex, rxStamps: stamps() });
  factory.flushReceived();
  assert.deepEqual(calls, [], 'nothing held before a batched socket exists');
  const s1 = await factory.open('eth0', { ownAddresses: [] });
  const s2 = await factory.open('eth0', { ownAddresses: [] });
  factory.flushReceived();
  assert.deepEqual(calls, ['watch', 'pause', `hold ${RX_HOLD_MS}`, 'watch', 'pause', 'flush']);
  s1.close();
  s2.close();

  calls.length = 0;
  const off = new RawVrrpSocketFactory({ raw: pausable(), readIfindex, rxStamps: stamps(), rxHoldMs: 0 });
  (await off.open('eth0', { ownAddresses: [] })).close();
  off.flushReceived();
  assert.deepEqual(calls, ['watch', 'pause', 'unwatch']);

  calls.length = 0;
  const warnings: string[] = [];
  const failing = new RawVrrpSocketFactory({ raw: pausable(), readIfindex, rxStamps: stamps('rxHold: the hold belongs to another thread\'s loop'), onWarning: (m) => warnings.push(m) });
  (await failing.open('eth0', { ownAddresses: [] })).close();
  failing.flushReceived();
  assert.deepEqual(calls, ['watch', 'pause', `hold ${RX_HOLD_MS}`, 'unwatch']);
  assert.deepEqual(warnings, ["VRRP sockets: no receive hold (rxHold: the hold belongs to another thread's loop); each advert is read as it comes"]);
});
