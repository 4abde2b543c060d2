/**
 * VrrpSocketFactory over `raw-socket` (shared/design/ARCHITECTURE.md §2 io/, §4.5): one raw
 * IPv4 socket for IP protocol 112 per interface, bound to it (SO_BINDTODEVICE), joined to
 * 224.0.0.18 on it, multicast loop off, IP_HDRINCL so we build the IP header (ipv4-header.ts)
 * and the source can be any configured address (mcast_src_ip / unicast_src_ip). Received
 * datagrams are parsed to ReceivedPacket; our own adverts (source in `ownAddresses`) are
 * dropped here and never reach the core. It decides nothing about VRRP: no validation.
 *
 * raw-socket quirks handled here (node_modules/raw-socket/src/raw.cc, index.js):
 * - errors carry only strerror(3) text, no errno: STRERROR_CODES maps the exact libc texts
 *   back to errno names, the one place we read a message (there is nothing else to read);
 * - the 'message' buffer is a slice of one receive buffer reused for every datagram: copy;
 * - send()/recv() silently create a fresh, unconfigured socket after close(): guard send;
 * - close() drops queued sends without calling their callbacks: reject them ourselves;
 * - a receive error is emitted as 'error' (and a poll error also closes the socket): an
 *   'error' listener is mandatory or Node throws;
 * - send() only queues: the sendto(2) happens on the next event-loop turn, once libuv has
 *   polled the socket writable (100-250 µs later, measured). A takeover advert cannot wait for
 *   that, so when nothing is queued we call the wrapper's synchronous send (raw.cc
 *   SocketWrap::Send: sendto(2) now, callback before it returns, throws on error) and fall
 *   back to the queue when the socket buffer is full (EAGAIN). raw-socket is pinned (1.8.x);
 * - it reads with recvfrom(2), so no receive timestamp comes with a datagram, yet the time an
 *   advert arrived anchors Master_Down_Timer (RFC 3768 §6.4.2): measured in JS it is late by
 *   however long the event loop took to get to it. The native addon finds the socket's
 *   descriptor and reads the kernel's timestamp of the datagram just read (SIOCGSTAMPNS; the
 *   'message' event is emitted right after each recvfrom), handed on as `rxAgeUs`.
 */
import { promises as fsp } from 'node:fs';
import { endianness } from 'node:os';
import { IPPROTO_VRRP, VRRP_MCAST_GROUP, VRRP_TTL } from '../protocol/constants';
import { BatchReader, RX_HOLD_MS, type RxBatchSource, type RxHoldSource } from './rx-batch';
import { ipv4Octets, ipv4ToNumber } from '../protocol/ipv4';
import type { ReceivedPacket } from '../protocol/types';
import { TsvrrpdIoError, ioCode, type IoErrorCode } from './errors';
import { guardEmitter, reportFault } from './faults';
import { buildIpv4Packet, parseIpv4Header } from './ipv4-header';
import { loadNative, type NativeAddon } from './native';
import type { VrrpSocket, VrrpSocketFactory } from './ports';

/** Linux socket option numbers (asm-generic/socket.h, linux/in.h). */
const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const IPPROTO_IP = 0;
const IP_HDRINCL = 3;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;
const IP_MULTICAST_ALL = 49;
/** IFNAMSIZ - 1. */
const MAX_IFNAME_LEN = 15;

