/**
 * A deterministic discrete-event simulator for the pure VRRP core (shared/design/ARCHITECTURE.md
 * §1, "a simulator joins N cores on an in-memory LAN"). One fake clock in integer µs, one event
 * queue ordered by (time, sequence), N routers each with its own source address and one or more
 * instances (VrrpCore, one per VRID). It drives the cores exactly as the real driver does:
 * Startup at a chosen time; after every handle() the instance's single timer is re-armed from
 * nextDeadlineUs() and DeadlineReached is delivered at that time with now = the deadline;
 * SendAdvert is encoded with the real codec (encodeAdvert) into a ReceivedPacket (source = the
 * sender's address, 224.0.0.18, TTL 255, real lengths) and delivered to every other router after
 * a configurable delay, subject to per-link loss, duplication and partitions drawn from a seeded
 * PRNG. AddVips/RemoveVips are tracked per router and VRID, like the kernel's address list: a
 * hard kill leaves them in place (keepalived D5), only the core removes them.
 *
 * It never touches a socket, a real timer or the wall clock; the same seed gives the same run.
 */
import type {
  Action,
  Event,
  InstanceParams,
  ReceivedPacket,
  VrrpCore,
  VrrpState,
  NotifyWord,
} from '../../src/protocol/types';
import { Queue, TimerHeap } from './queue';
import { type ParamsInput, encodeFor, instanceParams, ipToU32, makeRng, toPacket } from './wire';

// The tests build packets and params with the wire helpers; one import for them and the LAN.
export * from './wire';

const DEADLINE_REACHED: Event = Object.freeze({ type: 'DeadlineReached' });

export type CoreFactory = (params: InstanceParams) => VrrpCore;

export interface LanOptions {
  /** Builds a fresh core (at addRouter and at every restart). */
  readonly factory: CoreFactory;
  readonly seed?: number;
  /** One-way delay of every delivered copy (default 0 µs). */
  readonly delayUs?: number;
  /** Extra delay, uniform in [0, jitterUs] per copy (default 0). */
  readonly jitterUs?: number;
  /** Default loss probability of every directed link (default 0). */
  readonly dropProbability?: number;
  /** Probability that a delivered copy is delivered twice (default 0). */
  readonly duplicateProbability?: number;
  /** Record the timeline (default true; the bench turns it off). */
  readonly record?: boolean;
  /** Time every handle() and every encodeAdvert() with hrtime (default false). */
  readonly profile?: boolean;
  /**
   * 'vrid' (default) hands a packet only to the receiving router's instance with that VRID,
   * as the driver does (keepalived vrrp_dispatcher_read()); 'all' hands it to every instance,
   * to exercise the core's own VRID check.
   */
  readonly demux?: 'vrid' | 'all';
  /** Safety net against a core that keeps asking for "now": events at one instant (100 000). */
  readonly maxEventsPerInstant?: number;
}

export type SimWhat =
  | 'start'
  | 'shutdown'
  | 'kill'
  | 'restart'
  | 'partition'
  | 'heal'
  | 'drop'
  | 'inject';

export type TimelineEntry =
  | {
      readonly kind: 'action';
      readonly tUs: number;
      readonly router: string;
      readonly vrid: number;
      readonly action: Action;
    }
  | {
      readonly kind: 'event';
      readonly tUs: number;
      readonly router: string;
      readonly vrid: number;
      readonly event: Event['type'];
      /** AdvertReceived: sender address and the priority octet (if the payload has one). */
      readonly from?: string;
      readonly priority?: number;
    }
  | { readonly kind: 'sim'; readonly tUs: number; readonly router: string; readonly what: SimWhat; readonly detail?: string };

/** Something no core should do: a deadline that is not a whole number of µs. */
export interface Anomaly {
  readonly tUs: number;
  readonly router: string;
  readonly vrid: number;
  readonly message: string;
}

