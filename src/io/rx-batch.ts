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
