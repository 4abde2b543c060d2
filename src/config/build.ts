/**
 * From the parse draft to the typed Config: keepalived's global defaults, script security,
 * sync-group membership, per-instance completion and the cross-instance checks (duplicate
 * VRIDs, non-existent interfaces), in keepalived's order. keepalived: vrrp.c
 * vrrp_complete_init(), check_vrrp_script_security(), check_vrid_conflicts();
 * vrrp_sync.c vrrp_sync_set_group(); vrrp_daemon.c start_vrrp().
 */
import type { DiagnosticSink } from './diagnostics';
import { usableScript, type ConfigDraft, type GlobalDraft } from './draft';
import type { HostFacts } from './host-facts';
import type { Config, GlobalDefs, SyncGroup, VrrpInstance, VrrpScript, TrackFile } from './model';
import { checkMinimalConfig, completeInstance } from './complete-instance';
import { checkScriptSecurity, checkStartStopScriptSecurity } from './script-security';
import { validateCheckConfig } from './keywords/lvs';

export function completeGlobals(g: GlobalDraft, host: HostFacts): GlobalDefs {
  const garp = { ...g.garp };
  if (g.vrrpMinGarp) {
    // keepalived vrrp_min_garp: only values still at their defaults are replaced.
    if (!g.garpMasterRepeatSet) garp.masterRepeat = 1;
    if (!g.garpMasterDelaySet) garp.masterDelaySec = 0;
    if (!g.garpMasterRefreshSet) garp.masterRefreshSec = 0;
  }
  // keepalived vrrp_complete_init(): lower-priority GARP values inherit the master ones.
  if (!g.garpLowerPrioRepeatSet) garp.lowerPrioRepeat = garp.masterRepeat;
  if (!g.garpLowerPrioDelaySet) garp.lowerPrioDelaySec = garp.masterDelaySec;
  return {
    routerId: g.routerId ?? host.hostname,
    notificationEmail: g.notificationEmail,
    notificationEmailFrom: g.notificationEmailFrom,
    smtpServer: g.smtpServer,
    smtpHeloName: g.smtpHeloName,
    smtpConnectTimeoutSec: g.smtpConnectTimeoutSec,
    smtpAlert: g.smtpAlert,
    smtpAlertVrrp: g.smtpAlertVrrp,
    noEmailFaults: g.noEmailFaults,
    enableScriptSecurity: g.enableScriptSecurity,
    scriptUser: g.scriptUser,
    vrrpVersion: g.vrrpVersion,
    vrrpMcastGroup4: g.vrrpMcastGroup4,
    garp,
    garpIntervalUs: g.garpIntervalUs,
    gnaIntervalUs: g.gnaIntervalUs,
    lowerPrioNoAdvert: g.lowerPrioNoAdvert,
    higherPrioSendAdvert: g.higherPrioSendAdvert,
    skipCheckAdvAddr: g.skipCheckAdvAddr,
    strict: g.strict,
    checkUnicastSrc: g.checkUnicastSrc,
    notifyFifo: g.notifyFifo,
    vrrpNotifyFifo: g.vrrpNotifyFifo,
    startupDelayUs: g.startupDelayUs,
    downTimerAdverts: g.downTimerAdverts,
    dynamicInterfaces: g.dynamicInterfaces,
  };
}

/** keepalived vrrp_sync_set_group(): resolve members; returns instance name -> group name. */
function resolveSyncGroups(draft: ConfigDraft, sink: DiagnosticSink): { groups: SyncGroup[]; memberOf: Map<string, string> } {
  const memberOf = new Map<string, string>();
  const groups: SyncGroup[] = [];
  for (const g of draft.syncGroups) {
    if (g.members === null) {
      sink.report('GENERAL_ERROR', 'CFG_SYNC_GROUP_EMPTY', `Sync group ${g.name} has no virtual router(s). removing`, g.at);
      continue;
    }
    const members: string[] = [];
    for (const m of g.members) {
      const inst = draft.instances.find((i) => i.name === m.name);
      if (!inst) {
        sink.report('GENERAL_ERROR', 'CFG_SYNC_MEMBER_UNKNOWN', `Virtual router ${m.name} specified in sync group ${g.name} doesn't exist - ignoring`, m.at);
        continue;
      }
      if (memberOf.has(m.name)) {
        sink.report('GENERAL_ERROR', 'CFG_SYNC_MEMBER_TWICE', `Virtual router ${m.name} cannot exist in more than one sync group; ignoring ${g.name}`, m.at);
        continue;
      }
      members.push(m.name);
    }
    if (members.length === 0) {
      sink.report('GENERAL_ERROR', 'CFG_SYNC_NO_MATCH', `Sync group ${g.name}, no matching virtual router found in group declaration - removing`, g.at);
      continue;
    }
    // keepalived vrrp_sync_set_group(): the group state follows the configured (not derived)
    // state and priority of each member in order; an owner member followed by a BACKUP one warns.
    let groupState: 'INIT' | 'MASTER' | 'BACKUP' = 'INIT';
    for (const n of members) {
      const inst = draft.instances.find((i) => i.name === n);
      if (!inst) continue;
      if (groupState === 'MASTER' && inst.state === 'BACKUP') {
        sink.report('GENERAL_ERROR', 'CFG_SYNC_MIXED_OWNERS', `Sync group ${g.name} has some member(s) as address owner and some not as address owner. This won't work.`, g.at);
      }
      if (groupState !== 'BACKUP') groupState = inst.state === 'MASTER' && inst.priority === 255 ? 'MASTER' : 'BACKUP';
    }
    if (members.length === 1) {
      sink.report('GENERAL_ERROR', 'CFG_SYNC_SINGLE', `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`, g.at);
    }
    for (const n of members) memberOf.set(n, g.name);
    groups.push({
      name: g.name,
      at: g.at,
      members,
      trackScripts: g.trackScripts.filter((t) => usableScript(draft, t.name)),
      trackInterfaces: g.trackInterfaces,
      trackFiles: g.trackFiles,
      notify: g.notify,
      smtpAlert: g.smtpAlert,
      trackingWeight: g.trackingWeight,
    });
  }
  return { groups, memberOf };
}