export interface LanStats {
  advertsSent: number;
  copiesDelivered: number;
  copiesLost: number;
  copiesPartitioned: number;
  copiesToDeadRouter: number;
  copiesUnclaimed: number;
  duplicates: number;
  /** nextDeadlineUs() answers earlier than now (delivered at now). */
  overdueDeadlines: number;
  handleCalls: Record<Event['type'], number>;
  /** Nanoseconds spent in handle(), per event type (only with `profile`). */
  handleNs: Record<Event['type'], number>;
  /** Nanoseconds spent in encodeAdvert() for SendAdvert (only with `profile`). */
  encodeNs: number;
}

type RouterMode = 'down' | 'up' | 'killed' | 'stopped';

interface Slot {
  readonly router: Router;
  readonly params: InstanceParams;
  readonly core: VrrpCore;
  alive: boolean;
  /** The armed DeadlineReached, ordered like queue items by (timerAt, timerSeq). */
  timerAt: number | null;
  timerSeq: number;
  /** Position in the timer heap, -1 when not armed. */
  heapIndex: number;
}

interface Router {
  readonly name: string;
  readonly ip: string;
  readonly index: number;
  readonly params: InstanceParams[];
  mode: RouterMode;
  slots: Map<number, Slot>;
  /** Per VRID: are the VIPs configured on this host (the kernel's view, survives a kill). */
  readonly vipsHeld: Map<number, boolean>;
  /** Per peer: loss probability override for this router -> peer. */
  readonly dropTo: Map<string, number>;
}

/** A packet in flight or a scheduled callback; one class keeps the heap monomorphic. */
class QItem {
  constructor(
    readonly t: number,
    readonly seq: number,
    readonly to: Router | null,
    readonly from: string,
    readonly packet: ReceivedPacket | null,
    readonly fn: (() => void) | null,
  ) {}
  static packet(t: number, seq: number, to: Router, from: string, packet: ReceivedPacket): QItem {
    return new QItem(t, seq, to, from, packet, null);
  }
  static call(t: number, seq: number, fn: () => void): QItem {
    return new QItem(t, seq, null, '', null, fn);
  }
}

function zeroCounts(): Record<Event['type'], number> {
  return {
    Startup: 0,
    Shutdown: 0,
    AdvertReceived: 0,
    DeadlineReached: 0,
    PriorityChanged: 0,
    FaultChanged: 0,
    VipDeleted: 0,
    ConfigUpdated: 0,
    Removed: 0,
  };
}

export class Lan {
  private readonly factory: CoreFactory;
  private readonly rng: () => number;
  private readonly routers = new Map<string, Router>();
  private readonly queue = new Queue<QItem>();
  private readonly timers = new TimerHeap<Slot>();
  private readonly blocked = new Set<string>();
  private readonly record: boolean;
  private readonly profile: boolean;
  private readonly demux: 'vrid' | 'all';
  private readonly maxEventsPerInstant: number;
  private seq = 0;
  private now = 0;
  private eventsThisInstant = 0;
  private instantAt = -1;

  delayUs: number;
  jitterUs: number;
  dropProbability: number;
  duplicateProbability: number;
  readonly timeline: TimelineEntry[] = [];
  readonly anomalies: Anomaly[] = [];
  readonly stats: LanStats = {
    advertsSent: 0,
    copiesDelivered: 0,
    copiesLost: 0,
    copiesPartitioned: 0,
    copiesToDeadRouter: 0,
    copiesUnclaimed: 0,
    duplicates: 0,
    overdueDeadlines: 0,
    handleCalls: zeroCounts(),
    handleNs: zeroCounts(),
    encodeNs: 0,
  };

  constructor(opts: LanOptions) {
    this.factory = opts.factory;
    this.rng = makeRng(opts.seed ?? 1);
    this.delayUs = opts.delayUs ?? 0;
    this.jitterUs = opts.jitterUs ?? 0;
    this.dropProbability = opts.dropProbability ?? 0;
    this.duplicateProbability = opts.duplicateProbability ?? 0;
    this.record = opts.record ?? true;
    this.profile = opts.profile ?? false;
    this.demux = opts.demux ?? 'vrid';
    this.maxEventsPerInstant = opts.maxEventsPerInstant ?? 100_000;
  }

