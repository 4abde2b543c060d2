/**
 * The last advert an instance accepted, and its validation (validate.ts). A BACKUP hears the
 * same advert from its MASTER every Advertisement_Interval, byte for byte: validateAdvert() is
 * a pure function of the packet, the parameters and the options, so an identical packet gets
 * the identical answer without the eleven checks, the decode and the VIP list comparison
 * again (they were a fifth of a 1 000-instance BACKUP's CPU in perf). Only accepted adverts
 * are remembered: a rejection is rare, and is re-checked and reported as keepalived does.
 */
import type { InstanceParams, ReceivedPacket, Validation } from './types';
import type { ValidateOptions } from './validate';

type Accepted = Extract<Validation, { ok: true }>;

export class ValidationMemo {
  private payload: Uint8Array | null = null;
  private srcIp = '';
  private dstIp = '';
  private ttl = -1;
  private ipTotalLength = -1;
  private ipHeaderLength = -1;
  private params: InstanceParams | null = null;
  private unicast = false;
  private checkVipAddr = false;
  private result: Accepted | null = null;

  /** The remembered answer when `packet` is the same packet as last time, validated the same way. */
  lookup(packet: ReceivedPacket, params: InstanceParams, opts: ValidateOptions): Accepted | null {
    const last = this.payload;
    if (last === null || this.result === null) return null;
    if (
      params !== this.params ||
      opts.unicast !== this.unicast ||
      opts.checkVipAddr !== this.checkVipAddr ||
      packet.ttl !== this.ttl ||
      packet.ipTotalLength !== this.ipTotalLength ||
      packet.ipHeaderLength !== this.ipHeaderLength ||
      packet.srcIp !== this.srcIp ||
      packet.dstIp !== this.dstIp
    ) {
      return null;
    }
    const bytes = packet.payload;
    if (bytes.length !== last.length) return null;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== last[i]) return null;
    return this.result;
  }

  /** Remember `result` for `packet` (a copy of its bytes: the caller's buffer may be reused). */
  remember(packet: ReceivedPacket, params: InstanceParams, opts: ValidateOptions, result: Validation): void {
    if (!result.ok) return;
    this.payload = Uint8Array.from(packet.payload);
    this.srcIp = packet.srcIp;
    this.dstIp = packet.dstIp;
    this.ttl = packet.ttl;
    this.ipTotalLength = packet.ipTotalLength;
    this.ipHeaderLength = packet.ipHeaderLength;
    this.params = params;
    this.unicast = opts.unicast;
    this.checkVipAddr = opts.checkVipAddr;
    this.result = result;
  }

  clear(): void {
    this.payload = null;
    this.result = null;
    this.params = null;
  }
}