/** keepalived check_vrid_conflicts(): one VRID per interface, family and multicast group. */
function checkVridConflicts(instances: readonly VrrpInstance[], sink: DiagnosticSink): void {
  // Only instances with the same VRID and family can conflict: compare within those buckets
  // (1 000 instances were half a million pairs).
  const buckets = new Map<number, VrrpInstance[]>();
  for (const inst of instances) {
    const key = inst.vrid * 16 + inst.family;
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [inst]);
    else bucket.push(inst);
  }
  // In file order of a, then of b, as keepalived reports them: a is its bucket's next entry.
  const next = new Map<number, number>();
  for (const a of instances) {
    const key = a.vrid * 16 + a.family;
    const bucket = buckets.get(key) as VrrpInstance[];
    const i = next.get(key) ?? 0;
    next.set(key, i + 1);
    for (let j = i + 1; j < bucket.length; j++) checkVridPair(a, bucket[j] as VrrpInstance, sink);
  }
}

function checkVridPair(a: VrrpInstance, b: VrrpInstance, sink: DiagnosticSink): void {
  const aUni = a.unicastPeers.length > 0;
  const bUni = b.unicastPeers.length > 0;
  if (aUni || bUni) {
    if (!aUni || !bUni || a.interface !== b.interface) return;
    const shared = a.unicastPeers.some((p) => b.unicastPeers.some((q) => q.address === p.address));
    if (shared) sink.report('GENERAL_ERROR', 'CFG_DUPLICATE_VRID', `(${a.name}) duplicate VRID conflict with ${b.name} VRID ${b.vrid}`, b.at);
    return;
  }
  if (a.interface === null || a.interface !== b.interface || a.mcastDstIp !== b.mcastDstIp) return;
  sink.report('GENERAL_ERROR', 'CFG_DUPLICATE_VRID', `${a.name} and ${b.name} both use VRID ${b.vrid} with IPv${b.family} on interface ${b.interface}`, b.at);
}

function buildScripts(draft: ConfigDraft): VrrpScript[] {
  return draft.scripts.flatMap((s) =>
    s.remove || s.script === null
      ? []
      : [{
          name: s.name,
          at: s.at,
          script: s.script,
          intervalSec: s.intervalSec,
          timeoutSec: s.timeoutSec ?? s.intervalSec,
          weight: s.weight,
          weightReverse: s.weightReverse,
          rise: s.rise,
          fall: s.fall,
          initFail: s.initFail,
        }],
  );
}

function buildTrackFiles(draft: ConfigDraft): TrackFile[] {
  return draft.trackFiles.flatMap((f) =>
    f.file === null ? [] : [{ name: f.name, at: f.at, file: f.file, weight: f.weight, weightReverse: f.weightReverse, initFile: f.initFile }],
  );
}

export function buildConfig(draft: ConfigDraft, sink: DiagnosticSink, host: HostFacts): Config {
  const global = completeGlobals(draft.global, host);
  const base: Omit<Config, 'instances' | 'syncGroups' | 'scripts'> = {
    global,
    trackFiles: buildTrackFiles(draft),
    staticAddresses: draft.staticAddresses,
    staticRoutes: draft.staticRoutes,
    staticRules: draft.staticRules,
    notRun: draft.notRun,
  };
  const instances: VrrpInstance[] = [];
  checkStartStopScriptSecurity(draft, host, sink);
  // keepalived validate_config(): the checker configuration is validated before the VRRP one.
  validateCheckConfig(draft, sink, host);
  // keepalived start_vrrp(): a missing interface stops the VRRP set-up right after parsing.
  const missing = draft.missingInterfaces[0];
  if (missing) {
    sink.report('BAD_IF', 'CFG_NON_EXISTENT_INTERFACE', 'Non-existent interface specified in configuration', missing.at);
    return { ...base, scripts: buildScripts(draft), instances, syncGroups: [] };
  }
  if (draft.instances.length > 0) checkScriptSecurity(draft, host, sink);
  for (const inst of draft.instances) {
    if (!checkMinimalConfig(inst, sink)) return { ...base, scripts: buildScripts(draft), instances, syncGroups: [] };
  }
  const { groups, memberOf } = resolveSyncGroups(draft, sink);
  for (const inst of draft.instances) {
    const done = completeInstance(inst, draft, global, memberOf.get(inst.name) ?? null, sink);
    if (done === null) return { ...base, scripts: buildScripts(draft), instances, syncGroups: groups };
    instances.push(done);
  }
  checkVridConflicts(instances, sink);
  return { ...base, scripts: buildScripts(draft), instances, syncGroups: groups };
}