  /** The fake clock, µs. */
  get nowUs(): number {
    return this.now;
  }

  /** The PRNG the LAN draws from (tests may share it for their own choices). */
  random(): number {
    return this.rng();
  }

  // --- topology -------------------------------------------------------------------------------

  /**
   * Add a router with source address `ip` and one instance per entry (sourceIp defaults to
   * `ip`). The cores are built now but receive nothing until start().
   */
  addRouter(name: string, ip: string, instances: readonly ParamsInput[]): this {
    if (this.routers.has(name)) throw new Error(`router ${name} exists`);
    ipToU32(ip);
    const params = instances.map((i) => instanceParams({ sourceIp: ip, ...i }, ip));
    const vrids = new Set(params.map((p) => p.vrid));
    if (vrids.size !== params.length) throw new Error(`router ${name}: duplicate VRID`);
    const r: Router = {
      name,
      ip,
      index: this.routers.size,
      params,
      mode: 'down',
      slots: new Map(),
      vipsHeld: new Map(params.map((p) => [p.vrid, false])),
      dropTo: new Map(),
    };
    this.buildSlots(r);
    this.routers.set(name, r);
    return this;
  }

  routerNames(): string[] {
    return [...this.routers.keys()];
  }

  ipOf(router: string): string {
    return this.router(router).ip;
  }

  paramsOf(router: string, vrid: number): InstanceParams {
    const p = this.router(router).params.find((x) => x.vrid === vrid);
    if (!p) throw new Error(`router ${router} has no VRID ${vrid}`);
    return p;
  }

  /** The live core of `router`'s instance for `vrid` (a new object after each restart). */
  core(router: string, vrid: number): VrrpCore {
    return this.slot(router, vrid).core;
  }

  isUp(router: string): boolean {
    return this.router(router).mode === 'up';
  }

  // --- life cycle (each takes an optional absolute time; default: now) -------------------------

  start(router: string, atUs?: number): this {
    return this.schedule(atUs, () => {
      const r = this.router(router);
      if (r.mode === 'up') throw new Error(`router ${router} already up`);
      const fresh = r.mode === 'down';
      if (!fresh) this.buildSlots(r);
      r.mode = 'up';
      this.note(r, fresh ? 'start' : 'restart');
      for (const s of r.slots.values()) this.dispatch(s, { type: 'Startup' });
    });
  }

  /** Graceful stop: Shutdown to every instance (its actions run), then the router is down. */
  shutdown(router: string, atUs?: number): this {
    return this.schedule(atUs, () => {
      const r = this.router(router);
      if (r.mode !== 'up') return;
      this.note(r, 'shutdown');
      for (const s of r.slots.values()) this.dispatch(s, { type: 'Shutdown' });
      r.mode = 'stopped';
      for (const s of r.slots.values()) this.retire(s);
    });
  }

  /** Hard kill (SIGKILL): no Shutdown, timers die, the VIPs stay on the host (D5). */
  kill(router: string, atUs?: number): this {
    return this.schedule(atUs, () => {
      const r = this.router(router);
      if (r.mode !== 'up') return;
      this.note(r, 'kill');
      r.mode = 'killed';
      for (const s of r.slots.values()) this.retire(s);
    });
  }

  /** Start again with fresh cores (a new process); the host's VIP state is kept. */
  restart(router: string, atUs?: number): this {
    return this.schedule(atUs, () => {
      const r = this.router(router);
      if (r.mode === 'up') {
        this.note(r, 'shutdown', 'restart');
        for (const s of r.slots.values()) this.dispatch(s, { type: 'Shutdown' });
        for (const s of r.slots.values()) this.retire(s);
      }
      this.buildSlots(r);
      r.mode = 'up';
      this.note(r, 'restart');
      for (const s of r.slots.values()) this.dispatch(s, { type: 'Startup' });
    });
  }

