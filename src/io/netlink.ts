/**
 * AddressManager and LinkWatcher over rtnetlink, through the `netlink` package
 * (shared/design/ARCHITECTURE.md §2, §4.5). This module owns the netlink sockets, the
 * ifname -> ifindex cache and the link/address bookkeeping behind the watcher's events. It
 * decides nothing about VRRP: it adds and removes what it is told, idempotently, and reports
 * what the kernel says. Kernel errors become TsvrrpdIoError by errno number, never by text.
 *
 * `netlink` 0.3.0 quirks this works around:
 * - its request() rejects kernel errors as `Error('Request rejected: EEXIST')` with the errno
 *   number dropped, so every request goes out with `checkError: false` and the NLMSG_ERROR
 *   reply is decoded here (parseError) to keep the number;
 * - replies are matched by sequence number only, not by sender, and each socket numbers from 1,
 *   so a multicast notification carrying another socket's sequence number could be taken as a
 *   reply: the watcher subscribes on a socket that never sends, and queries on another;
 * - RtNetlinkSocket's parsed 'message' event drops the message type (RTM_NEWADDR and
 *   RTM_DELADDR both come out as kind 'address'), so notifications are read one layer down,
 *   on the NetlinkSocket, and parsed here by type;
 * - an 'error' event with no listener would throw (EventEmitter), so every socket gets one;
 *   ENOBUFS (the kernel dropped notifications) triggers a full resync of the watcher.
 */
import { AttrStream, FlagsGet, FlagsNew, MessageType, createRtNetlink, parseError, rt } from 'netlink';
import type { NetlinkMessage, RtNetlinkSocket } from 'netlink';
import type { AddressManager, AddressSpec, LinkEvent, LinkWatcher } from './ports';
import { TsvrrpdIoError, ioCode } from './errors';
import { guardEmitter, reportFault } from './faults';
import type { IoErrorCode } from './errors';
import { bytesToIpv4, diffAddressSets, errnoOf, ipv4ToBytes, isLinkTransition, isOperUp, primaryFirst, scopeToNumber } from './netlink-codec';

const AF_UNSPEC = 0;
const AF_INET = 2;
const ENOBUFS = 105;
const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

export interface NetlinkOptions {
  /** How long to wait for the kernel's answer to one request (default 5000 ms); then EIO. */
  readonly requestTimeoutMs?: number;
}

/** A failure as a TsvrrpdIoError: kernel and socket errno by number; anything else is EIO. */
function toIoError(err: unknown, operation: string): TsvrrpdIoError {
  if (err instanceof TsvrrpdIoError) return err;
  const errno = errnoOf(err);
  return new TsvrrpdIoError(errno === undefined ? 'EIO' : ioCode(errno), operation, { cause: err });
}

function kernelError(errno: number, operation: string): TsvrrpdIoError {
  return new TsvrrpdIoError(ioCode(errno), operation, { cause: Object.assign(new Error(`netlink errno ${errno}`), { errno }) });
}

/** A kernel answer: errno 0 and the payload messages, or the errno of its NLMSG_ERROR. */
interface Reply {
  readonly errno: number;
  readonly messages: readonly NetlinkMessage[];
}

/**
 * The netlink package calls into JavaScript from its native poll handler (node-addon-api with
 * C++ exceptions): anything thrown there, by a listener or by the package itself, becomes a C++
 * exception and aborts the process ("terminate called after throwing an instance of
 * 'Napi::Error'"). Every event of the raw socket underneath is guarded, and so is every send
 * completion.
 */
function guardNative(sock: RtNetlinkSocket, where: string): RtNetlinkSocket {
  const raw = (sock.socket as unknown as { socket?: object }).socket;
  if (raw === undefined) return sock;
  guardEmitter(raw, where);
  const native = raw as { send?: (msg: unknown, options: unknown, callback?: (error?: Error) => void) => void };
  const send = native.send;
  if (typeof send === 'function') {
    native.send = (msg, options, callback) =>
      send.call(raw, msg, options, (error?: Error) => {
        try {
          callback?.(error);
        } catch (e: unknown) {
          reportFault(`${where} (send completion)`, e);
        }
      });
  }
  return sock;
}

/** Requests one rtnetlink socket has outstanding at most (RtnlChannel.slot()). */
const MAX_IN_FLIGHT = 32;