/** The part of raw-socket's Socket we use. */
export interface RawSocketLike {
  send(
    buffer: Buffer,
    offset: number,
    length: number,
    address: string,
    beforeCallback: (() => void) | null,
    afterCallback: (error: Error | null, bytes: number) => void,
  ): unknown;
  setOption(level: number, option: number, value: number | Buffer, length?: number): void;
  /** raw-socket internals (index.js): the queue of send() requests and the C++ wrapper. */
  readonly requests?: readonly unknown[];
  readonly wrap?: { send(buffer: Buffer, offset: number, length: number, address: string, done: (bytes: number) => void): unknown };
  on(event: 'message', listener: (buffer: Buffer, source: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stop raw-socket's own reading (the batch reader takes over); absent on injected fakes. */
  pauseRecv?(): unknown;
  close(): unknown;
}

/** The part of the raw-socket module we use (injectable so unit tests never load it). */
export interface RawSocketModule {
  createSocket(options: { protocol: number; bufferSize?: number }): RawSocketLike;
}

export interface RawVrrpSocketFactoryOptions {
  /** Defaults to require('raw-socket'), loaded on the first open(). */
  readonly raw?: RawSocketModule;
  /** Defaults to /sys/class/net/<ifname>/ifindex. */
  readonly readIfindex?: (ifname: string) => Promise<number>;
  /** Receive-side failures (no caller to reject): report them, e.g. to the log. */
  readonly onError?: (error: TsvrrpdIoError) => void;
  /** Something an operator should know that is not a failure (e.g. no receive timestamps). */
  readonly onWarning?: (message: string) => void;
  /**
   * Kernel receive timestamps; defaults to the native addon with the real raw-socket (none
   * with an injected one, or when the addon is missing: rxAgeUs is then 0).
   */
  readonly rxStamps?: RxStampSource | null;
  /** The receive hold, ms (rx-batch.ts RX_HOLD_MS); 0 turns it off. */
  readonly rxHoldMs?: number;
}

/**
 * The addon's timestamp calls (native.ts), and its batch reader when it has one: then the
 * socket is read through it (rx-batch.ts) and rxAgeNs is not called.
 */
export type RxStampSource = Pick<NativeAddon, 'findRawSocket' | 'rxAgeNs'> & Partial<RxBatchSource> & Partial<RxHoldSource> & Partial<Pick<NativeAddon, 'rawSendTo'>>;

/**
 * An age beyond this is not believed: age unknown, timed from the read. Ages up to it are real
 * (a stall of the event loop, SIGSTOP, a long GC) and are kept, since the first advert read
 * after a stall must not move the driver's "now" past the younger adverts queued behind it.
 * The stamp is wall-clock time: only a clock step forward in the microseconds between the
 * advert's arrival and its read could fake an age, and a negative one (a step back) is unknown.
 */
const MAX_RX_AGE_US = 10_000_000;

/** The age the addon reports (ns, -1 unknown) as whole µs, 0 when unknown or implausible. */
export function rxAgeUs(ageNs: number): number {
  if (!(ageNs >= 0)) return 0;
  const us = Math.floor(ageNs / 1000);
  return us <= MAX_RX_AGE_US ? us : 0;
}

function defaultRxStamps(): RxStampSource | null {
  try {
    return loadNative();
  } catch {
    return null; // the daemon still runs; Master_Down is anchored on the JS receipt time
  }
}

/** glibc and musl strerror() texts of the errnos IoErrorCode knows. */
const STRERROR_CODES: Readonly<Record<string, IoErrorCode>> = {
  'Operation not permitted': 'EPERM',
  'No such file or directory': 'ENOENT',
  'Input/output error': 'EIO',
  'I/O error': 'EIO',
  'Permission denied': 'EACCES',
  'Device or resource busy': 'EBUSY',
  'Resource busy': 'EBUSY',
  'File exists': 'EEXIST',
  'No such device': 'ENODEV',
  'Invalid argument': 'EINVAL',
  'Cannot assign requested address': 'EADDRNOTAVAIL',
  'Address not available': 'EADDRNOTAVAIL',
  'Network is down': 'ENETDOWN',
  'Network is unreachable': 'ENETUNREACH',
  'Network unreachable': 'ENETUNREACH',
  'No buffer space available': 'ENOBUFS',
};

/**
 * The IoErrorCode of an error from raw-socket or node:fs: a Node `code`, raw-socket's
 * strerror text, or the bare libuv status number raw-socket emits on poll errors.
 */
export function rawErrorCode(error: unknown): IoErrorCode {
  if (!(error instanceof Error)) return 'UNKNOWN';
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return ioCode(code);
  if (/^-?\d+$/.test(error.message)) return ioCode(Number(error.message));
  return STRERROR_CODES[error.message] ?? 'UNKNOWN';
}

function ioError(operation: string, cause: unknown, code: IoErrorCode = rawErrorCode(cause)): TsvrrpdIoError {
  return new TsvrrpdIoError(code, operation, { cause });
}

async function sysfsIfindex(ifname: string): Promise<number> {
  const text = await fsp.readFile(`/sys/class/net/${ifname}/ifindex`, 'utf8');
  const index = Number(text.trim());
  if (!Number.isInteger(index) || index <= 0) throw new Error(`bad ifindex ${JSON.stringify(text)}`);
  return index;
}

/** struct ip_mreqn {imr_multiaddr, imr_address, int imr_ifindex}: 12 octets, int in host order. */
function ipMreqn(group: string, ifindex: number): Buffer {
  const b = Buffer.alloc(12);
  b.set(ipv4Octets(group), 0);
  if (endianness() === 'LE') b.writeInt32LE(ifindex, 8);
  else b.writeInt32BE(ifindex, 8);
  return b;
}

let defaultRaw: RawSocketModule | undefined;
function loadRawSocket(): RawSocketModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  defaultRaw ??= require('raw-socket') as RawSocketModule;
  return defaultRaw;
}

interface PendingSend {
  readonly reject: (e: Error) => void;
}

/** An advert's packet as built for one source, destination and TTL (reused while they hold). */
interface BuiltPacket {
  readonly srcIp: string;
  readonly dstIp: string;
  readonly ttl: number;
  readonly packet: Buffer;
  /** dstIp as a number, for the addon's sendto. */
  readonly dstNum: number | null;
}

/** Packets kept per message: one per destination (a unicast instance may have several peers). */
const MAX_BUILT_PER_MESSAGE = 16;

/**
 * A plain Uint8Array view of buffer[start, end), no copy: the listeners get it only during the
 * call (VrrpSocket.onPacket), so a BACKUP hearing 1 000 adverts a second allocates no backing
 * store for them (each slice() was a malloc and an ArrayBuffer for the collector to sweep).
 */
function viewOf(buffer: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset + start, end - start);
}

