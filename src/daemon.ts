/**
 * The composition root: read and check the config (nothing is touched if it has errors), build
 * the adapters, one pure core + driver per vrrp_instance, one VRRP socket per interface
 * routing adverts by VRID, then run until SIGTERM/SIGINT: every MASTER sends one priority-0
 * advert and removes its VIPs, and the process exits 0. SIGKILL leaves VIPs in place (like
 * keepalived); the next start removes them before entering BACKUP.
 */
import * as fs from 'node:fs';
import type { Config, VrrpInstance as ConfigInstance } from './config/model';
import { VrrpInstance } from './protocol/instance';
import type { AddressManager, GarpSender, LinkWatcher, VrrpSocket, VrrpSocketFactory } from './io/ports';
import { ActionExecutor } from './runtime/executor';
import { InstanceDriver, monotonicClock } from './runtime/driver';
import { configuredSourceIp, toInstanceParams } from './runtime/params';
import type { Logger } from './runtime/logger';

export interface DaemonAdapters {
  readonly sockets: VrrpSocketFactory;
  readonly addresses: AddressManager;
  readonly garp: GarpSender;
  readonly links: LinkWatcher;
}

export interface DaemonOptions {
  /** keepalived -p / -r: written at start, removed at stop. */
  readonly pidFiles: readonly string[];
}

/** A running tsvrrpd: its drivers by instance name, and how to stop it. */
export class Daemon {
  private readonly drivers = new Map<string, InstanceDriver>();
  private readonly sockets: VrrpSocket[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly config: Config,
    private readonly adapters: DaemonAdapters,
    private readonly log: Logger,
    private readonly options: DaemonOptions,
  ) {}

  get instances(): ReadonlyMap<string, InstanceDriver> {
    return this.drivers;
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
    for (const [ifname, insts] of byInterface) await this.startInterface(ifname, insts);
  }

  private async startInterface(ifname: string, insts: readonly ConfigInstance[]): Promise<void> {
    const own = (await this.adapters.addresses.list(ifname)).map((a) => a.address);
    const primary = own[0] ?? null;
    const byVrid = new Map<number, InstanceDriver>();
    const socket = await this.adapters.sockets.open(ifname, {
      ownAddresses: [...own, ...insts.map(configuredSourceIp).filter((s): s is string => s !== null)],
    });
    this.sockets.push(socket);
    socket.onPacket((packet) => {
      const vrid = packet.payload[1];
      const driver = vrid === undefined ? undefined : byVrid.get(vrid);
      // keepalived vrrp_dispatcher_read(): adverts for unknown VRIDs are ignored.
      if (driver) void driver.post({ type: 'AdvertReceived', packet });
    });
    for (const inst of insts) {
      const source = configuredSourceIp(inst) ?? primary;
      if (source === null) {
        this.log.error(`(${inst.name}) interface ${ifname} has no IPv4 address to send from - skipping`);
        continue;
      }
      const params = toInstanceParams(inst, source, this.config.global.startupDelayUs);
      const core = new VrrpInstance(params, { unicast: params.unicastPeers.length > 0 });
      const executor = new ActionExecutor(inst, params, { socket, addresses: this.adapters.addresses, garp: this.adapters.garp, log: this.log });
      const driver = new InstanceDriver(core, executor, monotonicClock);
      this.drivers.set(inst.name, driver);
      byVrid.set(inst.vrid, driver);
      await driver.post({ type: 'Startup' });
    }
  }

  /** RFC 3768 §6.4.3 / keepalived vrrp_terminate_phase2(): MASTERs send priority 0, VIPs go. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(
        [...this.drivers.values()].map(async (d) => {
          d.stop();
          await d.post({ type: 'Shutdown' });
        }),
      );
      for (const s of this.sockets) s.close();
      this.adapters.links.close();
      for (const f of this.options.pidFiles) fs.rmSync(f, { force: true });
    })();
    return this.stopping;
  }
}
