/**
 * The running VRRP instances, changed only by applying a plan (ARCHITECTURE §4 pattern 4, §5):
 * start-up applies the difference from EMPTY_PLAN, a reload the difference from the running
 * plan. Applying a ReloadPlan, in order:
 *  1. stop the drivers of machines whose members changed (their cores live on);
 *  2. removed instances: a MASTER sends priority 0 and removes its VIPs, DELETED is notified,
 *     its VRID leaves the wire;
 *  3. kept instances get their new spec between two steps of their machine (ConfigUpdated:
 *     state, timers and counters kept; a MASTER applies the VIP difference);
 *  4. added instances are built (core, executor, host resources, wire);
 *  5. new machines are built around their cores; trackers follow the new config;
 *  6. machines with new instances start them as at start-up (after their scripts' first
 *     result), machines rebuilt around running cores just re-arm their timers.
 * It also routes what comes in: adverts by VRID (wire.ts), tracker events and link events by
 * instance, and actions to each instance's executor.
 */
import type { Config, GlobalDefs } from '../config/model';
import type { AddressManager, Clock, GarpSender, LinkEvent, LinkWatcher, VrrpSocketFactory } from '../io/ports';
import { copyPacket } from '../io/ports';
import { errorMessage } from '../io/errors';
import { VrrpInstance } from '../protocol/instance';
import type { GroupAction } from '../protocol/sync-group';
import type { Event, VrrpState } from '../protocol/types';
import { MachineDriver } from './driver';
import { ActionExecutor } from './executor';
import type { Logger } from '../io/logger';
import { LoneInstanceMachine, SyncGroupMachine } from './machines';
import { Notifier, type NotifyOutputs } from './notifier';
import { EMPTY_PLAN, machineId, type HostAddresses, type InstanceSpec, type MachineSpec, type RuntimePlan } from './plan';
import { diffPlans, type ReloadPlan } from './reload-plan';
import { Registry, type RunningInstance, type RunningMachine } from './registry';
import { Trackers, type ScriptRunnerFactory, type TrackFileWatcherFactory } from './trackers';
import { VirtualResources } from './virtual-resources';
import { Wire, type AdvertSender } from './wire';

/** How many instances a reload touches between two turns of the event loop. */
const INSTANCES_PER_TURN = 8;

/**
 * Give the event loop a turn every INSTANCES_PER_TURN instances: a reload of hundreds of
 * instances is all promise continuations, and without a turn the adverts and takeovers due
 * meanwhile would wait for the whole apply (measured by npm run bench:reload).
 */
async function breathe(n: number): Promise<void> {
  if (n % INSTANCES_PER_TURN === 0) await turn();
}

/** One turn of the event loop (between the phases of an apply that each walk every instance). */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The member called `name`, by a plain loop: the router runs it for every action. */
function memberNamed(members: readonly RunningInstance[], name: string): RunningInstance | undefined {
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as RunningInstance;
    if (m.core.name === name) return m;
  }
  return undefined;
}

export interface RuntimePorts {
  readonly sockets: VrrpSocketFactory;
  readonly addresses: AddressManager;
  readonly garp: GarpSender;
  readonly links: LinkWatcher;
  readonly scripts: ScriptRunnerFactory;
  readonly trackFiles: TrackFileWatcherFactory;
  readonly notify: NotifyOutputs & { close(): Promise<void>; reconfigure(global: GlobalDefs): void };
  /** Monotonic time for the cores. */
  readonly clock: Clock;
  /** Wall-clock time in µs (state change times in the dumps). */
  readonly wallUs: () => number;
}

export class Runtime {
  readonly registry = new Registry();
  private readonly wire: Wire;
  private readonly notifier: Notifier;
  private readonly trackers: Trackers;
  private current: RuntimePlan = EMPTY_PLAN;
  private stopping = false;
  /** Each driver's hook before a takeover: what the sockets hold back (a receive hold), read now. */
  private readonly flushReceived = (): void => this.ports.sockets.flushReceived?.();