/** raw-socket's synchronous send calls back before it returns: nothing to do there. */
const ignoreSent = (): void => undefined;

class RawVrrpSocket implements VrrpSocket {
  private readonly listeners: ((packet: ReceivedPacket, rxAgeUs: number) => void)[] = [];
  /** Where the kernel timestamps come from: the addon and raw-socket's descriptor. */
  private stamps: { readonly source: RxStampSource; readonly fd: number } | null = null;
  /** The addon reading the socket in batches, raw-socket's reader paused; null: raw-socket reads. */
  private batch: BatchReader | null = null;
  private readonly pending = new Set<PendingSend>();
  /**
   * The packets built for each message: a MASTER sends the same message (encoded once per
   * priority by its executor) every advert interval, so its IP header is built once, not on
   * every advert (it was a fifth of a 1 000-instance MASTER's CPU in perf).
   */
  private readonly built = new WeakMap<Uint8Array, BuiltPacket[]>();
  private closed = false;

  constructor(
    private readonly sock: RawSocketLike,
    private readonly ifname: string,
    readonly ifindex: number,
    private own: ReadonlySet<string>,
    private readonly onError: (error: TsvrrpdIoError) => void,
  ) {
    // raw-socket raises these events from its native poll callback: nothing may unwind there.
    guardEmitter(sock, `the VRRP socket on ${ifname}`);
    if (sock.wrap !== undefined) guardEmitter(sock.wrap, `the VRRP socket on ${ifname}`);
    sock.on('message', (buffer, _source) => this.receive(buffer));
    sock.on('error', (error) => {
      if (this.closed) return;
      this.onError(ioError(`receive VRRP on ${ifname}`, error));
    });
  }

  send(message: Uint8Array, srcIp: string, dstIp: string, ttl: number = VRRP_TTL): Promise<void> | void {
    if (this.closed) return Promise.reject(new TsvrrpdIoError('EIO', `send VRRP ${srcIp} -> ${dstIp} on ${this.ifname} (socket closed)`));
    let built: BuiltPacket;
    try {
      built = this.packetFor(message, srcIp, dstIp, ttl);
    } catch (e: unknown) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const packet = built.packet;
    if (this.sendNow(built)) return;
    const operation = `send VRRP ${srcIp} -> ${dstIp} on ${this.ifname}`;
    return new Promise<void>((resolve, reject) => {
      const entry: PendingSend = { reject };
      this.pending.add(entry);
      this.sock.send(packet, 0, packet.length, dstIp, null, (error) => {
        if (!this.pending.delete(entry)) return; // already rejected by close()
        if (error) reject(ioError(operation, error));
        else resolve();
      });
    });
  }

