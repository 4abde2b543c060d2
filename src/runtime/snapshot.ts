/**
 * One StatusSnapshot (runtime/status.ts) of what runs: each running instance's core (state,
 * priorities, master heard, next deadline), its counters, its socket, its trackers, the sync
 * groups, the vrrp_scripts and track files, plus the host facts read for the dump. The dumps
 * (data, stats, JSON) and, later, metrics and the control socket render the same snapshot.
 * It reads; it never changes anything.
 */
import type { Config } from '../config/model';
import { STAT_COUNTERS, type StatCounter, type VrrpState } from '../protocol/types';
import type { HostStatus } from '../io/host-status';
import type { Runtime } from './runtime';
import type { InstanceStatus, StatusSnapshot, SyncGroupStatus } from './status';
import { SyncGroupMachine } from './machines';


export interface SnapshotTimes {
  /** Wall clock and the monotonic clock the cores run on, read together. */
  readonly nowWallUs: number;
  readonly nowMonoUs: number;
}

export function snapshotOf(runtime: Runtime, config: Config, host: HostStatus, times: SnapshotTimes, pid: number): StatusSnapshot {
  const toWall = (monoUs: number): number => times.nowWallUs + (monoUs - times.nowMonoUs);
  const instances: InstanceStatus[] = runtime.registry.instances.map((r) => {
    const stats = Object.fromEntries(STAT_COUNTERS.map((c) => [c, r.executor.stats.get(c) ?? 0])) as Record<StatCounter, number>;
    const deadline = r.core.nextDeadlineUs();
    const fd = r.socket.descriptor();
    return {
      name: r.spec.name,
      state: r.core.state,
      effectivePriority: r.core.effectivePriority,
      totalPriority: r.core.totalPriority,
      lastTransitionWallUs: r.lastTransitionWallUs,
      readTimeoutWallUs: deadline === null ? null : toWall(deadline),
      masterRouterIp: r.core.masterRouter.ip,
      masterPriority: r.core.masterRouter.priority,
      sourceIp: r.spec.params.sourceIp,
      trackerFaults: runtime.faultCount(r.spec.name),
      socketFds: fd === null ? null : { in: fd, out: fd },
      stats,
    };
  });
  const syncGroups: SyncGroupStatus[] = [];
  for (const m of runtime.registry.runningMachines) {
    if (m.spec.kind === 'group' && m.driver.machine instanceof SyncGroupMachine) syncGroups.push({ name: m.spec.name, state: m.driver.machine.group.state as VrrpState });
  }
  return {
    config,
    instances,
    syncGroups,
    scripts: runtime.scriptReports().map((s) => ({ name: s.name, result: s.report?.result ?? 0, initState: s.report?.initState ?? 'INIT', run: s.report?.run ?? 'idle' })),
    trackFiles: runtime.fileValues().map((f) => ({ ...f, path: host.trackFilePaths.get(f.name) ?? null })),
    interfaces: host.interfaces,
    scriptExec: host.scriptExec,
    fifoOwners: host.fifoOwners,
    defaultScriptIds: host.defaultScriptIds,
    localName: host.localName,
    utcOffsetSec: host.utcOffsetSec,
    nowWallUs: times.nowWallUs,
    pid,
  };
}
