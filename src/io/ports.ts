/**
 * The ports between the runtime and the operating system (shared/design/ARCHITECTURE.md §2,
 * §4.5). Adapters implement them over raw-socket, netlink and the native addon; unit tests
 * use fakes. Adapters decide nothing about the protocol, every mutating call is idempotent,
 * and failures are typed errors (src/io/errors.ts) with a stable code, never message parsing.
 */
import type { ReceivedPacket } from '../protocol/types';

/** One VRRP socket per interface (raw IP protocol 112). */
export interface VrrpSocket {
  /**
   * Send one advert (the VRRP message) with TTL 255 (unless `ttl`), TOS 0xC0, IP protocol 112,
   * from `srcIp` (the IP header is built by us, so any configured source works) to `dstIp`
   * (224.0.0.18 or a unicast peer). Nothing is returned when it was sent at once (what a
   * MASTER's adverts take: no promise, no microtask); a promise when it had to be queued or
   * failed. `message` must not change once sent: its packet may be reused.
   */
  send(message: Uint8Array, srcIp: string, dstIp: string, ttl?: number): Promise<void> | void;
  /**
   * Received adverts on this interface, own transmissions already filtered out. `rxAgeUs`: how
   * long before this call the kernel received it (its receive timestamp), 0 when unknown.
   * `packet.payload` is a view into the socket's receive buffer, valid only during the call
   * (the next datagram is read into it): a listener that keeps it copies it (copyPacket()).
   */
  onPacket(listener: (packet: ReceivedPacket, rxAgeUs: number) => void): void;
  /** The socket's descriptor, for the dumps; null when unknown. */
  descriptor(): number | null;
  /**
   * The interface index the socket is bound to (SO_BINDTODEVICE and the multicast membership
   * hold the index, not the name): an interface re-created under the same name has a new one.
   */
  readonly ifindex: number;
  /** The sources that are ours (their adverts are not delivered): a reload may change them. */
  setOwnAddresses(addresses: readonly string[]): void;
  close(): void;
}

export interface VrrpSocketFactory {
  /** Open a socket bound to `ifname` (SO_BINDTODEVICE), joined to 224.0.0.18 on it. */
  open(ifname: string, opts: { readonly ownAddresses: readonly string[] }): Promise<VrrpSocket>;
  /**
   * Deliver now, to the sockets' listeners, what has arrived but not been read yet (a receive
   * hold batches reads): called before a takeover deadline fires, as an advert among them
   * moves it. Never throws.
   */
  flushReceived?(): void;
}

/** A VIP (or static address) as the kernel needs it. */
export interface AddressSpec {
  readonly address: string;
  readonly prefixLength: number;
  readonly ifname: string;
  readonly broadcast?: string | null;
  readonly scope?: string | null;
  readonly label?: string | null;
}

export interface AddressManager {
  /** Add; already present is success. */
  add(spec: AddressSpec): Promise<void>;
  /** Remove; already gone is success. */
  remove(spec: AddressSpec): Promise<void>;
  /** The IPv4 addresses currently on `ifname`, primary first. */
  list(ifname: string): Promise<{ address: string; prefixLength: number }[]>;
}

export type LinkEvent =
  | { readonly type: 'link'; readonly ifname: string; readonly up: boolean; readonly ifindex: number }
  | { readonly type: 'address-deleted'; readonly ifname: string; readonly address: string }
  | { readonly type: 'address-added'; readonly ifname: string; readonly address: string };

export interface LinkWatcher {
  /** Current operational state of `ifname` (running and carrier). */
  isUp(ifname: string): Promise<boolean>;
  onEvent(listener: (e: LinkEvent) => void): void;
  close(): void;
}

export interface GarpSender {
  /** Send `count` gratuitous ARPs for `vip` out of `ifname` with the interface's MAC. */
  send(ifname: string, vip: string, count: number): Promise<void>;
}

/** The monotonic clock, in integer microseconds. */
export interface Clock {
  nowUs(): number;
}

/** A packet whose payload is its own: for a listener that keeps one past the call (onPacket). */
export function copyPacket(packet: ReceivedPacket): ReceivedPacket {
  const { srcIp, dstIp, ttl, ipTotalLength, ipHeaderLength } = packet;
  return { payload: packet.payload.slice(), srcIp, dstIp, ttl, ipTotalLength, ipHeaderLength };
}