  /** keepalived vrrp_build_ip4(): id 0, which the kernel fills in (raw(7)); built once per message and route. */
  private packetFor(message: Uint8Array, srcIp: string, dstIp: string, ttl: number): BuiltPacket {
    let list = this.built.get(message);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const b = list[i] as BuiltPacket;
        if (b.dstIp === dstIp && b.srcIp === srcIp && b.ttl === ttl) return b;
      }
    }
    const bytes = buildIpv4Packet({ src: srcIp, dst: dstIp, ttl }, message);
    const dst = ipv4ToNumber(dstIp);
    const b: BuiltPacket = { srcIp, dstIp, ttl, packet: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), dstNum: dst === null ? null : dst >>> 0 };
    if (list === undefined) {
      list = [];
      this.built.set(message, list);
    }
    if (list.length < MAX_BUILT_PER_MESSAGE) list.push(b);
    return b;
  }

  /**
   * sendto(2) right away when nothing is queued (see the header); false = use the queue. The
   * addon's rawSendTo when the socket was found (no JS callback, nothing allocated), else
   * raw-socket's synchronous wrapper.
   */
  private sendNow(b: BuiltPacket): boolean {
    if ((this.sock.requests?.length ?? 1) > 0) return false;
    const st = this.stamps;
    const tx = st?.source.rawSendTo;
    try {
      if (st !== null && tx !== undefined && b.dstNum !== null) return tx(st.fd, b.packet, b.dstNum) === b.packet.length;
      const wrap = this.sock.wrap;
      if (wrap === undefined) return false;
      wrap.send(b.packet, 0, b.packet.length, b.dstIp, ignoreSent);
      return true;
    } catch {
      // EAGAIN and real errors alike: the queued path retries and reports a real error typed.
      return false;
    }
  }

  /**
   * Read kernel receive timestamps from `source` (after configure(): the socket is bound), and
   * read the socket in batches through it when it can; false if the socket is not found.
   */
  useRxStamps(source: RxStampSource): boolean {
    const fd = source.findRawSocket(IPPROTO_VRRP, this.ifname);
    this.stamps = fd >= 0 ? { source, fd } : null;
    if (this.stamps === null) return false;
    const { rxWatch, rxUnwatch } = source;
    if (rxWatch !== undefined && rxUnwatch !== undefined && this.sock.pauseRecv !== undefined) {
      this.batch = new BatchReader(
        { rxWatch, rxUnwatch },
        fd,
        `the VRRP receive path on ${this.ifname}`,
        (buffer, offset, length, ageNs) => this.receiveDatagram(buffer, offset, length, rxAgeUs(ageNs)),
        (code) => {
          this.batch = null;
          if (!this.closed) this.onError(ioError(`receive VRRP on ${this.ifname}`, Object.assign(new Error(code), { code })));
        },
      );
      this.sock.pauseRecv();
    }
    return true;
  }

  onPacket(listener: (packet: ReceivedPacket, rxAgeUs: number) => void): void {
    this.listeners.push(listener);
  }

  /** Read in batches by the addon (and so under its receive hold). */
  get batched(): boolean {
    return this.batch !== null;
  }

  descriptor(): number | null {
    return this.stamps?.fd ?? null;
  }

  setOwnAddresses(addresses: readonly string[]): void {
    this.own = new Set(addresses);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stamps = null; // the descriptor number may be reused
    this.batch?.close(); // before raw-socket closes the descriptor it reads a dup of
    this.batch = null;
    this.sock.close();
    for (const p of this.pending) p.reject(new TsvrrpdIoError('EIO', `send VRRP on ${this.ifname} (socket closed)`));
    this.pending.clear();
  }

  /** A datagram from raw-socket's reader (no batch reader): its stamp read at once. */
  private receive(buffer: Buffer): void {
    if (this.closed) return;
    // First, before anything else is read from the socket: the stamp of this datagram.
    this.receiveDatagram(buffer, 0, buffer.length, this.stamps ? rxAgeUs(this.stamps.source.rxAgeNs(this.stamps.fd)) : 0);
  }

  /**
   * One datagram (IP header included), `length` octets at `offset` in `buffer`, `ageUs` after
   * the kernel received it; `buffer` may be reused after.
   */
  private receiveDatagram(buffer: Uint8Array, offset: number, length: number, ageUs: number): void {
    if (this.closed) return;
    const header = parseIpv4Header(buffer, offset, length);
    if (header === null || header.protocol !== IPPROTO_VRRP) return;
    if (this.own.has(header.src)) return; // never process our own adverts
    const packet: ReceivedPacket = {
      // A view: valid during the listeners' call only (the buffer takes the next datagram).
      payload: viewOf(buffer, offset + header.headerLength, offset + length),
      srcIp: header.src,
      dstIp: header.dst,
      ttl: header.ttl,
      ipTotalLength: header.totalLength,
      ipHeaderLength: header.headerLength,
    };
    for (const listener of this.listeners) {
      try {
        listener(packet, ageUs);
      } catch (e: unknown) {
        // A listener bug is not a receive error (raw-socket would close the socket on one),
        // nor a reason to end the process: reported, and the next advert is read as usual.
        reportFault(`the VRRP receive path on ${this.ifname}`, e);
      }
    }
  }
}

export class RawVrrpSocketFactory implements VrrpSocketFactory {
  private readonly readIfindex: (ifname: string) => Promise<number>;
  private readonly onError: (error: TsvrrpdIoError) => void;
  private readonly warn: (message: string) => void;
  /** null: no receive timestamps (an injected raw-socket, or the addon did not load). */
  private readonly rxStamps: RxStampSource | null;
  /** The receive hold has been set (on the first socket read in batches). */
  private holding = false;