  /** Hand any event to one instance now (PriorityChanged, FaultChanged, VipDeleted...). */
  signal(router: string, vrid: number, event: Event, atUs?: number): this {
    return this.schedule(atUs, () => {
      const s = this.slot(router, vrid);
      if (s.alive && s.router.mode === 'up') this.dispatch(s, event);
    });
  }

  // --- the wire ------------------------------------------------------------------------------

  /**
   * Split the LAN: routers in different groups cannot hear each other. Routers named in no
   * group form one more group together.
   */
  partition(groups: readonly (readonly string[])[], atUs?: number): this {
    return this.schedule(atUs, () => {
      const groupOf = new Map<string, number>();
      groups.forEach((g, i) => g.forEach((n) => groupOf.set(this.router(n).name, i)));
      this.blocked.clear();
      for (const a of this.routers.keys()) {
        for (const b of this.routers.keys()) {
          if (a !== b && (groupOf.get(a) ?? -1) !== (groupOf.get(b) ?? -1)) this.blocked.add(`${a}>${b}`);
        }
      }
      this.note(undefined, 'partition', groups.map((g) => g.join(',')).join(' | '));
    });
  }

  /** Cut the link from `a` to `b` (and back unless oneWay). */
  cut(a: string, b: string, oneWay = false, atUs?: number): this {
    return this.schedule(atUs, () => {
      this.blocked.add(`${this.router(a).name}>${this.router(b).name}`);
      if (!oneWay) this.blocked.add(`${b}>${a}`);
      this.note(undefined, 'partition', `cut ${a}${oneWay ? '>' : '<>'}${b}`);
    });
  }

  /** Remove every partition and cut. */
  heal(atUs?: number): this {
    return this.schedule(atUs, () => {
      this.blocked.clear();
      this.note(undefined, 'heal');
    });
  }

  canHear(to: string, from: string): boolean {
    return !this.blocked.has(`${from}>${to}`);
  }

  /** Loss probability of the directed link from -> to (null: back to the LAN default). */
  setDrop(from: string, to: string, p: number | null): this {
    const r = this.router(from);
    this.router(to);
    if (p === null) r.dropTo.delete(to);
    else r.dropTo.set(to, p);
    this.note(r, 'drop', `${from}>${to} ${p ?? 'default'}`);
    return this;
  }

  /**
   * Put a forged packet on the wire towards `to` at `atUs` (default now), as if an injector on
   * the LAN sent it; no delay, partition or loss applies.
   */
  inject(to: string, packet: ReceivedPacket, atUs?: number): this {
    const r = this.router(to);
    const t = atUs ?? this.now;
    if (t < this.now) throw new Error(`inject in the past (${t} < ${this.now})`);
    this.queue.push(QItem.packet(t, this.seq++, r, `inject:${packet.srcIp}`, packet));
    return this;
  }

  /** inject() towards every router that is up (a forged multicast advert). */
  injectAll(packet: ReceivedPacket, atUs?: number): this {
    for (const name of this.routers.keys()) this.inject(name, packet, atUs);
    return this;
  }

  // --- running -------------------------------------------------------------------------------

  /** Run a callback at an absolute time. */
  at(tUs: number, fn: () => void): this {
    if (tUs < this.now) throw new Error(`at(${tUs}) is in the past (now ${this.now})`);
    this.queue.push(QItem.call(tUs, this.seq++, fn));
    return this;
  }

  /** Process every queued item with time <= tUs; the clock then reads tUs. */
  runUntil(tUs: number): this {
    if (tUs < this.now) throw new Error(`runUntil(${tUs}) is in the past (now ${this.now})`);
    while (this.processNext(tUs));
    this.now = tUs;
    return this;
  }

  runFor(dUs: number): this {
    return this.runUntil(this.now + dUs);
  }

  /** Process exactly one queued item (whatever its time); false when the queue is empty. */
  step(): boolean {
    return this.processNext(Number.MAX_SAFE_INTEGER);
  }