  constructor(
    private readonly ports: RuntimePorts,
    private readonly log: Logger,
  ) {
    this.wire = new Wire(ports.sockets, ports.clock);
    this.notifier = new Notifier({ syncGroups: [] }, ports.notify);
    this.trackers = new Trackers(ports.links, ports.scripts, ports.trackFiles, log);
    ports.links.onEvent((e) => this.onLinkEvent(e));
  }

  /** keepalived STATS_CLEAR: every instance's counters back to zero. */
  clearStats(): void {
    for (const r of this.registry.instances) r.executor.stats.clear();
  }

  /** For the dumps: the running vrrp_scripts, the track files, an instance's tracker faults. */
  scriptReports(): ReturnType<Trackers['scriptReports']> {
    return this.trackers.scriptReports();
  }

  fileValues(): ReturnType<Trackers['fileValues']> {
    return this.trackers.fileValues();
  }

  faultCount(instance: string): number {
    return this.trackers.faultCount(instance);
  }

  /** The host facts a plan needs: the addresses on every interface the config uses. */
  async hostAddresses(config: Config): Promise<HostAddresses> {
    const found = new Map<string, string[]>();
    for (const ifname of new Set(config.instances.map((i) => i.interface).filter((i): i is string => i !== null))) {
      found.set(ifname, await this.ports.addresses.list(ifname).then((l) => l.map((a) => a.address), () => []));
    }
    return { ownAddresses: (ifname) => found.get(ifname) ?? [] };
  }

  /** Make `next` (planned with `host`) run; resolves when applied (new instances start in the background). */
  async apply(next: RuntimePlan, host: HostAddresses): Promise<ReloadPlan> {
    await turn();
    const plan = diffPlans(this.current, next);
    await turn();
    if (next.config !== null) {
      this.notifier.reconfigure(next.config);
      if (this.current.config !== null) this.ports.notify.reconfigure(next.config.global);
    }
    for (const s of next.skipped) if (!this.current.skipped.some((o) => o.message === s.message)) this.log.error(s.message);
    let n = 0;
    for (const m of plan.machinesStopped) {
      await this.stopMachine(m);
      await breathe(++n);
    }
    for (const spec of plan.remove) {
      await this.removeInstance(spec);
      await breathe(++n);
    }
    for (const k of plan.keep) {
      await this.updateInstance(k.after);
      await breathe(++n);
    }
    const added = new Set<string>();
    for (const spec of plan.add) {
      if (await this.addInstance(spec, host)) added.add(spec.key);
      await breathe(++n);
    }
    this.wire.closeUnused();
    const built = plan.machinesStarted.map((m) => this.buildMachine(m)).filter((m): m is RunningMachine => m !== null);
    this.current = next;
    if (next.config !== null) {
      await turn();
      const renamed = new Map(plan.keep.filter((k) => k.before.name !== k.after.name).map((k) => [k.after.name, k.before.name]));
      await this.trackers.reconfigure(next.config, this.registry.instances.map((r) => r.spec.inst), (name, e) => this.postTo(name, e), renamed);
    }
    for (const m of built) {
      const members = this.membersOf(m.spec);
      if (members.some((r) => added.has(r.spec.key))) void this.startMachine(m, members.filter((r) => added.has(r.spec.key)));
      else m.driver.resume();
    }
    return plan;
  }

  /** RFC 3768 §6.4.3 / keepalived vrrp_terminate_phase2(): MASTERs send priority 0, VIPs go. */
  async stop(): Promise<void> {
    this.stopping = true;
    const trackersStopped = this.trackers.stop();
    await Promise.all(
      this.registry.runningMachines.map(async (m) => {
        m.driver.stop();
        await m.driver.post({ type: 'Shutdown' });
      }),
    );
    await this.wire.closeAll();
    this.ports.links.close();
    await trackersStopped;
    await this.ports.notify.close();
  }