  constructor(private readonly options: RawVrrpSocketFactoryOptions = {}) {
    this.readIfindex = options.readIfindex ?? sysfsIfindex;
    this.onError = options.onError ?? (() => undefined);
    this.warn = options.onWarning ?? (() => undefined);
    this.rxStamps = options.rxStamps !== undefined ? options.rxStamps : options.raw ? null : defaultRxStamps();
  }

  async open(ifname: string, opts: { readonly ownAddresses: readonly string[] }): Promise<VrrpSocket> {
    if (ifname.length === 0 || ifname.length > MAX_IFNAME_LEN || ifname.includes('/') || ifname === '.' || ifname === '..') {
      throw new TsvrrpdIoError('ENODEV', `open VRRP socket on ${JSON.stringify(ifname)}: not an interface name`);
    }
    let ifindex: number;
    try {
      ifindex = await this.readIfindex(ifname);
    } catch (e: unknown) {
      const code = rawErrorCode(e);
      throw ioError(`find interface ${ifname}`, e, code === 'ENOENT' ? 'ENODEV' : code);
    }
    const raw = this.options.raw ?? loadRawSocket();
    let sock: RawSocketLike;
    try {
      sock = raw.createSocket({ protocol: IPPROTO_VRRP });
    } catch (e: unknown) {
      throw ioError(`open raw IP protocol ${IPPROTO_VRRP} socket for ${ifname}`, e);
    }
    // Listen at once: a receive error before configure() ends must not throw from the emitter.
    const socket = new RawVrrpSocket(sock, ifname, ifindex, new Set(opts.ownAddresses), this.onError);
    try {
      configure(sock, ifname, ifindex);
    } catch (e: unknown) {
      socket.close();
      throw e;
    }
    if (this.rxStamps === null) {
      if (this.options.raw === undefined) this.warn(`VRRP socket on ${ifname}: no kernel receive timestamps (native addon not loaded); Master_Down is timed from when adverts are read`);
    } else if (!socket.useRxStamps(this.rxStamps)) {
      this.warn(`VRRP socket on ${ifname}: no kernel receive timestamps (socket not found uniquely); Master_Down is timed from when adverts are read`);
    } else if (socket.batched) {
      this.startHold(this.rxStamps);
    }
    return socket;
  }

  /** Read now what the receive hold has kept back (a takeover deadline is about to fire). */
  flushReceived(): void {
    if (!this.holding) return;
    try {
      this.rxStamps?.rxFlush?.();
    } catch (e: unknown) {
      reportFault('the VRRP receive hold', e);
    }
  }

  private startHold(source: RxStampSource): void {
    const holdMs = this.options.rxHoldMs ?? RX_HOLD_MS;
    if (this.holding || holdMs <= 0 || source.rxHold === undefined || source.rxFlush === undefined) return;
    try {
      source.rxHold(holdMs);
      this.holding = true;
    } catch (e: unknown) {
      this.warn(`VRRP sockets: no receive hold (${e instanceof Error ? e.message : String(e)}); each advert is read as it comes`);
    }
  }
}

/** The socket options, in keepalived's order (open_vrrp_send_socket/open_vrrp_read_socket). */
function configure(sock: RawSocketLike, ifname: string, ifindex: number): void {
  const set = (what: string, level: number, option: number, value: number | Buffer): void => {
    try {
      if (typeof value === 'number') sock.setOption(level, option, value);
      else sock.setOption(level, option, value, value.length);
    } catch (e: unknown) {
      throw ioError(`${what} on ${ifname}`, e);
    }
  };
  const name = Buffer.from(`${ifname}\0`, 'latin1');
  set('SO_BINDTODEVICE', SOL_SOCKET, SO_BINDTODEVICE, name);
  set('IP_HDRINCL', IPPROTO_IP, IP_HDRINCL, 1);
  // keepalived if_setsockopt_mcast_all(): only the groups this socket joined.
  set('IP_MULTICAST_ALL off', IPPROTO_IP, IP_MULTICAST_ALL, 0);
  set('IP_MULTICAST_LOOP off', IPPROTO_IP, IP_MULTICAST_LOOP, 0);
  set('IP_MULTICAST_TTL', IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL);
  set('IP_MULTICAST_IF', IPPROTO_IP, IP_MULTICAST_IF, ipMreqn('0.0.0.0', ifindex));
  set(`join ${VRRP_MCAST_GROUP}`, IPPROTO_IP, IP_ADD_MEMBERSHIP, ipMreqn(VRRP_MCAST_GROUP, ifindex));
}
