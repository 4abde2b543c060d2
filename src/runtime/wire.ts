/**
 * The VRRP sockets of the running instances: one per interface, opened when its first
 * instance arrives and closed when its last one leaves (reference counted across reloads), and
 * the demultiplexer that hands each received advert to the instance of its VRID (keepalived
 * vrrp_dispatcher_read(): adverts for unknown VRIDs are ignored). The VRID table is mutable,
 * so a reload adds and removes instances without reopening a socket.
 *
 * Interfaces are followed by name: a socket is bound to an interface index (SO_BINDTODEVICE and
 * the multicast membership hold the index), so when an interface of the same name comes up with
 * another index (deleted and re-created), the socket is closed and opened again on the new one.
 * Instances send through their interface's AdvertSender, which always uses the current socket.
 */
import type { Clock, VrrpSocket, VrrpSocketFactory } from '../io/ports';
import { TsvrrpdIoError } from '../io/errors';
import type { ReceivedPacket } from '../protocol/types';

/** An advert for one instance, with the time the kernel received it. */
export type AdvertHandler = (packet: ReceivedPacket, atUs: number) => void;

/** What an instance sends through: its interface's socket, whichever that is now. */
export interface AdvertSender {
  send(message: Uint8Array, srcIp: string, dstIp: string, ttl?: number): Promise<void> | void;
  /** The current socket's descriptor (the dumps); null while there is none. */
  descriptor(): number | null;
}

/** What relink() did. */
export type Relinked = { readonly kind: 'same' } | { readonly kind: 'reopened'; readonly ifindex: number } | { readonly kind: 'failed'; readonly error: unknown };

interface Link {
  readonly ifname: string;
  /** The socket in use, or being opened. */
  current: Promise<VrrpSocket>;
  /** `current` once it has opened; null while opening or after it failed. */
  settled: VrrpSocket | null;
  readonly sender: AdvertSender;
  readonly byVrid: Map<number, AdvertHandler>;
  /** Each instance's own source addresses, by VRID (the socket drops adverts from them). */
  readonly own: Map<number, readonly string[]>;
  /** The interface's own addresses when it was opened. */
  readonly base: readonly string[];
}

export class Wire {
  private readonly links = new Map<string, Link>();

  constructor(
    private readonly factory: VrrpSocketFactory,
    private readonly clock: Clock,
  ) {}

  /**
   * Route `vrid` on `ifname` to `handler`, opening the interface's socket if needed; resolves
   * once the socket is open (rejects if it cannot be opened). `interfaceAddresses` are the
   * interface's own addresses, `sourceIp` the instance's.
   */
  async attach(ifname: string, vrid: number, sourceIp: string, interfaceAddresses: readonly string[], handler: AdvertHandler): Promise<AdvertSender> {
    let link = this.links.get(ifname);
    if (link === undefined) {
      const created = this.newLink(ifname, interfaceAddresses);
      link = created;
      this.links.set(ifname, created);
      created.current.catch(() => this.links.get(ifname) === created && this.links.delete(ifname));
    }
    link.byVrid.set(vrid, handler);
    link.own.set(vrid, [sourceIp]);
    const socket = await link.current;
    socket.setOwnAddresses(this.ownOf(link));
    return link.sender;
  }

  /** Stop routing `vrid` on `ifname` (the socket stays until closeUnused()). */
  detach(ifname: string, vrid: number): void {
    const link = this.links.get(ifname);
    if (link === undefined) return;
    link.byVrid.delete(vrid);
    link.own.delete(vrid);
    link.settled?.setOwnAddresses(this.ownOf(link));
  }

  /**
   * `ifname` is up with index `ifindex`: if its socket is bound to another index (the interface
   * was deleted and re-created), close it and open one on the new interface. The old socket is
   * closed first, so the new one is the only one bound to the name (receive timestamps find
   * the socket by name).
   */
  async relink(ifname: string, ifindex: number): Promise<Relinked> {
    const link = this.links.get(ifname);
    if (link === undefined) return { kind: 'same' };
    const before = link.current;
    const stale = await before.then(
      (s) => s.ifindex !== ifindex,
      () => true,
    );
    if (!stale || link.current !== before || this.links.get(ifname) !== link) return { kind: 'same' };
    link.settled = null;
    await before.then(
      (s) => s.close(),
      () => undefined,
    );
    link.current = this.open(link);
    try {
      const socket = await link.current;
      return { kind: 'reopened', ifindex: socket.ifindex };
    } catch (error) {
      return { kind: 'failed', error };
    }
  }

  /** Close the sockets no instance uses any more (after a reload has added its instances). */
  closeUnused(): void {
    for (const [ifname, link] of this.links) {
      if (link.byVrid.size > 0) continue;
      this.links.delete(ifname);
      void link.current.then((s) => s.close(), () => undefined);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.links.values()];
    this.links.clear();
    await Promise.all(all.map((l) => l.current.then((s) => s.close(), () => undefined)));
  }

  private newLink(ifname: string, base: readonly string[]): Link {
    const link: Link = {
      ifname,
      current: Promise.reject(new Error('not opened yet')),
      settled: null,
      byVrid: new Map(),
      own: new Map(),
      base,
      sender: {
        send: (message, srcIp, dstIp, ttl) => {
          const now = link.settled;
          if (now !== null) return now.send(message, srcIp, dstIp, ttl);
          return link.current.then(
            (s) => s.send(message, srcIp, dstIp, ttl),
            (e: unknown) => Promise.reject(new TsvrrpdIoError('ENODEV', `send VRRP on ${ifname} (no socket: ${e instanceof Error ? e.message : String(e)})`)),
          );
        },
        descriptor: () => link.settled?.descriptor() ?? null,
      },
    };
    link.current.catch(() => undefined);
    link.current = this.open(link);
    return link;
  }

  /** Open `link`'s socket and route what it receives by VRID. */
  private open(link: Link): Promise<VrrpSocket> {
    const opening = this.factory.open(link.ifname, { ownAddresses: this.ownOf(link) }).then((s) => {
      s.onPacket((packet, rxAgeUs) => {
        const vrid = packet.payload[1];
        const h = vrid === undefined ? undefined : link.byVrid.get(vrid);
        if (h !== undefined) h(packet, this.clock.nowUs() - rxAgeUs);
      });
      if (link.current === opening) link.settled = s;
      return s;
    });
    return opening;
  }

  private ownOf(link: Link): string[] {
    return [...new Set([...link.base, ...[...link.own.values()].flat()])];
  }
}
