/**
 * Runs one instance's actions, in the order the core gave them, through the adapters:
 * adverts to the multicast group or each unicast peer, VIPs through its VirtualResources,
 * gratuitous ARPs through the native addon, notifications through the notifier, logs and
 * counters. One failing action is logged and isolated; the next one still runs (issue 4: a
 * netlink or send error never stops the other instances).
 */
import { encodeAdvert } from '../protocol/advert';
import type { Action, StatCounter } from '../protocol/types';
import type { GarpSender } from '../io/ports';
import type { AdvertSender } from './wire';
import { errorMessage } from '../io/errors';
import { LIMITED_LOG_INTERVAL_US, LogLimiter } from '../protocol/instance-output';
import type { Logger } from '../io/logger';
import type { InstanceSpec } from './plan';
import type { VirtualResources } from './virtual-resources';

/** The notifications of a state change (notifier.ts); only a STOP waits for its scripts. */
export type NotifySink = (action: Extract<Action, { type: 'Notify' | 'NotifyMasterRxLowerPri' }>) => Promise<void>;

export interface InstancePorts {
  readonly socket: AdvertSender;
  readonly resources: VirtualResources;
  readonly garp: GarpSender;
  readonly log: Logger;
  readonly notify: NotifySink;
  /** Monotonic time, for the rate limit on repeated failures. */
  readonly nowUs: () => number;
}

/** A failure's stable code (TsvrrpdIoError and Node system errors), else its class. */
function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : typeof e;
}

export class ActionExecutor {
  readonly stats = new Map<StatCounter, number>();
  private readonly failures = new LogLimiter(LIMITED_LOG_INTERVAL_US);
  /** The last advert encoded, by priority (cleared by a reload). */
  private encoded: { readonly priority: number; readonly message: Uint8Array } | null = null;

  constructor(
    private spec: InstanceSpec,
    private readonly ports: InstancePorts,
  ) {}

  /** A reload: from the next action on, the instance's new spec (the core got ConfigUpdated). */
  update(spec: InstanceSpec): void {
    this.spec = spec;
    this.encoded = null;
    this.ports.resources.configure(spec.name, spec.addresses);
  }

  /**
   * Run every action in order; failures are logged, never thrown. The same failure again (an
   * advert a second into a dead link) is logged once per LIMITED_LOG_INTERVAL_US, with the
   * count of those held back. Nothing is returned when every action ran synchronously
   * (counters and log lines: what most received adverts produce), so the caller waits for
   * nothing; otherwise a promise of the rest.
   */
  run(actions: readonly Action[], from = 0): Promise<void> | void {
    for (let i = from; i < actions.length; i++) {
      const running = this.runOne(actions[i] as Action);
      if (running !== undefined) return running.then(() => this.run(actions, i + 1));
    }
  }

  /** One action, as run() runs each: a failure logged, never thrown (the router's path: no array per action). */
  runOne(action: Action): Promise<void> | void {
    let running: Promise<void> | void;
    try {
      running = this.one(action);
    } catch (e) {
      this.failed(action, e);
      return;
    }
    if (running !== undefined) return running.catch((e: unknown) => this.failed(action, e));
  }

  private failed(action: Action, e: unknown): void {
    const held = this.failures.admit(`${action.type} ${errorCode(e)}`, this.ports.nowUs());
    if (held === null) return;
    const more = held > 0 ? ` (${held} more since the last report)` : '';
    this.ports.log.error(`(${this.spec.name}) ${action.type} failed: ${errorMessage(e)}${more}`);
  }

  private one(action: Action): Promise<void> | void {
    switch (action.type) {
      case 'SendAdvert':
        return this.sendAdvert(action.priority);
      case 'AddVips':
        return this.ports.resources.install();
      case 'RemoveVips':
        this.ports.log.info(`(${this.spec.name}) removing VIPs.`);
        return this.ports.resources.remove();
      case 'SyncVips':
        return this.syncVips(action.garpCount);
      case 'SendGarp':
        return this.sendGarp(action.count, this.spec.garpAddresses);
      case 'Log':
        if (action.level === 'debug') this.ports.log.debug(action.message);
        else if (action.level === 'warn') this.ports.log.warn(action.message);
        else this.ports.log.info(action.message);
        return;
      case 'CountStat':
        this.stats.set(action.counter, (this.stats.get(action.counter) ?? 0) + 1);
        return;
      case 'Notify':
      case 'NotifyMasterRxLowerPri':
        return this.ports.notify(action);
    }
  }

  /** Encoded once per priority (and again after a reload): a MASTER sends the same bytes each time. */
  private sendAdvert(priority: number): Promise<void> | void {
    const p = this.spec.params;
    let message = this.encoded?.priority === priority ? this.encoded.message : null;
    if (message === null) {
      message = encodeAdvert({
        vrid: p.vrid,
        priority,
        adverIntSec: Math.round(p.advertIntUs / 1_000_000),
        addresses: p.vips,
        authType: p.auth ? 1 : 0,
        ...(p.auth ? { password: p.auth.password } : {}),
      });
      this.encoded = { priority, message };
    }
    if (priority === 0) this.ports.log.info(`(${this.spec.name}) sent 0 priority`);
    const ttl = this.spec.inst.unicastTtl ?? 255;
    const destinations = this.spec.destinations;
    if (destinations.length === 1) return this.ports.socket.send(message, p.sourceIp, destinations[0] as string, ttl);
    return this.sendEach(message, destinations, p.sourceIp, ttl);
  }

  /** To each unicast peer in turn; a promise only once a send had to wait (or failed). */
  private sendEach(message: Uint8Array, destinations: readonly string[], sourceIp: string, ttl: number, from = 0): Promise<void> | void {
    for (let i = from; i < destinations.length; i++) {
      const running = this.ports.socket.send(message, sourceIp, destinations[i] as string, ttl);
      if (running !== undefined) return running.then(() => this.sendEach(message, destinations, sourceIp, ttl, i + 1));
    }
  }

  /** A reload changed a MASTER's addresses: apply the difference, announce only what was added. */
  private async syncVips(garpCount: number): Promise<void> {
    const added = new Set((await this.ports.resources.sync()).map((a) => `${a.ifname} ${a.address}`));
    if (garpCount <= 0 || added.size === 0) return;
    await this.sendGarp(garpCount, this.spec.garpAddresses.filter((g) => added.has(`${g.ifname} ${g.address}`)));
  }

  private async sendGarp(count: number, vips: InstanceSpec['garpAddresses']): Promise<void> {
    for (const vip of vips) {
      this.ports.log.info(`Sending gratuitous ARP on ${vip.ifname} for ${vip.address}`);
      await this.ports.garp.send(vip.ifname, vip.address, count);
    }
  }
}
