/**
 * GarpSender over the native addon's AF_PACKET send (shared/design/ARCHITECTURE.md §2,
 * reference B12). keepalived: vrrp_arp.c send_gratuitous_arp_immediate() — a broadcast ARP
 * request, sender IP = target IP = VIP, from the interface's own MAC (checklist D1). The
 * frame comes from the pure buildGarpFrame(); this adapter only looks the interface up in
 * /sys/class/net (ifindex, MAC — read on every send, since an interface can be recreated
 * with a new index) and sends `count` frames back to back. It never schedules bursts or
 * decides when to announce; failures are TsvrrpdIoError with the errno translated here (a
 * missing addon included: ENOENT, with the loader's how-to-build message).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildGarpFrame } from '../protocol/garp';
import { TsvrrpdIoError, ioCode, type IoErrorCode } from './errors';
import { NativeAddonError, isNativeSystemError, loadNative, type NativeAddon } from './native';
import type { GarpSender } from './ports';

/** The interface facts a GARP needs. */
export interface GarpInterface {
  readonly ifindex: number;
  readonly mac: Uint8Array;
}

export interface PacketGarpSenderOptions {
  /** The addon (or a fake); loaded lazily on the first send by default. */
  readonly native?: () => Pick<NativeAddon, 'sendFrame'>;
  /** Where interfaces are looked up; /sys/class/net by default. */
  readonly sysClassNet?: string;
}

/**
 * errno → IoErrorCode for a frame send. AF_PACKET answers ENXIO for an ifindex that does not
 * (or no longer) exist: to callers that is the interface being gone, ENODEV. EAGAIN means the
 * send queue is full (we never block the event loop): ENOBUFS.
 */
function sendErrorCode(errno: string | number | undefined): IoErrorCode {
  if (errno === 'ENXIO') return 'ENODEV';
  if (errno === 'EAGAIN' || errno === 'EWOULDBLOCK') return 'ENOBUFS';
  return ioCode(errno);
}

/** Parse "aa:bb:cc:dd:ee:ff" (the format of /sys/class/net/<if>/address); null if not 6 octets. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.trim().split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return null;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** ifindex and MAC of `ifname` from sysfs; ENODEV when the interface does not exist. */
export function readGarpInterface(ifname: string, sysClassNet = '/sys/class/net'): GarpInterface {
  const operation = `look up interface ${ifname}`;
  if (ifname.length === 0 || ifname.includes('/') || ifname === '.' || ifname === '..') {
    throw new TsvrrpdIoError('ENODEV', operation);
  }
  const dir = path.join(sysClassNet, ifname);
  let ifindexText: string;
  let macText: string;
  try {
    ifindexText = fs.readFileSync(path.join(dir, 'ifindex'), 'utf8');
    macText = fs.readFileSync(path.join(dir, 'address'), 'utf8');
  } catch (e: unknown) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TsvrrpdIoError(code === 'ENOENT' || code === 'ENOTDIR' ? 'ENODEV' : ioCode(code), operation, { cause: e });
  }
  const ifindex = Number(ifindexText.trim());
  const mac = parseMac(macText);
  // No 6-octet hardware address (tun, ip6 tunnels, ...): there is no ARP on this link.
  if (!Number.isInteger(ifindex) || ifindex <= 0 || mac === null) throw new TsvrrpdIoError('EINVAL', `${operation}: not an Ethernet interface`);
  return { ifindex, mac };
}

export class PacketGarpSender implements GarpSender {
  private readonly native: () => Pick<NativeAddon, 'sendFrame'>;
  private readonly sysClassNet: string;

  constructor(options: PacketGarpSenderOptions = {}) {
    this.native = options.native ?? (() => loadNative());
    this.sysClassNet = options.sysClassNet ?? '/sys/class/net';
  }

  async send(ifname: string, vip: string, count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`GARP count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    this.sendFrames(readGarpInterface(ifname, this.sysClassNet), ifname, vip, count);
  }

  /** Send on a known interface (the lookup already done); exposed for tests and callers that cache. */
  sendFrames(iface: GarpInterface, ifname: string, vip: string, count: number): void {
    const frame = buildGarpFrame(iface.mac, vip);
    let addon: Pick<NativeAddon, 'sendFrame'>;
    try {
      addon = this.native();
    } catch (e: unknown) {
      // The port speaks TsvrrpdIoError only; the loader's message says how to fix it.
      if (!(e instanceof NativeAddonError)) throw e;
      throw new TsvrrpdIoError(e.code === 'NATIVE_NOT_BUILT' ? 'ENOENT' : 'EIO', e.message, { cause: e });
    }
    for (let i = 0; i < count; i++) {
      try {
        addon.sendFrame(iface.ifindex, frame);
      } catch (e: unknown) {
        const operation = `send gratuitous ARP for ${vip} on ${ifname} (ifindex ${iface.ifindex})`;
        throw new TsvrrpdIoError(sendErrorCode(isNativeSystemError(e) ? e.code : undefined), operation, { cause: e });
      }
    }
  }
}
