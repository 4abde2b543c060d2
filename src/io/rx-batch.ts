/**
 * Batched reads of one raw socket through the addon's rxWatch (native/src/rx_batch.c): every
 * wake-up of the event loop reads the datagrams waiting with one recvmmsg(2) and makes one
 * call into JavaScript, each datagram with its kernel receive stamp (SO_TIMESTAMPNS), instead
 * of raw-socket's two native↔JS round trips and an ioctl per datagram (~25 µs of CPU each,
 * measured with a no-op listener under `npm run bench:flood`'s 1 000 pps).
 *
 * Owns the receive slots (reused from batch to batch: the datagram handed on is a view into
 * them, valid only during the call) and the guard around the listener: nothing thrown from it
 * reaches native code.
 */
import type { NativeAddon, RxWatchHandle } from './native';
import { reportFault } from './faults';

/** The addon's two batch calls. */
export type RxBatchSource = Pick<NativeAddon, 'rxWatch' | 'rxUnwatch'>;
/** And its receive hold (rxHold, rxFlush). */
export type RxHoldSource = Pick<NativeAddon, 'rxHold' | 'rxFlush'>;

/**
 * The receive hold (native rxHold): once adverts arrive less than this far apart, the sockets
 * are read together every RX_HOLD_MS instead of once per advert. A BACKUP of 1 000 instances
 * wakes ~50 times a second instead of ~1 000 (its CPU per 10 s: 110–120 ms without the hold,
 * 93–115 with 5 ms, 65–90 with 20 ms, in the plain-veth lab pair); a host hearing a few adverts
 * a second never holds. A datagram keeps its kernel stamp, so the timers run as if it had
 * been read at once, and before a takeover deadline fires the held sockets are read first
 * (VrrpSocketFactory.flushReceived): no takeover is ever decided on an advert not yet read.
 * What it delays, by at most this, is the reaction to an advert that needs one at once: a
 * MASTER hearing a better one steps down up to 20 ms later (keepalived reads each as it comes;
 * advert_int is 1 s at least in VRRPv2). It must stay well under the shortest advert_int.
 */
export const RX_HOLD_MS = 20;

/** Datagrams read per recvmmsg(2) at most. */
export const RX_SLOTS = 32;
/**
 * Octets per slot: an IPv4 VRRP advert is at most 60 + 8 + 4 × 255 + 8 = 1 096. A longer
 * datagram (lengths[i] = -1) is no advert, and is dropped here unread.
 */
export const RX_SLOT_BYTES = 4_096;

export class BatchReader {
  private readonly buffer = new Uint8Array(RX_SLOTS * RX_SLOT_BYTES);
  private readonly lengths = new Int32Array(RX_SLOTS);
  private readonly agesNs = new Float64Array(RX_SLOTS);
  private handle: RxWatchHandle | null;

  /**
   * Start reading `fd`. `onDatagram(buffer, offset, length, ageNs)` gets each datagram: its
   * octets in the reader's buffer (valid during the call; no view is made per datagram); ageNs
   * -1 when unknown; `onError(code)` a receive error, after which nothing is read.
   * Throws what rxWatch throws (a typed NativeSystemError).
   */
  constructor(
    private readonly source: RxBatchSource,
    fd: number,
    private readonly where: string,
    private readonly onDatagram: (buffer: Uint8Array, offset: number, length: number, ageNs: number) => void,
    private readonly onError: (code: string) => void,
  ) {
    this.handle = source.rxWatch(fd, this.buffer, RX_SLOT_BYTES, this.lengths, this.agesNs, this.onBatch);
  }

  close(): void {
    if (this.handle === null) return;
    const h = this.handle;
    this.handle = null;
    this.source.rxUnwatch(h);
  }

  private readonly onBatch = (count: number, code: string): void => {
    if (count < 0) {
      this.handle = null; // the watch stopped itself
      try {
        this.onError(code);
      } catch (e: unknown) {
        reportFault(this.where, e);
      }
      return;
    }
    for (let i = 0; i < count && this.handle !== null; i++) {
      const length = this.lengths[i] as number;
      if (length < 0) continue;
      try {
        this.onDatagram(this.buffer, i * RX_SLOT_BYTES, length, this.agesNs[i] as number);
      } catch (e: unknown) {
        reportFault(this.where, e);
      }
    }
  };
}