/** One lazily opened rtnetlink socket used only for request/reply (never subscribed). */
class RtnlChannel {
  private sock: RtNetlinkSocket | null = null;
  private closed = false;

  /** Requests on the wire now, and those waiting for a place; the last dump asked for. */
  private inFlight = 0;
  private dumps: Promise<void> = Promise.resolve();
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly timeoutMs: number) {}

  /**
   * At most MAX_IN_FLIGHT requests at once: hundreds at once (every VIP of a large config
   * removed at start-up) overflow the socket's queues, and the netlink package then aborts
   * the process from native code (a C++ exception out of its poll handler; seen above ~256
   * concurrent requests). Paced, they all complete.
   */
  private slot(): Promise<void> {
    if (this.inFlight < MAX_IN_FLIGHT) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private socket(operation: string): RtNetlinkSocket {
    if (this.closed) throw new TsvrrpdIoError('EIO', `${operation} (netlink socket closed)`);
    if (this.sock === null) {
      try {
        this.sock = guardNative(createRtNetlink(), 'the netlink request socket');
      } catch (err) {
        throw toIoError(err, `${operation} (open netlink socket)`);
      }
      // Send failures reach the request callback; stray errors must not crash the process.
      this.sock.socket.on('error', () => undefined);
    }
    return this.sock;
  }

  async transact(type: number, data: Uint8Array[], flags: number, operation: string): Promise<Reply> {
    let messages: NetlinkMessage[];
    const sock = this.socket(operation);
    // The kernel runs one dump per socket at a time (a second is EBUSY): dumps queue up.
    const dump = (flags & FlagsGet.DUMP) === FlagsGet.DUMP;
    const previousDump = this.dumps;
    let dumpDone = (): void => undefined;
    if (dump) this.dumps = new Promise((resolve) => (dumpDone = resolve));
    try {
      if (dump) await previousDump;
      await this.slot();
      try {
        [messages] = await sock.socket.request(type, data, { flags, checkError: false, timeout: this.timeoutMs });
      } catch (err) {
        throw toIoError(err, operation);
      } finally {
        this.release();
      }
    } finally {
      dumpDone();
    }
    const payload: NetlinkMessage[] = [];
    for (const m of messages) {
      if (m.type !== MessageType.ERROR) payload.push(m);
      else {
        const errno = Math.abs(parseError(m.data, m.flags).errno);
        if (errno !== 0) return { errno, messages: [] };
      }
    }
    return { errno: 0, messages: payload };
  }

  /** Request that must succeed; its payload messages of `replyType`. */
  async query(type: number, data: Uint8Array[], flags: number, replyType: number, operation: string): Promise<NetlinkMessage[]> {
    const reply = await this.transact(type, data, flags, operation);
    if (reply.errno !== 0) throw kernelError(reply.errno, operation);
    return reply.messages.filter((m) => m.type === replyType);
  }

  async links(operation: string): Promise<rt.LinkMessage[]> {
    const out = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs: {} }, out);
    const msgs = await this.query(rt.MessageType.GETLINK, out.bufs, FlagsGet.DUMP, rt.MessageType.NEWLINK, operation);
    return msgs.map((m) => rt.parseLinkMessage(m.data));
  }

  async ipv4Addresses(operation: string): Promise<rt.AddressMessage[]> {
    const out = new AttrStream();
    rt.formatAddressMessage({ kind: 'address', data: { family: AF_INET }, attrs: {} }, out);
    const msgs = await this.query(rt.MessageType.GETADDR, out.bufs, FlagsGet.DUMP, rt.MessageType.NEWADDR, operation);
    return msgs.map((m) => rt.parseAddressMessage(m.data)).filter((a) => a.data.family === AF_INET);
  }

  close(): void {
    this.closed = true;
    this.sock?.socket.close();
    this.sock = null;
  }
}

/** The local address of an RTM_*ADDR message (IFA_LOCAL; IFA_ADDRESS when there is no peer). */
function localAddress(msg: rt.AddressMessage): string | null {
  const raw = msg.attrs.local ?? msg.attrs.address;
  return raw !== undefined && raw.length === 4 ? bytesToIpv4(raw) : null;
}

