/**
 * The composition root: read and check the config (nothing is touched if it has errors), build
 * the adapters, one pure core per vrrp_instance, one driver per machine (a lone instance, or a
 * vrrp_sync_group of them), one VRRP socket per interface routing adverts by VRID, the
 * trackers (scripts, interfaces, files) and the notifications; then run until SIGTERM/SIGINT:
 * every MASTER sends one priority-0 advert and removes its VIPs, STOP is notified, and the
 * process exits 0. SIGKILL leaves VIPs in place (like keepalived); the next start removes
 * them before entering BACKUP.
 */
import * as fs from 'node:fs';
import type { Config, VrrpInstance as ConfigInstance } from './config/model';
import { VrrpInstance } from './protocol/instance';
import type { GroupAction } from './protocol/sync-group';
import type { Event } from './protocol/types';
import type { AddressManager, GarpSender, LinkEvent, LinkWatcher, VrrpSocket, VrrpSocketFactory } from './io/ports';
import { ActionExecutor } from './runtime/executor';
import { MachineDriver, monotonicClock } from './runtime/driver';
import { LoneInstanceMachine, SyncGroupMachine } from './runtime/machines';
import { configuredSourceIp, toInstanceParams } from './runtime/params';
import { Notifier, type NotifyOutputs } from './runtime/notifier';
import { Trackers, type ScriptRunnerFactory } from './runtime/trackers';
import type { Logger } from './runtime/logger';

export interface DaemonAdapters {
  readonly sockets: VrrpSocketFactory;
  readonly addresses: AddressManager;
  readonly garp: GarpSender;
  readonly links: LinkWatcher;
  readonly scripts: ScriptRunnerFactory;
  readonly notify: NotifyOutputs & { close(): Promise<void> };
}

export interface DaemonOptions {
  /** keepalived -p / -r: written at start, removed at stop. */
  readonly pidFiles: readonly string[];
}

/** One runnable instance: its config, core and executor. */
interface Member {
  readonly inst: ConfigInstance;
  readonly core: VrrpInstance;
  readonly executor: ActionExecutor;
  driver: MachineDriver | null;
  /** When this instance last removed its own VIPs (their RTM_DELADDR echoes are not "someone else"). */
  removedVipsAtUs: number;
}

/** How long the kernel's echo of our own VIP removal may take to arrive. */
const OWN_REMOVAL_ECHO_US = 1_000_000;

