/**
 * What should run, from a checked Config and the facts of the host (ARCHITECTURE §5): one
 * InstanceSpec per runnable vrrp_instance, the machines that drive them (a sync group, or a
 * lone instance), and every instance that is not run with the reason. Start-up is a reload
 * from EMPTY_PLAN; reload-plan.ts diffs two plans.
 *
 * PURE: the host facts (addresses on each interface) are handed in. It must never open, read
 * or change anything.
 */
import type { Config, VirtualAddress, VrrpInstance as ConfigInstance } from '../config/model';
import type { InstanceParams } from '../protocol/types';
import type { AddressSpec } from '../io/ports';
import { configuredSourceIp, toInstanceParams } from './params';

export const VRRP_GROUP_V4 = '224.0.0.18';

/** One instance as it should run. */
export interface InstanceSpec {
  /**
   * keepalived vrrp_exist(): what identifies an instance across a reload (VRID, family,
   * interface, unicast or multicast destination, unicast source). Never the name.
   */
  readonly key: string;
  readonly name: string;
  readonly inst: ConfigInstance;
  readonly ifname: string;
  readonly params: InstanceParams;
  /** Where its adverts go: the multicast group, or each unicast peer. */
  readonly destinations: readonly string[];
  /** The VIPs and excluded VIPs it installs as MASTER, in configured order. */
  readonly addresses: readonly AddressSpec[];
  /** The VIPs announced with gratuitous ARP (IPv4 virtual_ipaddress). */
  readonly garpAddresses: readonly { readonly ifname: string; readonly address: string }[];
}

export type MachineSpec =
  | { readonly kind: 'lone'; readonly key: string }
  | { readonly kind: 'group'; readonly name: string; readonly keys: readonly string[] };

export interface SkippedInstance {
  readonly name: string;
  readonly message: string;
}

export interface RuntimePlan {
  readonly config: Config | null;
  readonly instances: readonly InstanceSpec[];
  readonly machines: readonly MachineSpec[];
  readonly skipped: readonly SkippedInstance[];
}

/** What the plan needs to know about the host. */
export interface HostAddresses {
  /** The IPv4 addresses on `ifname`, primary first (empty when none or unknown). */
  ownAddresses(ifname: string): readonly string[];
}

export const EMPTY_PLAN: RuntimePlan = { config: null, instances: [], machines: [], skipped: [] };

/** A machine's identity across a reload: lone key, or group name and member keys. */
export function machineId(m: MachineSpec): string {
  return m.kind === 'lone' ? `lone ${m.key}` : `group ${m.name} ${[...m.keys].sort().join(',')}`;
}

export function instanceKey(inst: ConfigInstance, ifname: string): string {
  const unicast = inst.unicastPeers.length > 0;
  const where = unicast ? `unicast from ${inst.unicastSrcIp ?? 'primary'}` : `multicast to ${inst.mcastDstIp ?? VRRP_GROUP_V4}`;
  return `vrid ${inst.vrid} ipv${inst.family} ${ifname} ${where}`;
}

function addressSpec(v: VirtualAddress, ifname: string): AddressSpec {
  return { address: v.address, prefixLength: v.prefixLength, ifname: v.dev ?? ifname, broadcast: v.broadcast, scope: v.scope, label: v.label };
}

function specFor(inst: ConfigInstance, ifname: string, sourceIp: string, startupDelayUs: number): InstanceSpec {
  const params = toInstanceParams(inst, sourceIp, startupDelayUs);
  const v4 = (list: readonly VirtualAddress[]): VirtualAddress[] => list.filter((v) => v.family === 4);
  return {
    key: instanceKey(inst, ifname),
    name: inst.name,
    inst,
    ifname,
    params,
    destinations: params.unicastPeers.length > 0 ? params.unicastPeers : [inst.mcastDstIp ?? VRRP_GROUP_V4],
    addresses: [...v4(inst.virtualIpaddress), ...v4(inst.virtualIpaddressExcluded)].map((v) => addressSpec(v, ifname)),
    garpAddresses: v4(inst.virtualIpaddress).map((v) => ({ ifname: v.dev ?? ifname, address: v.address })),
  };
}

/** Why an instance cannot run here, or null. */
function skipReason(inst: ConfigInstance, host: HostAddresses): string | null {
  if (inst.interface === null) return 'instances without an interface are not supported yet - skipping';
  if (inst.family !== 4) return 'only IPv4 (VRRPv2) instances are run - skipping';
  if (configuredSourceIp(inst) === null && host.ownAddresses(inst.interface).length === 0) {
    return `interface ${inst.interface} has no IPv4 address to send from - skipping`;
  }
  return null;
}

export function planRuntime(config: Config, host: HostAddresses): RuntimePlan {
  const instances: InstanceSpec[] = [];
  const skipped: SkippedInstance[] = [];
  const byName = new Map<string, InstanceSpec>();
  for (const inst of config.instances) {
    const why = skipReason(inst, host);
    if (why !== null || inst.interface === null) {
      skipped.push({ name: inst.name, message: `(${inst.name}) ${why ?? ''}` });
      continue;
    }
    const source = configuredSourceIp(inst) ?? (host.ownAddresses(inst.interface)[0] as string);
    const spec = specFor(inst, inst.interface, source, config.global.startupDelayUs);
    instances.push(spec);
    byName.set(spec.name, spec);
  }
  const machines: MachineSpec[] = [];
  const grouped = new Set<string>();
  for (const g of config.syncGroups) {
    const members = g.members.map((n) => byName.get(n));
    if (members.length === 0) continue;
    if (members.some((m) => m === undefined)) {
      skipped.push({ name: g.name, message: `VRRP_Group(${g.name}) has members that are not run - its instances run alone` });
      continue;
    }
    const specs = members as InstanceSpec[];
    for (const m of specs) grouped.add(m.name);
    machines.push({ kind: 'group', name: g.name, keys: specs.map((m) => m.key) });
  }
  for (const spec of instances) if (!grouped.has(spec.name)) machines.push({ kind: 'lone', key: spec.key });
  return { config, instances, machines, skipped };
}