  /** Time of the next queued item, or null. */
  nextEventUs(): number | null {
    const q = this.queue.peek()?.t;
    const t = this.timers.peek()?.timerAt ?? undefined;
    if (q === undefined) return t ?? null;
    return t === undefined ? q : Math.min(q, t);
  }

  // --- observation ---------------------------------------------------------------------------

  stateOf(router: string, vrid: number): VrrpState | 'DOWN' {
    const r = this.router(router);
    if (r.mode !== 'up') return 'DOWN';
    return this.slot(router, vrid).core.state;
  }

  /** Routers that are up and whose instance for `vrid` is MASTER. */
  masters(vrid: number): string[] {
    return [...this.routers.values()]
      .filter((r) => r.mode === 'up' && r.slots.get(vrid)?.core.state === 'MASTER')
      .map((r) => r.name);
  }

  /** Hosts that have the VIPs of `vrid` configured (dead ones too: a kill leaves them). */
  vipHolders(vrid: number): string[] {
    return [...this.routers.values()].filter((r) => r.vipsHeld.get(vrid) === true).map((r) => r.name);
  }

  holdsVip(router: string, vrid: number): boolean {
    return this.router(router).vipsHeld.get(vrid) === true;
  }

  /** Actions in the timeline, optionally filtered. */
  actions(filter: { router?: string; vrid?: number; type?: Action['type']; fromUs?: number; toUs?: number } = {}): {
    tUs: number;
    router: string;
    vrid: number;
    action: Action;
  }[] {
    const out: { tUs: number; router: string; vrid: number; action: Action }[] = [];
    for (const e of this.timeline) {
      if (e.kind !== 'action') continue;
      if (filter.router !== undefined && e.router !== filter.router) continue;
      if (filter.vrid !== undefined && e.vrid !== filter.vrid) continue;
      if (filter.type !== undefined && e.action.type !== filter.type) continue;
      if (filter.fromUs !== undefined && e.tUs < filter.fromUs) continue;
      if (filter.toUs !== undefined && e.tUs > filter.toUs) continue;
      out.push({ tUs: e.tUs, router: e.router, vrid: e.vrid, action: e.action });
    }
    return out;
  }

  /** Adverts sent (SendAdvert actions): time, router, VRID, priority. */
  adverts(filter: { router?: string; vrid?: number; fromUs?: number; toUs?: number } = {}): {
    tUs: number;
    router: string;
    vrid: number;
    priority: number;
  }[] {
    return this.actions({ ...filter, type: 'SendAdvert' }).map((a) => ({
      tUs: a.tUs,
      router: a.router,
      vrid: a.vrid,
      priority: a.action.type === 'SendAdvert' ? a.action.priority : -1,
    }));
  }

  /** State transitions (from Notify actions) of one router's instance. */
  transitions(router: string, vrid: number): { tUs: number; state: NotifyWord }[] {
    return this.actions({ router, vrid, type: 'Notify' }).map((a) => ({
      tUs: a.tUs,
      state: a.action.type === 'Notify' ? a.action.state : 'INIT',
    }));
  }

  /** The last `n` timeline entries as text, for assertion messages. */
  dump(n = 60, filter?: (e: TimelineEntry) => boolean): string {
    const es = filter ? this.timeline.filter(filter) : this.timeline;
    return es.slice(-n).map(formatEntry).join('\n');
  }

  // --- internals -----------------------------------------------------------------------------

  private router(name: string): Router {
    const r = this.routers.get(name);
    if (!r) throw new Error(`no router ${name}`);
    return r;
  }

  private slot(router: string, vrid: number): Slot {
    const s = this.router(router).slots.get(vrid);
    if (!s) throw new Error(`router ${router} has no VRID ${vrid}`);
    return s;
  }

  private buildSlots(r: Router): void {
    for (const s of r.slots.values()) this.retire(s);
    r.slots = new Map(
      r.params.map((p) => [p.vrid, { router: r, params: p, core: this.factory(p), alive: true, timerAt: null, timerSeq: 0, heapIndex: -1 }]),
    );
  }

  private retire(s: Slot): void {
    s.alive = false;
    this.timers.remove(s);
  }