/** A running tsvrrpd: its cores by instance name, and how to stop it. */
export class Daemon {
  private readonly members = new Map<string, Member>();
  private readonly drivers: MachineDriver[] = [];
  private readonly sockets: VrrpSocket[] = [];
  private readonly notifier: Notifier;
  private trackers: Trackers | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly config: Config,
    private readonly adapters: DaemonAdapters,
    private readonly log: Logger,
    private readonly options: DaemonOptions,
  ) {
    this.notifier = new Notifier(config, adapters.notify);
  }

  async start(): Promise<void> {
    for (const f of this.options.pidFiles) fs.writeFileSync(f, `${process.pid}\n`);
    const byInterface = new Map<string, ConfigInstance[]>();
    for (const inst of this.config.instances) {
      if (inst.interface === null) {
        this.log.error(`(${inst.name}) instances without an interface are not supported yet - skipping`);
        continue;
      }
      if (inst.family !== 4) {
        this.log.error(`(${inst.name}) only IPv4 (VRRPv2) instances are run - skipping`);
        continue;
      }
      const list = byInterface.get(inst.interface) ?? [];
      list.push(inst);
      byInterface.set(inst.interface, list);
    }
    for (const [ifname, insts] of byInterface) await this.openInterface(ifname, insts);
    this.buildDrivers();
    this.adapters.links.onEvent((e) => this.onLinkEvent(e));
    const trackers = new Trackers(this.config, [...this.members.values()].map((m) => m.inst), this.adapters.links, this.adapters.scripts, this.log);
    this.trackers = trackers;
    await trackers.start((name, event) => {
      const m = this.members.get(name);
      if (m?.driver) void m.driver.post(event, name);
    });
    // Each machine starts once its unweighted scripts have a first result (keepalived
    // num_script_init), without holding up the others.
    for (const driver of this.drivers) void this.startMachine(driver, trackers);
  }

  private async startMachine(driver: MachineDriver, trackers: Trackers): Promise<void> {
    const members = [...this.members.values()].filter((m) => m.driver === driver);
    await Promise.all(members.map((m) => trackers.whenInitialised(m.inst.name)));
    if (this.stopping !== null) return;
    for (const m of members) for (const e of trackers.initialEvents(m.inst.name)) void driver.post(e, m.inst.name);
    await driver.post({ type: 'Startup' });
  }

  private async openInterface(ifname: string, insts: readonly ConfigInstance[]): Promise<void> {
    const own = (await this.adapters.addresses.list(ifname)).map((a) => a.address);
    const primary = own[0] ?? null;
    const byVrid = new Map<number, Member>();
    const socket = await this.adapters.sockets.open(ifname, {
      ownAddresses: [...own, ...insts.map(configuredSourceIp).filter((s): s is string => s !== null)],
    });
    this.sockets.push(socket);
    socket.onPacket((packet, rxAgeUs) => {
      const vrid = packet.payload[1];
      const m = vrid === undefined ? undefined : byVrid.get(vrid);
      // keepalived vrrp_dispatcher_read(): adverts for unknown VRIDs are ignored.
      if (m?.driver) void m.driver.post({ type: 'AdvertReceived', packet }, m.inst.name, { atUs: monotonicClock.nowUs() - rxAgeUs });
    });
    for (const inst of insts) {
      const source = configuredSourceIp(inst) ?? primary;
      if (source === null) {
        this.log.error(`(${inst.name}) interface ${ifname} has no IPv4 address to send from - skipping`);
        continue;
      }
      const params = toInstanceParams(inst, source, this.config.global.startupDelayUs);
      const core = new VrrpInstance(params, { unicast: params.unicastPeers.length > 0 });
      const executor = new ActionExecutor(inst, params, {
        socket,
        addresses: this.adapters.addresses,
        garp: this.adapters.garp,
        log: this.log,
        notify: (a) => (a.type === 'Notify' ? this.notifier.instance(inst, a.state, a.priority) : Promise.resolve(this.notifier.masterRxLowerPri(inst, core.effectivePriority))),
      });
      const m: Member = { inst, core, executor, driver: null, removedVipsAtUs: -Infinity };
      this.members.set(inst.name, m);
      byVrid.set(inst.vrid, m);
    }
  }

  /** A driver per sync group whose members all run, and one per remaining instance. */
  private buildDrivers(): void {
    const grouped = new Set<string>();
    for (const g of this.config.syncGroups) {
      const members = g.members.map((n) => this.members.get(n));
      if (members.length === 0 || members.some((m) => m === undefined)) {
        if (members.length > 0) this.log.error(`VRRP_Group(${g.name}) has members that are not run - its instances run alone`);
        continue;
      }
      const ms = members as Member[];
      const driver = new MachineDriver(new SyncGroupMachine(g.name, ms.map((m) => m.core)), (a) => this.route(a), monotonicClock, (e, err) => this.stepFailed(e, err));
      for (const m of ms) {
        m.driver = driver;
        grouped.add(m.inst.name);
      }
      this.drivers.push(driver);
    }
    for (const m of this.members.values()) {
      if (grouped.has(m.inst.name)) continue;
      m.driver = new MachineDriver(new LoneInstanceMachine(m.core), (a) => this.route(a), monotonicClock, (e, err) => this.stepFailed(e, err));
      this.drivers.push(m.driver);
    }
  }

  private stepFailed(event: Event, error: unknown): void {
    this.log.error(`internal error handling ${event.type}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }

  /** Each action to its instance's executor, or to the group's notifications. */
  private async route(actions: readonly GroupAction[]): Promise<void> {
    for (const { scope, name, action } of actions) {
      if (scope === 'instance') {
        const m = this.members.get(name);
        if (action.type === 'RemoveVips' && m) m.removedVipsAtUs = monotonicClock.nowUs();
        await m?.executor.run([action]);
      } else if (action.type === 'Notify') {
        this.notifier.group(name, action.state);
      } else if (action.type === 'Log') {
        this.log.info(action.message);
      }
    }
  }

  /** keepalived netlink RTM_DELADDR: a VIP removed by someone else while we are MASTER. */
  private onLinkEvent(e: LinkEvent): void {
    if (e.type !== 'address-deleted') return;
    for (const m of this.members.values()) {
      if (m.core.state !== 'MASTER' || monotonicClock.nowUs() - m.removedVipsAtUs < OWN_REMOVAL_ECHO_US) continue;
      const vip = m.inst.virtualIpaddress.find((v) => v.address === e.address && (v.dev ?? m.inst.interface) === e.ifname);
      if (vip === undefined || m.driver === null) continue;
      // keepalived netlink_if_address_filter(): its line for an address removed from outside.
      this.log.info(`Netlink reflector reports IP ${e.address} removed from ${e.ifname}`);
      void m.driver.post({ type: 'VipDeleted', address: e.address }, m.inst.name);
    }
  }

  /** RFC 3768 §6.4.3 / keepalived vrrp_terminate_phase2(): MASTERs send priority 0, VIPs go. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const trackersStopped = this.trackers?.stop() ?? Promise.resolve();
      await Promise.all(
        this.drivers.map(async (d) => {
          d.stop();
          await d.post({ type: 'Shutdown' });
        }),
      );
      for (const s of this.sockets) s.close();
      this.adapters.links.close();
      await trackersStopped;
      await this.adapters.notify.close();
      for (const f of this.options.pidFiles) fs.rmSync(f, { force: true });
    })();
    return this.stopping;
  }
}
