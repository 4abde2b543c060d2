/**
 * The running instances: by key (what a reload matches on) and by name (what trackers,
 * notifications and logs use), each with its spec, pure core, executor, host resources and the
 * machine that drives it; and the running machines by identity. The one lookup for routing
 * adverts, tracker events, link events and dumps. It decides nothing.
 */
import type { AdvertSender } from './wire';
import type { VrrpInstance } from '../protocol/instance';
import type { ActionExecutor } from './executor';
import type { MachineDriver } from './driver';
import type { InstanceSpec, MachineSpec } from './plan';
import type { VirtualResources } from './virtual-resources';

export interface RunningMachine {
  readonly spec: MachineSpec;
  readonly driver: MachineDriver;
}

export interface RunningInstance {
  spec: InstanceSpec;
  readonly core: VrrpInstance;
  readonly executor: ActionExecutor;
  readonly resources: VirtualResources;
  readonly socket: AdvertSender;
  machine: RunningMachine | null;
  /** When (wall clock, µs) it last changed state, for the dumps. */
  lastTransitionWallUs: number;
}

export class Registry {
  private readonly byKey = new Map<string, RunningInstance>();
  private readonly byName = new Map<string, RunningInstance>();
  private readonly machines = new Map<string, RunningMachine>();

  add(r: RunningInstance): void {
    this.byKey.set(r.spec.key, r);
    this.byName.set(r.spec.name, r);
  }

  delete(key: string): void {
    const r = this.byKey.get(key);
    if (r === undefined) return;
    this.byKey.delete(key);
    if (this.byName.get(r.spec.name) === r) this.byName.delete(r.spec.name);
  }

  /** A reload gave a kept instance its new spec (its name may have changed). */
  respec(r: RunningInstance, spec: InstanceSpec): void {
    if (this.byName.get(r.spec.name) === r) this.byName.delete(r.spec.name);
    r.spec = spec;
    this.byName.set(spec.name, r);
  }

  byKeyOf(key: string): RunningInstance | undefined {
    return this.byKey.get(key);
  }

  named(name: string): RunningInstance | undefined {
    return this.byName.get(name);
  }

  get instances(): readonly RunningInstance[] {
    return [...this.byKey.values()];
  }

  addMachine(id: string, m: RunningMachine): void {
    this.machines.set(id, m);
  }

  machine(id: string): RunningMachine | undefined {
    return this.machines.get(id);
  }

  deleteMachine(id: string): void {
    this.machines.delete(id);
  }

  get runningMachines(): readonly RunningMachine[] {
    return [...this.machines.values()];
  }
}