/** The RTM_NEWADDR / RTM_DELADDR payload for `spec`; `full` adds broadcast, label and scope. */
function encodeAddress(spec: AddressSpec, index: number, full: boolean): Uint8Array[] {
  const local = Buffer.from(ipv4ToBytes(spec.address));
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 0 || spec.prefixLength > 255) {
    throw new TsvrrpdIoError('EINVAL', `prefix length ${spec.prefixLength} of ${spec.address}`);
  }
  const attrs: rt.AddressAttrs = { local, address: local };
  if (full && spec.broadcast) attrs.broadcast = Buffer.from(ipv4ToBytes(spec.broadcast));
  if (full && spec.label) attrs.label = spec.label;
  const data: rt.Address = { family: AF_INET, prefixlen: spec.prefixLength, scope: full ? scopeToNumber(spec.scope) : 0, index };
  const out = new AttrStream();
  rt.formatAddressMessage({ kind: 'address', data, attrs }, out);
  return out.bufs;
}

const ADD_DONE: ReadonlySet<IoErrorCode> = new Set(['EEXIST']);
/** An interface that is gone holds no addresses, so removing from it is done too. */
const REMOVE_DONE: ReadonlySet<IoErrorCode> = new Set(['EADDRNOTAVAIL', 'ENOENT', 'ENODEV']);

/**
 * IPv4 VIPs and static addresses through RTM_NEWADDR / RTM_DELADDR. keepalived:
 * netlink_ipaddress() sends the same attributes (IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST,
 * IFA_LABEL, scope).
 */
export class NetlinkAddressManager implements AddressManager {
  private readonly channel: RtnlChannel;
  private readonly indexes = new Map<string, number>();
  private reading: Promise<void> | null = null;