  private schedule(atUs: number | undefined, fn: () => void): this {
    if (atUs === undefined || atUs === this.now) {
      fn();
      return this;
    }
    return this.at(atUs, fn);
  }

  private note(r: Router | undefined, what: SimWhat, detail?: string): void {
    if (!this.record) return;
    const e: TimelineEntry = detail === undefined
      ? { kind: 'sim', tUs: this.now, router: r?.name ?? '*', what }
      : { kind: 'sim', tUs: this.now, router: r?.name ?? '*', what, detail };
    this.timeline.push(e);
  }

  /** Process the earliest item (queue or timer, by (time, sequence)) if it is due by `limit`. */
  private processNext(limit: number): boolean {
    const q = this.queue.peek();
    const tm = this.timers.peek();
    const timerFirst =
      tm !== undefined &&
      (q === undefined || (tm.timerAt as number) < q.t || ((tm.timerAt as number) === q.t && tm.timerSeq < q.seq));
    const t = timerFirst ? (tm.timerAt as number) : q?.t;
    if (t === undefined || t > limit) return false;
    if (t < this.now) throw new Error(`queue went back in time: ${t} < ${this.now}`);
    if (t !== this.instantAt) {
      this.instantAt = t;
      this.eventsThisInstant = 0;
    }
    if (++this.eventsThisInstant > this.maxEventsPerInstant) {
      throw new Error(`more than ${this.maxEventsPerInstant} events at ${t} µs: livelock?\n${this.dump(30)}`);
    }
    this.now = t;
    if (timerFirst) {
      this.timers.remove(tm);
      this.dispatch(tm, DEADLINE_REACHED);
      return true;
    }
    const item = this.queue.pop() as QItem;
    if (item.to !== null && item.packet !== null) this.receive(item.to, item.from, item.packet);
    else if (item.fn !== null) item.fn();
    return true;
  }

  private receive(r: Router, from: string, packet: ReceivedPacket): void {
    if (r.mode !== 'up') {
      this.stats.copiesToDeadRouter++;
      return;
    }
    const event: Event = { type: 'AdvertReceived', packet };
    if (this.demux === 'all') {
      for (const s of r.slots.values()) this.dispatch(s, event, from);
      return;
    }
    const vrid = packet.payload[1];
    const s = vrid === undefined ? undefined : r.slots.get(vrid);
    if (!s) {
      this.stats.copiesUnclaimed++;
      return;
    }
    this.stats.copiesDelivered++;
    this.dispatch(s, event, from);
  }

  private dispatch(s: Slot, event: Event, from?: string): void {
    const r = s.router;
    const vrid = s.params.vrid;
    if (this.record) {
      if (event.type === 'AdvertReceived') {
        const prio = event.packet.payload[2];
        const e: TimelineEntry = prio === undefined
          ? { kind: 'event', tUs: this.now, router: r.name, vrid, event: event.type, from: from ?? event.packet.srcIp }
          : { kind: 'event', tUs: this.now, router: r.name, vrid, event: event.type, from: from ?? event.packet.srcIp, priority: prio };
        this.timeline.push(e);
      } else {
        this.timeline.push({ kind: 'event', tUs: this.now, router: r.name, vrid, event: event.type });
      }
    }
    this.stats.handleCalls[event.type]++;
    let actions: readonly Action[];
    if (this.profile) {
      const t0 = process.hrtime.bigint();
      actions = s.core.handle(event, this.now);
      this.stats.handleNs[event.type] += Number(process.hrtime.bigint() - t0);
    } else {
      actions = s.core.handle(event, this.now);
    }
    for (const a of actions) this.execute(s, a);
    this.rearm(s);
  }

  private execute(s: Slot, a: Action): void {
    const r = s.router;
    if (this.record) this.timeline.push({ kind: 'action', tUs: this.now, router: r.name, vrid: s.params.vrid, action: a });
    switch (a.type) {
      case 'SendAdvert':
        this.transmit(s, a.priority);
        return;
      case 'AddVips':
        r.vipsHeld.set(s.params.vrid, true);
        return;
      case 'RemoveVips':
        r.vipsHeld.set(s.params.vrid, false);
        return;
      default:
        return;
    }
  }

