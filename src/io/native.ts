/**
 * Loads the native addon (native/, shared/design/ARCHITECTURE.md §2): AF_PACKET frame send,
 * sd_notify, unix datagrams, mkfifo, kernel receive timestamps, batched raw-socket reads and
 * real-time signals, the
 * things Node cannot do.
 * Loaded lazily on first use and cached, so code that never sends a GARP (unit tests,
 * --check-config) never needs the binary. A missing or unloadable binary is a typed
 * NativeAddonError, never a bare MODULE_NOT_FOUND. This module only loads and types the addon;
 * the adapters (garp-sender.ts, sd-notify.ts, io/notify-fifo.ts, vrrp-socket.ts) map its
 * errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The addon's exports (native/src/tsvrrpd_native.c). */
export interface NativeAddon {
  /**
   * Send one complete Ethernet frame (header included) out of interface `ifindex` through an
   * AF_PACKET/SOCK_RAW socket. Throws NativeSystemError on failure (e.g. ENXIO: no such
   * ifindex, EPERM: no CAP_NET_RAW, ENETDOWN: interface down).
   */
  sendFrame(ifindex: number, frame: Uint8Array): void;
  /** sd_notify(3): send `state` to $NOTIFY_SOCKET; false when it is unset. Throws on failure. */
  sdNotify(state: string): boolean;
  /** One datagram to a unix socket (absolute path or @abstract), e.g. a syslog line to /dev/log. */
  sendDatagram(socket: string, message: string): void;
  /**
   * mkfifo(3): create a named pipe at `path` with `mode` (the umask applies). Throws
   * NativeSystemError with syscall 'mkfifo' (e.g. EEXIST: the path exists, ENOENT: no parent).
   */
  mkfifo(path: string, mode: number): void;
  /**
   * The descriptor of this process's one raw AF_INET socket of IP `protocol` bound to `ifname`
   * (found in /proc/self/fd: raw-socket does not expose it), with kernel receive timestamps
   * turned on; -1 when there is none or more than one.
   */
  findRawSocket(protocol: number, ifname: string): number;
  /**
   * How long ago (ns) the kernel received the datagram last read from `fd` (SIOCGSTAMPNS
   * against CLOCK_REALTIME, both read in C back to back); -1 when unknown.
   */
  rxAgeNs(fd: number): number;
  /**
   * Call `callback(signum)` on the event loop whenever one of `signums` arrives (signals Node
   * cannot name: the real-time ones). Never keeps the process alive. Throws on a bad number.
   */
  watchSignals(signums: readonly number[], callback: (signum: number) => void): void;
  /** sigaction(SIG_IGN) for each of `signums`. Throws on a bad number. */
  ignoreSignals(signums: readonly number[]): void;
  /**
   * Read raw socket `fd` in batches (recvmmsg on a dup of it, polled on Node's loop): datagram
   * i into `buffer` at i × `slotBytes`, its length in `lengths[i]` (-1: longer than a slot),
   * its age in `agesNs[i]` (-1 unknown); then `onBatch(count, '')`. A receive error stops it
   * and calls `onBatch(-1, errnoName)`. The caller pauses the socket's own reader first.
   */
  rxWatch(fd: number, buffer: Uint8Array, slotBytes: number, lengths: Int32Array, agesNs: Float64Array, onBatch: (count: number, code: string) => void): RxWatchHandle;
  /** Stop a watch; safe twice and from inside its onBatch. */
  rxUnwatch(handle: RxWatchHandle): void;
  /**
   * The receive hold for every watch on this thread's loop, 0..1000 ms (0, the default: off):
   * once reads come less than `holdMs` apart, a socket just read is polled again only when one
   * shared timer fires, `holdMs` later, so the sockets are read together (rx_batch.c).
   */
  rxHold(holdMs: number): void;
  /** Read every held socket now, each batch to its onBatch first; returns the datagrams read. */
  rxFlush(): number;
  /**
   * One sendto(2) of `packet` (a complete IPv4 packet, for a raw socket with IP_HDRINCL) on
   * `fd` to `dstIpv4` (host-order number), MSG_DONTWAIT. Returns the bytes sent or -errno
   * (never throws for a failed send: EAGAIN is the caller's to queue). Throws on bad arguments.
   */
  rawSendTo(fd: number, packet: Uint8Array, dstIpv4: number): number;
  /**
   * madvise(MADV_PAGEOUT) over this process's private read-only file mappings (node's code),
   * on libuv's thread pool: resolves with the bytes advised; rejects with a NativeSystemError
   * (EINVAL: the kernel has no MADV_PAGEOUT, before Linux 5.4). native/src/mem_pageout.c.
   */
  pageOutFileMappings(): Promise<number>;
}

/** What rxWatch returns: opaque, only for rxUnwatch. */
export interface RxWatchHandle {
  readonly rxWatchHandle: never;
}

/** Every function NativeAddon declares: a binary lacking one is stale. */
const ADDON_EXPORTS: readonly (keyof NativeAddon)[] = ['sendFrame', 'sdNotify', 'sendDatagram', 'mkfifo', 'findRawSocket', 'rxAgeNs', 'watchSignals', 'ignoreSignals', 'rxWatch', 'rxUnwatch', 'rxHold', 'rxFlush', 'rawSendTo', 'pageOutFileMappings'];

/** What the addon throws for a failed system call. */
export interface NativeSystemError extends Error {
  /** errno name: 'EPERM', 'ENXIO', ... */
  readonly code: string;
  /** positive errno number */
  readonly errno: number;
  readonly syscall: string;
}

export function isNativeSystemError(e: unknown): e is NativeSystemError {
  return e instanceof Error && typeof (e as Partial<NativeSystemError>).code === 'string' && typeof (e as Partial<NativeSystemError>).errno === 'number';
}

export type NativeAddonErrorCode = 'NATIVE_NOT_BUILT' | 'NATIVE_LOAD_FAILED';

export class NativeAddonError extends Error {
  override readonly name = 'NativeAddonError';
  constructor(
    readonly code: NativeAddonErrorCode,
    message: string,
    /** The path that was tried. */
    readonly addonPath: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** dist/src/io/native.js → <repo>/native/build/Release/tsvrrpd_native.node */
export const NATIVE_ADDON_PATH = path.resolve(__dirname, '..', '..', '..', 'native', 'build', 'Release', 'tsvrrpd_native.node');

let cached: NativeAddon | null = null;

/** Load (once) and return the addon; throws NativeAddonError when it is missing or broken. */
export function loadNative(addonPath: string = NATIVE_ADDON_PATH): NativeAddon {
  if (cached !== null && addonPath === NATIVE_ADDON_PATH) return cached;
  if (!fs.existsSync(addonPath)) {
    throw new NativeAddonError('NATIVE_NOT_BUILT', 'native addon not built: run npm install (needs g++, make, python3)', addonPath);
  }
  const mod: { exports: Partial<NativeAddon> } = { exports: {} };
  try {
    process.dlopen(mod, addonPath);
  } catch (e: unknown) {
    throw new NativeAddonError('NATIVE_LOAD_FAILED', `native addon failed to load from ${addonPath}: rebuild it with npm run build:native`, addonPath, { cause: e });
  }
  if (ADDON_EXPORTS.some((name) => typeof mod.exports[name] !== 'function')) {
    throw new NativeAddonError('NATIVE_LOAD_FAILED', `native addon at ${addonPath} lacks ${ADDON_EXPORTS.join('/')}: rebuild it with npm run build:native`, addonPath);
  }
  const addon = mod.exports as NativeAddon;
  if (addonPath === NATIVE_ADDON_PATH) cached = addon;
  return addon;
}
