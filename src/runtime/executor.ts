/**
 * Runs one instance's actions, in the order the core gave them, through the adapters:
 * adverts to the multicast group or each unicast peer, VIPs through netlink, gratuitous ARPs
 * through the native addon, notifications through the notifier, logs and counters. One failing
 * action is logged and isolated; the next one still runs (issue 4: a netlink or send error
 * never stops the other instances).
 */
import type { VrrpInstance as ConfigInstance, VirtualAddress } from '../config/model';
import { encodeAdvert } from '../protocol/advert';
import type { Action, InstanceParams, StatCounter } from '../protocol/types';
import type { AddressManager, AddressSpec, GarpSender, VrrpSocket } from '../io/ports';
import { errorMessage } from '../io/errors';
import type { Logger } from './logger';

/** The notifications of a state change (notifier.ts); only a STOP waits for its scripts. */
export type NotifySink = (action: Extract<Action, { type: 'Notify' | 'NotifyMasterRxLowerPri' }>) => Promise<void>;

export interface InstancePorts {
  readonly socket: VrrpSocket;
  readonly addresses: AddressManager;
  readonly garp: GarpSender;
  readonly log: Logger;
  readonly notify: NotifySink;
}

const VRRP_GROUP = '224.0.0.18';

export class ActionExecutor {
  readonly stats = new Map<StatCounter, number>();
  private readonly destinations: readonly string[];
  private readonly ifname: string;

  constructor(
    private readonly inst: ConfigInstance,
    private readonly params: InstanceParams,
    private readonly ports: InstancePorts,
  ) {
    this.destinations = params.unicastPeers.length > 0 ? params.unicastPeers : [inst.mcastDstIp ?? VRRP_GROUP];
    this.ifname = inst.interface ?? '';
  }

  /** Run every action in order; failures are logged, never thrown. */
  async run(actions: readonly Action[]): Promise<void> {
    for (const action of actions) {
      try {
        await this.one(action);
      } catch (e) {
        this.ports.log.error(`(${this.inst.name}) ${action.type} failed: ${errorMessage(e)}`);
      }
    }
  }

  private async one(action: Action): Promise<void> {
    switch (action.type) {
      case 'SendAdvert':
        return this.sendAdvert(action.priority);
      case 'AddVips':
        return this.forEachAddress((spec) => this.ports.addresses.add(spec));
      case 'RemoveVips':
        this.ports.log.info(`(${this.inst.name}) removing VIPs.`);
        return this.forEachAddress((spec) => this.ports.addresses.remove(spec));
      case 'SendGarp':
        return this.sendGarp(action.count);
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

  private async sendAdvert(priority: number): Promise<void> {
    const p = this.params;
    const message = encodeAdvert({
      vrid: p.vrid,
      priority,
      adverIntSec: Math.round(p.advertIntUs / 1_000_000),
      addresses: p.vips,
      authType: p.auth ? 1 : 0,
      ...(p.auth ? { password: p.auth.password } : {}),
    });
    if (priority === 0) this.ports.log.info(`(${this.inst.name}) sent 0 priority`);
    const ttl = this.inst.unicastTtl ?? 255;
    for (const dst of this.destinations) await this.ports.socket.send(message, p.sourceIp, dst, ttl);
  }

  private async sendGarp(count: number): Promise<void> {
    for (const vip of this.inst.virtualIpaddress.filter((v) => v.family === 4)) {
      const ifname = vip.dev ?? this.ifname;
      this.ports.log.info(`Sending gratuitous ARP on ${ifname} for ${vip.address}`);
      await this.ports.garp.send(ifname, vip.address, count);
    }
  }

  /** VIPs and eVIPs (IPv4), each on its `dev` or the instance's interface. */
  private async forEachAddress(fn: (spec: AddressSpec) => Promise<void>): Promise<void> {
    const all: VirtualAddress[] = [...this.inst.virtualIpaddress, ...this.inst.virtualIpaddressExcluded].filter((v) => v.family === 4);
    // One address failing does not stop the others.
    for (const v of all) {
      try {
        await fn({ address: v.address, prefixLength: v.prefixLength, ifname: v.dev ?? this.ifname, broadcast: v.broadcast, scope: v.scope, label: v.label });
      } catch (e) {
        this.ports.log.error(`(${this.inst.name}) ${v.address}/${v.prefixLength} on ${v.dev ?? this.ifname}: ${errorMessage(e)}`);
      }
    }
  }
}