  private membersOf(spec: MachineSpec): RunningInstance[] {
    const keys = spec.kind === 'lone' ? [spec.key] : spec.keys;
    return keys.map((k) => this.registry.byKeyOf(k)).filter((r): r is RunningInstance => r !== undefined);
  }

  private async stopMachine(spec: MachineSpec): Promise<void> {
    const id = machineId(spec);
    const m = this.registry.machine(id);
    if (m === undefined) return;
    m.driver.stop();
    await m.driver.drain();
    this.registry.deleteMachine(id);
    for (const r of this.membersOf(spec)) if (r.machine === m) r.machine = null;
  }

  /** keepalived clear_diff_vrrp(): the instance is gone from the config. */
  private async removeInstance(spec: InstanceSpec): Promise<void> {
    const r = this.registry.byKeyOf(spec.key);
    if (r === undefined) return;
    r.core.joinSyncGroup(null);
    await this.route(this.tagged(r, r.core.handle({ type: 'Removed' }, this.ports.clock.nowUs())));
    this.wire.detach(spec.ifname, spec.params.vrid);
    this.registry.delete(spec.key);
  }

  private async updateInstance(spec: InstanceSpec): Promise<void> {
    const r = this.registry.byKeyOf(spec.key);
    if (r === undefined) return;
    const swap = (): void => {
      this.registry.respec(r, spec);
      r.executor.update(spec);
    };
    const event: Event = { type: 'ConfigUpdated', params: spec.params };
    if (r.machine !== null) {
      await r.machine.driver.postWith(swap, event, spec.name);
      return;
    }
    swap();
    await this.route(this.tagged(r, r.core.handle(event, this.ports.clock.nowUs())));
  }

  private async addInstance(spec: InstanceSpec, host: HostAddresses): Promise<boolean> {
    const core = new VrrpInstance(spec.params, { unicast: spec.params.unicastPeers.length > 0 });
    let socket: AdvertSender;
    // The instance this VRID's adverts go to: set below, the same object for its whole life
    // (a reload respecs it in place; removing it detaches the VRID first).
    let self: RunningInstance | null = null;
    try {
      socket = await this.wire.attach(spec.ifname, spec.params.vrid, spec.params.sourceIp, host.ownAddresses(spec.ifname), (packet, atUs) => {
        const r = self;
        if (!r?.machine) return;
        const driver = r.machine.driver;
        // The payload is the socket's buffer, valid during this call: an idle driver handles
        // the advert before postAt() returns; a queued one keeps a copy.
        void driver.postAt({ type: 'AdvertReceived', packet: driver.idle ? packet : copyPacket(packet) }, r.spec.name, atUs);
      });
    } catch (e) {
      this.log.error(`(${spec.name}) cannot open the VRRP socket on ${spec.ifname}: ${errorMessage(e)} - skipping`);
      return false;
    }
    const resources = new VirtualResources(spec.name, spec.addresses, this.ports.addresses, this.log, this.ports.clock);
    const r: RunningInstance = {
      spec,
      core,
      resources,
      socket,
      machine: null,
      lastTransitionWallUs: this.ports.wallUs(),
      executor: new ActionExecutor(spec, {
        socket,
        resources,
        garp: this.ports.garp,
        log: this.log,
        nowUs: () => this.ports.clock.nowUs(),
        notify: (a) => {
          if (a.type === 'NotifyMasterRxLowerPri') return Promise.resolve(this.notifier.masterRxLowerPri(r.spec.inst, core.effectivePriority));
          r.lastTransitionWallUs = this.ports.wallUs();
          return this.notifier.instance(r.spec.inst, a.state, a.priority);
        },
      }),
    };
    this.registry.add(r);
    self = r;
    return true;
  }