  private transmit(s: Slot, priority: number): void {
    const from = s.router;
    this.stats.advertsSent++;
    let payload: Uint8Array;
    if (this.profile) {
      const t0 = process.hrtime.bigint();
      payload = encodeFor(s.params, priority);
      this.stats.encodeNs += Number(process.hrtime.bigint() - t0);
    } else {
      payload = encodeFor(s.params, priority);
    }
    const unicast = s.params.unicastPeers.length > 0;
    // Multicast: every receiver gets the same datagram, so one packet object is shared.
    const shared = unicast ? null : toPacket(payload, from.ip);
    const partitioned = this.blocked.size > 0;
    for (const to of this.routers.values()) {
      if (to === from) continue;
      if (unicast && !s.params.unicastPeers.includes(to.ip)) continue;
      if (partitioned && this.blocked.has(`${from.name}>${to.name}`)) {
        this.stats.copiesPartitioned++;
        continue;
      }
      const p = from.dropTo.size > 0 ? (from.dropTo.get(to.name) ?? this.dropProbability) : this.dropProbability;
      if (p > 0 && this.rng() < p) {
        this.stats.copiesLost++;
        continue;
      }
      const packet = shared ?? toPacket(payload, from.ip, { dstIp: to.ip });
      this.queue.push(QItem.packet(this.now + this.delay(), this.seq++, to, from.name, packet));
      if (this.duplicateProbability > 0 && this.rng() < this.duplicateProbability) {
        this.stats.duplicates++;
        this.queue.push(QItem.packet(this.now + this.delay() + 1, this.seq++, to, from.name, packet));
      }
    }
  }

  private delay(): number {
    return this.jitterUs > 0 ? this.delayUs + Math.floor(this.rng() * (this.jitterUs + 1)) : this.delayUs;
  }

  private rearm(s: Slot): void {
    if (!s.alive || s.router.mode !== 'up') return;
    let d = s.core.nextDeadlineUs();
    if (d === null) {
      this.timers.remove(s);
      return;
    }
    if (!Number.isSafeInteger(d)) {
      this.anomalies.push({ tUs: this.now, router: s.router.name, vrid: s.params.vrid, message: `non-integer deadline ${d}` });
      d = Math.ceil(d);
    }
    if (d < this.now) {
      // Overdue (e.g. a priority change shortened a running Master_Down_Timer): the driver's
      // setTimeout(max(0, d − now)) fires at once, so deliver it now.
      this.stats.overdueDeadlines++;
      d = this.now;
    }
    if (s.timerAt === d) return;
    this.timers.set(s, d, this.seq++);
  }
}

/** One timeline entry as a line: "3609375 B/51 SendAdvert prio=100". */
export function formatEntry(e: TimelineEntry): string {
  const t = String(e.tUs).padStart(12);
  if (e.kind === 'sim') return `${t} ${e.router} -- ${e.what}${e.detail === undefined ? '' : ` ${e.detail}`}`;
  const who = `${e.router}/${e.vrid}`;
  if (e.kind === 'event') {
    return e.event === 'AdvertReceived'
      ? `${t} ${who} <- advert from ${e.from ?? '?'} prio=${e.priority ?? '?'}`
      : `${t} ${who} <- ${e.event}`;
  }
  const a = e.action;
  switch (a.type) {
    case 'SendAdvert':
      return `${t} ${who} SendAdvert prio=${a.priority}`;
    case 'SendGarp':
      return `${t} ${who} SendGarp x${a.count}`;
    case 'Notify':
      return `${t} ${who} Notify ${a.state} prio=${a.priority}`;
    case 'Log':
      return `${t} ${who} Log ${a.level}: ${a.message}`;
    case 'CountStat':
      return `${t} ${who} CountStat ${a.counter}`;
    default:
      return `${t} ${who} ${a.type}`;
  }
}