  constructor(opts: NetlinkOptions = {}) {
    this.channel = new RtnlChannel(opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  /** Add; EEXIST (the same address and prefix already on the interface) is success. */
  async add(spec: AddressSpec): Promise<void> {
    const op = `add ${spec.address}/${spec.prefixLength} to ${spec.ifname}`;
    await this.mutate(rt.MessageType.NEWADDR, spec, FlagsNew.CREATE | FlagsNew.EXCL, ADD_DONE, op);
  }

  /**
   * Remove; EADDRNOTAVAIL / ENOENT (not there) and a missing interface are success. The label
   * is not sent: the kernel would then only delete an address carrying that same label.
   */
  async remove(spec: AddressSpec): Promise<void> {
    const op = `remove ${spec.address}/${spec.prefixLength} from ${spec.ifname}`;
    await this.mutate(rt.MessageType.DELADDR, spec, 0, REMOVE_DONE, op);
  }

  /** IPv4 addresses on `ifname`, primaries first (kernel order within each group). */
  async list(ifname: string): Promise<{ address: string; prefixLength: number }[]> {
    const op = `list IPv4 addresses of ${ifname}`;
    const index = await this.indexOf(ifname, true, op);
    if (index === null) throw new TsvrrpdIoError('ENODEV', op);
    const found: { address: string; prefixLength: number; secondary: boolean }[] = [];
    for (const msg of await this.channel.ipv4Addresses(op)) {
      const address = localAddress(msg);
      if (msg.data.index !== index || address === null) continue;
      const flags = msg.attrs.flags ?? msg.data.flags;
      found.push({ address, prefixLength: msg.data.prefixlen ?? 32, secondary: flags?.secondary === true });
    }
    return primaryFirst(found).map(({ address, prefixLength }) => ({ address, prefixLength }));
  }

  /** Release the socket; later calls fail with EIO. */
  close(): void {
    this.channel.close();
  }

  private async mutate(type: number, spec: AddressSpec, flags: number, done: ReadonlySet<IoErrorCode>, op: string): Promise<void> {
    const full = type === rt.MessageType.NEWADDR;
    for (let attempt = 0; ; attempt++) {
      // A cached index may be stale (interface re-created): on ENODEV refresh it and retry once.
      const index = await this.indexOf(spec.ifname, attempt > 0, op);
      if (index === null) {
        if (done.has('ENODEV')) return;
        throw new TsvrrpdIoError('ENODEV', op);
      }
      const reply = await this.channel.transact(type, encodeAddress(spec, index, full), flags, op);
      const code = reply.errno === 0 ? null : ioCode(reply.errno);
      if (code === 'ENODEV' && attempt === 0) continue;
      if (code === null || done.has(code)) return;
      throw kernelError(reply.errno, op);
    }
  }

  /**
   * ifname -> ifindex from the link table, cached; refreshed on a miss or when asked. Callers
   * that find the cache cold at the same time share one link dump.
   */
  private async indexOf(ifname: string, refresh: boolean, op: string): Promise<number | null> {
    const cached = this.indexes.get(ifname);
    if (cached !== undefined && !refresh) return cached;
    this.reading ??= this.readIndexes(op).finally(() => (this.reading = null));
    await this.reading;
    return this.indexes.get(ifname) ?? null;
  }

  private async readIndexes(op: string): Promise<void> {
    const links = await this.channel.links(op);
    this.indexes.clear();
    for (const link of links) {
      if (link.attrs.ifname !== undefined && link.data.index !== undefined) this.indexes.set(link.attrs.ifname, link.data.index);
    }
  }
}

export interface LinkWatcherOptions extends NetlinkOptions {
  /** Keep the event loop alive while the watcher is open (default false). */
  readonly ref?: boolean;
  /** Socket trouble that the watcher recovers from itself (ENOBUFS and its resync). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Link up/down transitions (IFF_UP and IFF_RUNNING) and IPv4 address additions/deletions, from
 * the RTNLGRP_LINK and RTNLGRP_IPV4_IFADDR multicast groups. Events are transitions against a
 * snapshot taken at open() (and re-taken after ENOBUFS), so repeated notifications are quiet.
 */
export class NetlinkLinkWatcher implements LinkWatcher {
  private readonly links = new Map<number, { name: string; up: boolean }>();
  private readonly addresses = new Map<number, Set<string>>();
  private readonly listeners: ((e: LinkEvent) => void)[] = [];
  private resyncing: Promise<void> | null = null;
  private resyncAgain = false;
  private closed = false;

  private constructor(
    private readonly events: RtNetlinkSocket,
    private readonly channel: RtnlChannel,
    warn: (message: string) => void,
  ) {
    events.socket.on('message', (msgs) => this.handle(msgs));
    events.socket.on('error', (err) => {
      if (errnoOf(err) !== ENOBUFS) {
        warn(`netlink event socket: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      // The kernel's queue for this socket overflowed: whatever was dropped is found by diffing.
      warn('netlink: the kernel dropped link/address notifications (ENOBUFS) - re-reading the link and address tables');
      void this.resync().catch((e: unknown) => warn(`netlink: re-reading the link and address tables failed: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  /** Subscribe, then snapshot links and addresses; resolves once events are meaningful. */
  static async open(opts: LinkWatcherOptions = {}): Promise<NetlinkLinkWatcher> {
    let events: RtNetlinkSocket;
    try {
      // The typings make both buffer sizes required; the package skips falsy ones (0 = as is).
      events = guardNative(createRtNetlink({ ref: opts.ref ?? false, recvBufferSize: 1 << 20, sendBufferSize: 0 }), 'the netlink event socket');
      events.addMembership('LINK');
      events.addMembership('IPV4_IFADDR');
    } catch (err) {
      throw toIoError(err, 'subscribe to rtnetlink link and IPv4 address groups');
    }
    const watcher = new NetlinkLinkWatcher(events, new RtnlChannel(opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS), opts.onWarning ?? (() => undefined));
    try {
      await watcher.resync();
    } catch (err) {
      watcher.close();
      throw err;
    }
    return watcher;
  }

  /** Asked of the kernel now (RTM_GETLINK by name); a missing interface is not up. */
  async isUp(ifname: string): Promise<boolean> {
    const op = `read link state of ${ifname}`;
    const out = new AttrStream();
    rt.formatLinkMessage({ kind: 'link', data: {}, attrs: { ifname } }, out);
    const reply = await this.channel.transact(rt.MessageType.GETLINK, out.bufs, 0, op);
    if (reply.errno !== 0) {
      if (ioCode(reply.errno) === 'ENODEV') return false;
      throw kernelError(reply.errno, op);
    }
    const msg = reply.messages.find((m) => m.type === rt.MessageType.NEWLINK);
    return msg !== undefined && isOperUp(rt.parseLinkMessage(msg.data).data.flags);
  }

  onEvent(listener: (e: LinkEvent) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.length = 0;
    this.events.socket.close();
    this.channel.close();
  }

  /** Each listener on its own: one that throws is reported and the others still hear the event. */
  private emit(e: LinkEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err: unknown) {
        reportFault(`a listener of ${e.type} events (${e.ifname})`, err);
      }
    }
  }

  private handle(msgs: readonly NetlinkMessage[]): void {
    for (const m of msgs) {
      const isLink = m.type === rt.MessageType.NEWLINK || m.type === rt.MessageType.DELLINK;
      const isAddr = m.type === rt.MessageType.NEWADDR || m.type === rt.MessageType.DELADDR;
      if (!isLink && !isAddr) continue;
      let parsed: rt.LinkMessage | rt.AddressMessage;
      try {
        parsed = isLink ? rt.parseLinkMessage(m.data) : rt.parseAddressMessage(m.data);
      } catch {
        continue; // A notification the package cannot parse carries nothing we can act on.
      }
      // Listeners run outside the try: emit() reports what each of them throws.
      if (parsed.kind === 'link') this.onLink(parsed, m.type === rt.MessageType.DELLINK);
      else this.onAddress(parsed, m.type === rt.MessageType.DELADDR);
    }
  }

  private onLink(msg: rt.LinkMessage, deleted: boolean): void {
    // AF_BRIDGE (and other families) also notify on RTNLGRP_LINK; only AF_UNSPEC is the link.
    const index = msg.data.index;
    if ((msg.data.family ?? AF_UNSPEC) !== AF_UNSPEC || index === undefined) return;
    const previous = this.links.get(index);
    const name = msg.attrs.ifname ?? previous?.name;
    if (name === undefined) return;
    const up = !deleted && isOperUp(msg.data.flags);
    if (deleted) {
      this.links.delete(index);
      this.addresses.delete(index);
    } else {
      this.links.set(index, { name, up });
    }
    if (isLinkTransition(previous?.up, up)) this.emit({ type: 'link', ifname: name, up, ifindex: index });
  }

  private onAddress(msg: rt.AddressMessage, deleted: boolean): void {
    const index = msg.data.index;
    const address = localAddress(msg);
    if (msg.data.family !== AF_INET || index === undefined || address === null) return;
    // The label defaults to the interface name (`eth0`, or `eth0:vip` for an alias).
    const ifname = this.links.get(index)?.name ?? msg.attrs.label?.split(':')[0];
    if (ifname === undefined) return;
    const known = this.addresses.get(index) ?? new Set<string>();
    this.addresses.set(index, known);
    if (deleted) {
      known.delete(address);
      this.emit({ type: 'address-deleted', ifname, address });
    } else if (!known.has(address)) {
      known.add(address);
      this.emit({ type: 'address-added', ifname, address });
    }
  }

  /** Re-read links and addresses and emit what changed; one at a time, coalescing requests. */
  private resync(): Promise<void> {
    if (this.resyncing !== null) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    const run = async (): Promise<void> => {
      do {
        this.resyncAgain = false;
        await this.snapshot();
      } while (this.resyncAgain && !this.closed);
    };
    this.resyncing = run().finally(() => {
      this.resyncing = null;
    });
    return this.resyncing;
  }

  private async snapshot(): Promise<void> {
    const op = 'read the link and IPv4 address tables';
    // One dump at a time: the package groups multipart replies per socket, not per request.
    const links = await this.channel.links(op);
    const addrs = await this.channel.ipv4Addresses(op);
    if (this.closed) return;
    const present = new Set<number>();
    for (const link of links) {
      if (link.data.index !== undefined) present.add(link.data.index);
      this.onLink(link, false);
    }
    for (const [index, { name }] of [...this.links]) {
      if (!present.has(index)) this.onLink({ kind: 'link', data: { index }, attrs: { ifname: name } }, true);
    }
    const now = new Map<number, Set<string>>();
    for (const msg of addrs) {
      const address = localAddress(msg);
      if (msg.data.index === undefined || address === null) continue;
      const set = now.get(msg.data.index) ?? new Set<string>();
      set.add(address);
      now.set(msg.data.index, set);
    }
    for (const index of new Set([...now.keys(), ...this.addresses.keys()])) {
      const before = this.addresses.get(index) ?? new Set<string>();
      const after = now.get(index) ?? new Set<string>();
      const ifname = this.links.get(index)?.name;
      if (ifname === undefined) {
        this.addresses.delete(index);
        continue;
      }
      this.addresses.set(index, after);
      const { added, deleted } = diffAddressSets(before, after);
      for (const address of deleted) this.emit({ type: 'address-deleted', ifname, address });
      for (const address of added) this.emit({ type: 'address-added', ifname, address });
    }
  }
}