  private buildMachine(spec: MachineSpec): RunningMachine | null {
    const members = this.membersOf(spec);
    if (members.length === 0) return null;
    const machine =
      spec.kind === 'lone'
        ? new LoneInstanceMachine(members[0]!.core)
        : new SyncGroupMachine(
            spec.name,
            members.map((r) => r.core),
          );
    if (spec.kind === 'lone') members[0]!.core.joinSyncGroup(null);
    const driver = new MachineDriver(machine, (a) => this.route(a, members), this.ports.clock, (e, err) => this.stepFailed(e, err), {
      flushReceived: this.flushReceived,
    });
    const m: RunningMachine = { spec, driver };
    this.registry.addMachine(machineId(spec), m);
    for (const r of members) r.machine = m;
    return m;
  }

  /** Each new member starts once its unweighted scripts have a first result (keepalived num_script_init). */
  private async startMachine(m: RunningMachine, fresh: readonly RunningInstance[]): Promise<void> {
    await Promise.all(fresh.map((r) => this.trackers.whenInitialised(r.spec.name)));
    if (this.stopping) return;
    for (const r of fresh) for (const e of this.trackers.initialEvents(r.spec.name)) void m.driver.post(e, r.spec.name);
    await m.driver.post({ type: 'Startup' });
  }

  private postTo(name: string, event: Event): void {
    const r = this.registry.named(name);
    if (r?.machine) void r.machine.driver.post(event, name);
  }

  private tagged(r: RunningInstance, actions: readonly GroupAction['action'][]): GroupAction[] {
    return actions.map((action) => ({ scope: 'instance', name: r.core.name, action }));
  }

  private stepFailed(event: Event, error: unknown): void {
    this.log.error(`internal error handling ${event.type}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }

  /**
   * Each action to its instance's executor, or to the group's notifications. `members` are
   * the machine's instances, found by name without a registry lookup. Nothing is returned when
   * every action ran synchronously (an advert heard by a BACKUP: a counter).
   */
  private route(actions: readonly GroupAction[], members: readonly RunningInstance[] = [], from = 0): Promise<void> | void {
    for (let i = from; i < actions.length; i++) {
      const { scope, name, action } = actions[i] as GroupAction;
      if (scope === 'instance') {
        const r = memberNamed(members, name) ?? this.registry.named(name);
        const running = r?.executor.runOne(action);
        if (running !== undefined) return running.then(() => this.route(actions, members, i + 1));
      } else if (action.type === 'Notify') {
        this.notifier.group(name, action.state as VrrpState);
      } else if (action.type === 'Log') {
        this.log.info(action.message);
      }
    }
  }

  /**
   * An interface up again under another index (deleted and re-created): its socket follows
   * it, as keepalived 2.2.7 follows it ("Interface eth0 deleted" / "added", recorded by
   * test/integration/faults-ifrecreate.test.ts).
   */
  private relink(ifname: string, ifindex: number): void {
    void this.wire.relink(ifname, ifindex).then((r) => {
      if (r.kind === 'reopened') this.log.info(`Interface ${ifname} re-created (index ${r.ifindex}): VRRP socket reopened on it`);
      else if (r.kind === 'failed') this.log.error(`Interface ${ifname} re-created: cannot open the VRRP socket on it: ${errorMessage(r.error)} (retried when it next comes up)`);
    });
  }

  /** keepalived netlink RTM_DELADDR: a VIP removed by someone else while we are MASTER. */
  private onLinkEvent(e: LinkEvent): void {
    if (e.type === 'link') {
      if (e.up) this.relink(e.ifname, e.ifindex);
      return;
    }
    if (e.type !== 'address-deleted') return;
    for (const r of this.registry.instances) {
      if (r.core.state !== 'MASTER' || r.machine === null || !r.resources.lostToOthers(e.address, e.ifname)) continue;
      // keepalived netlink_if_address_filter(): its line for an address removed from outside.
      this.log.info(`Netlink reflector reports IP ${e.address} removed from ${e.ifname}`);
      void r.machine.driver.post({ type: 'VipDeleted', address: e.address }, r.spec.name);
    }
  }
}
