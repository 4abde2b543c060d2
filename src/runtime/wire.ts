/**
 * The VRRP sockets of the running instances: one per interface, opened when its first
 * instance arrives and closed when its last one leaves (reference counted across reloads), and
 * the demultiplexer that hands each received advert to the instance of its VRID (keepalived
 * vrrp_dispatcher_read(): adverts for unknown VRIDs are ignored). The VRID table is mutable,
 * so a reload adds and removes instances without reopening a socket.
 */
import type { Clock, VrrpSocket, VrrpSocketFactory } from '../io/ports';
import type { ReceivedPacket } from '../protocol/types';

/** An advert for one instance, with the time the kernel received it. */
export type AdvertHandler = (packet: ReceivedPacket, atUs: number) => void;

interface Link {
  readonly socket: Promise<VrrpSocket>;
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
   * Route `vrid` on `ifname` to `handler`, opening the interface's socket if needed.
   * `interfaceAddresses` are the interface's own addresses, `sourceIp` the instance's.
   */
  async attach(ifname: string, vrid: number, sourceIp: string, interfaceAddresses: readonly string[], handler: AdvertHandler): Promise<VrrpSocket> {
    let link = this.links.get(ifname);
    if (link === undefined) {
      const socket = this.factory.open(ifname, { ownAddresses: [...interfaceAddresses, sourceIp] });
      const created: Link = { socket, byVrid: new Map(), own: new Map(), base: interfaceAddresses };
      link = created;
      this.links.set(ifname, created);
      socket.then(
        (s) =>
          s.onPacket((packet, rxAgeUs) => {
            const vrid = packet.payload[1];
            const h = vrid === undefined ? undefined : created.byVrid.get(vrid);
            if (h !== undefined) h(packet, this.clock.nowUs() - rxAgeUs);
          }),
        () => this.links.get(ifname) === created && this.links.delete(ifname),
      );
    }
    link.byVrid.set(vrid, handler);
    link.own.set(vrid, [sourceIp]);
    const socket = await link.socket;
    socket.setOwnAddresses(this.ownOf(link));
    return socket;
  }

  /** Stop routing `vrid` on `ifname` (the socket stays until closeUnused()). */
  detach(ifname: string, vrid: number): void {
    const link = this.links.get(ifname);
    if (link === undefined) return;
    link.byVrid.delete(vrid);
    link.own.delete(vrid);
    void link.socket.then((s) => s.setOwnAddresses(this.ownOf(link)), () => undefined);
  }

  /** Close the sockets no instance uses any more (after a reload has added its instances). */
  closeUnused(): void {
    for (const [ifname, link] of this.links) {
      if (link.byVrid.size > 0) continue;
      this.links.delete(ifname);
      void link.socket.then((s) => s.close(), () => undefined);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.links.values()];
    this.links.clear();
    await Promise.all(all.map((l) => l.socket.then((s) => s.close(), () => undefined)));
  }

  private ownOf(link: Link): string[] {
    return [...new Set([...link.base, ...[...link.own.values()].flat()])];
  }
}
