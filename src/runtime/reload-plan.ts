/**
 * A reload as a difference of two plans (ARCHITECTURE §4 pattern 4; keepalived
 * clear_diff_vrrp()): instances are matched by their key (vrrp_exist(): VRID, family,
 * interface, unicast source or multicast destination), never by name. A matched instance is
 * kept, with its state, timers and counters, and told its new parameters; the others are added
 * or removed. Machines (sync groups, lone instances) whose members changed are rebuilt around
 * the running cores; the others keep their driver.
 *
 * PURE: two plans in, one ReloadPlan out.
 */
import type { InstanceSpec, MachineSpec, RuntimePlan } from './plan';
import { machineId } from './plan';

export interface KeptInstance {
  readonly before: InstanceSpec;
  readonly after: InstanceSpec;
  /** Addresses (address/prefix on ifname) added and removed from what a MASTER installs. */
  readonly addressesAdded: readonly string[];
  readonly addressesRemoved: readonly string[];
}

export interface ReloadPlan {
  readonly keep: readonly KeptInstance[];
  readonly add: readonly InstanceSpec[];
  readonly remove: readonly InstanceSpec[];
  /** Machines to stop (their driver) and to build, by machineId(). */
  readonly machinesStopped: readonly MachineSpec[];
  readonly machinesStarted: readonly MachineSpec[];
}

export function addressId(a: { readonly address: string; readonly prefixLength: number; readonly ifname: string }): string {
  return `${a.address}/${a.prefixLength} on ${a.ifname}`;
}

function addressDelta(before: InstanceSpec, after: InstanceSpec): { added: string[]; removed: string[] } {
  const a = before.addresses;
  const b = after.addresses;
  // The common case of a reload: the same addresses in the same order.
  if (a.length === b.length && a.every((x, i) => addressId(x) === addressId(b[i] as (typeof b)[number]))) return { added: [], removed: [] };
  const was = new Set(before.addresses.map(addressId));
  const now = new Set(after.addresses.map(addressId));
  return { added: [...now].filter((a) => !was.has(a)), removed: [...was].filter((a) => !now.has(a)) };
}

export function diffPlans(before: RuntimePlan, after: RuntimePlan): ReloadPlan {
  const old = new Map(before.instances.map((s) => [s.key, s]));
  const next = new Map(after.instances.map((s) => [s.key, s]));
  const keep: KeptInstance[] = [];
  const add: InstanceSpec[] = [];
  for (const spec of after.instances) {
    const was = old.get(spec.key);
    if (was === undefined) {
      add.push(spec);
      continue;
    }
    const d = addressDelta(was, spec);
    keep.push({ before: was, after: spec, addressesAdded: d.added, addressesRemoved: d.removed });
  }
  const remove = before.instances.filter((s) => !next.has(s.key));
  const oldMachines = new Set(before.machines.map(machineId));
  const newMachines = new Set(after.machines.map(machineId));
  return {
    keep,
    add,
    remove,
    machinesStopped: before.machines.filter((m) => !newMachines.has(machineId(m))),
    machinesStarted: after.machines.filter((m) => !oldMachines.has(machineId(m))),
  };
}

/** One line for the log: what the reload changed. */
export function describeReload(plan: ReloadPlan): string {
  const added = plan.keep.reduce((n, k) => n + k.addressesAdded.length, 0);
  const removed = plan.keep.reduce((n, k) => n + k.addressesRemoved.length, 0);
  const names = (list: readonly InstanceSpec[]): string => (list.length === 0 ? '' : ` (${list.map((s) => s.name).join(', ')})`);
  return (
    `Reload: ${plan.keep.length} instance${plan.keep.length === 1 ? '' : 's'} kept, ` +
    `${plan.add.length} added${names(plan.add)}, ${plan.remove.length} removed${names(plan.remove)}; ` +
    `VIPs ${added} added, ${removed} removed`
  );
}
