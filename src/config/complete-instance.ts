/**
 * keepalived's per-instance completion rules, applied after parsing: defaults derived from
 * other settings (priority from state, version from family), incompatible combinations
 * cleared with keepalived's messages, and the VRRPv2 advert_int rounding. These messages have
 * no line in keepalived; tsvrrpd points each at the keyword (or instance) it is about.
 * keepalived: vrrp.c vrrp_complete_instance(), chk_min_cfg().
 */
import type { DiagnosticSink, SourceLocation } from './diagnostics';
import { usableScript, type ConfigDraft, type InstanceDraft } from './draft';
import type { GarpSettings, GlobalDefs, Mutable, TrackRef, VrrpInstance } from './model';

import { US_PER_SEC } from './values';

/** RFC 3768 §5.3.4: default priority of a backup. */
export const VRRP_PRIO_DFL = 100;
/** RFC 3768 §5.3.4: the address owner's priority. */
export const VRRP_PRIO_OWNER = 255;
/** RFC 3768 §5.3.7: default Advertisement_Interval, 1 s. */
export const VRRP_ADVER_DFL_US = 1_000_000;
/** RFC 3768 §6.1: Master_Down_Interval is 3 × Advertisement_Interval + Skew_Time. */
export const VRRP_DOWN_TIMER_ADVERTS = 3;

/** keepalived chk_min_cfg(): false stops keepalived's whole VRRP set-up. */
export function checkMinimalConfig(inst: InstanceDraft, sink: DiagnosticSink): boolean {
  if (inst.vrid === null) {
    sink.report('GENERAL_ERROR', 'CFG_VRID_MISSING', `(${inst.name}) the virtual router id must be set`, inst.at);
    return false;
  }
  // keepalived sets its unicast flag only later, so an instance without interface fails here.
  if (inst.interface === null) {
    sink.report('GENERAL_ERROR', 'CFG_UNKNOWN_INTERFACE', `(${inst.name}) Unknown interface!`, inst.interfaceAt ?? inst.at);
    return false;
  }
  return true;
}

function fmtSeconds(us: number, places: number): string {
  return (us / US_PER_SEC).toFixed(places);
}

/** keepalived: weighted trackers are dropped for owners and for sync-group members. */
function dropWeightedTrackers(inst: InstanceDraft, draft: ConfigDraft, inSyncWithoutWeights: boolean, sink: DiagnosticSink): void {
  const reason = inSyncWithoutWeights ? 'SYNC group' : 'address owner';
  inst.trackInterfaces = inst.trackInterfaces.flatMap((t): TrackRef[] => {
    if (!t.weight) return [t];
    sink.report('GENERAL_ERROR', 'CFG_TRACK_IF_WEIGHT_IGNORED', `(${inst.name}) ignoring ${t.name} tracked interface ${inSyncWithoutWeights ? 'weight ' : ''}due to ${reason}`, t.at);
    return inSyncWithoutWeights ? [{ ...t, weight: 0 }] : [];
  });
  inst.trackScripts = inst.trackScripts.filter((t) => {
    const weight = t.weight ?? draft.scripts.find((s) => s.name === t.name)?.weight ?? 0;
    if (!weight) return true;
    sink.report('GENERAL_ERROR', 'CFG_TRACK_SCRIPT_WEIGHT_IGNORED', `(${inst.name}) ignoring tracked script ${t.name} with weights due to ${inSyncWithoutWeights ? 'SYNC group' : 'address_owner'}`, t.at);
    return false;
  });
  // keepalived: the default weight (1) becomes unweighted; any other weight drops the file.
  const why = inSyncWithoutWeights ? 'SYNC group' : 'address_owner';
  inst.trackFiles = inst.trackFiles.flatMap((t): TrackRef[] => {
    const weight = t.weight ?? draft.trackFiles.find((f) => f.name === t.name)?.weight ?? 1;
    if (weight === 0) return [t];
    if (weight === 1) {
      sink.report('GENERAL_ERROR', 'CFG_TRACK_FILE_WEIGHT_IGNORED', `(${inst.name}) ignoring weight from tracked file ${t.name} due to ${why}. specify weight 0`, t.at);
      return [{ ...t, weight: 0 }];
    }
    sink.report('GENERAL_ERROR', 'CFG_TRACK_FILE_WEIGHT_IGNORED', `(${inst.name}) ignoring tracked file ${t.name} with weight ${weight} due to ${why}`, t.at);
    return [];
  });
}

/** keepalived vrrp_complete_instance(); null when keepalived would stop its set-up here. */
export function completeInstance(
  inst: InstanceDraft,
  draft: ConfigDraft,
  global: GlobalDefs,
  syncGroup: string | null,
  sink: DiagnosticSink,
): VrrpInstance | null {
  const g = draft.global;
  const err = (code: string, msg: string, at: SourceLocation = inst.at): void => sink.report('GENERAL_ERROR', code, msg, at);
  const strict = inst.strictMode ?? g.strict;
  const family = inst.family ?? 4;
  let version: 2 | 3 = inst.version ?? (family === 6 ? 3 : g.vrrpVersion);
  if (family === 6 && version === 2) {
    if (strict) err('CFG_V6_V2', `(${inst.name}) cannot use IPv6 with VRRP version 2; setting version 3`);
    version = 3;
  }
  if (inst.virtualIpaddress.length === 0) {
    if (version === 3 || strict) {
      err('CFG_NO_VIP', `(${inst.name}) No VIP specified; at least one is required`);
      return null;
    }
    err('CFG_NO_VIP', `(${inst.name}) No VIP specified; at least one is sensible`);
  }
  const priority = inst.priority ?? (inst.state === 'MASTER' ? VRRP_PRIO_OWNER : VRRP_PRIO_DFL);
  let state = inst.state ?? (priority === VRRP_PRIO_OWNER ? 'MASTER' : 'BACKUP');
  if (inst.state !== null && strict && (state === 'MASTER') !== (priority === VRRP_PRIO_OWNER)) {
    err('CFG_STRICT_STATE', `(${inst.name}) State MASTER must match being address owner`);
    state = priority === VRRP_PRIO_OWNER ? 'MASTER' : 'BACKUP';
  }
  let auth = inst.auth !== null && inst.auth.type !== null ? { type: inst.auth.type, password: inst.auth.password ?? '' } : null;
  const authAt = inst.auth?.at ?? inst.at;
  if (auth !== null) {
    if (strict) err('CFG_STRICT_AUTH', `(${inst.name}) Strict mode does not support authentication. Ignoring.`, authAt);
    else if (version === 3) err('CFG_V3_AUTH', `(${inst.name}) VRRP version 3 does not support authentication. Ignoring.`, authAt);
    else if (auth.password === '') err('CFG_AUTH_NO_PASS', `(${inst.name}) Authentication specified but no password given. Ignoring`, authAt);
    else if (family === 6 && auth.type === 'AH') err('CFG_AH_V6', `(${inst.name}) Cannot use AH authentication with IPv6. ignoring`, authAt);
    if (strict || version === 3 || auth.password === '' || (family === 6 && auth.type === 'AH')) auth = null;
    else if (auth.type === 'AH' && state === 'MASTER' && priority !== VRRP_PRIO_OWNER) {
      err('CFG_AH_MASTER', `(${inst.name}) Initial state master is incompatible with AH authentication - clearing`, authAt);
      state = 'BACKUP';
    }
  }
  const unicast = inst.unicastPeers.length > 0;
  // keepalived 2.2.7 refuses unicast peers in strict mode only when its unicast flag is set,
  // which vrrp_complete_instance() does later: the rule never fires on a first read, so
  // keepalived -t accepts strict + unicast and so do we.
  if (inst.interface === null) {
    if (inst.unicastSrcIp === null && inst.mcastSrcIp === null) {
      err('CFG_UNICAST_NO_SRC', `(${inst.name}): Unicast instances must have unicast_src_ip or interface`);
      return null;
    }
  }
  if (inst.unicastConfigured && !unicast && !inst.unicastFaultNoPeer) {
    sink.report('DEPRECATED', 'CFG_UNICAST_NO_PEERS', `(${inst.name}) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.`, inst.at);
  }
  let nopreempt = inst.nopreempt;
  if (priority === VRRP_PRIO_OWNER && nopreempt) {
    err('CFG_NOPREEMPT_OWNER', `(${inst.name}) nopreempt is incompatible with priority 255. resetting nopreempt`, inst.nopreemptAt ?? inst.at);
    nopreempt = false;
  }
  let preemptDelayUs = inst.preemptDelayUs;
  if (state === 'MASTER') {
    if (nopreempt) {
      err('CFG_NOPREEMPT_MASTER', `(${inst.name}) Warning - nopreempt will not work with initial state MASTER - clearing`, inst.nopreemptAt ?? inst.at);
      nopreempt = false;
    }
    if (preemptDelayUs) {
      err('CFG_PREEMPT_DELAY_MASTER', `(${inst.name}) Warning - preempt delay will not work with initial state MASTER - clearing`, inst.preemptDelayAt ?? inst.at);
      preemptDelayUs = 0;
    }
  }
  if (preemptDelayUs) {
    if (strict) {
      err('CFG_PREEMPT_DELAY_STRICT', `(${inst.name}) preempt_delay is incompatible with strict mode - resetting`, inst.preemptDelayAt ?? inst.at);
      preemptDelayUs = 0;
    }
    if (nopreempt) {
      err('CFG_PREEMPT_DELAY_NOPREEMPT', `(${inst.name}) preempt_delay is incompatible with nopreempt mode - resetting`, inst.preemptDelayAt ?? inst.at);
      preemptDelayUs = 0;
    }
  }
  let downTimerAdverts = inst.downTimerAdverts ?? VRRP_DOWN_TIMER_ADVERTS;
  if (downTimerAdverts !== VRRP_DOWN_TIMER_ADVERTS && strict) {
    err('CFG_DOWN_TIMER_STRICT', `(${inst.name}) down_timer_adverts is incompatible with strict mode - resetting`);
    downTimerAdverts = VRRP_DOWN_TIMER_ADVERTS;
  }
  let accept = inst.accept ?? (priority === VRRP_PRIO_OWNER ? true : !strict);
  if (accept && priority !== VRRP_PRIO_OWNER && strict && version === 2) {
    err('CFG_ACCEPT_V2', `(${inst.name}) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting`);
    accept = false;
  }
  let mcastDstIp = inst.mcastDstIp;
  if (unicast && mcastDstIp !== null) {
    err('CFG_MCAST_DST_UNICAST', `(${inst.name}) multicast destination specified with unicast - ignoring`);
    mcastDstIp = null;
  }
  const garp: Mutable<GarpSettings> = {
    ...inst.garp,
    // keepalived vrrp_complete_init(): unset values come from the completed globals.
    lowerPrioRepeat: inst.garpLowerPrioRepeatSet ? inst.garp.lowerPrioRepeat : strict ? 0 : global.garp.lowerPrioRepeat,
    lowerPrioDelaySec: inst.garpLowerPrioDelaySet ? inst.garp.lowerPrioDelaySec : strict ? 0 : global.garp.lowerPrioDelaySec,
  };
  if (strict && inst.garpLowerPrioRepeatSet && garp.lowerPrioRepeat) {
    err('CFG_STRICT_GARP', `(${inst.name}) Strict mode requires no repeat garps. resetting`);
    garp.lowerPrioRepeat = 0;
  }
  if (strict && inst.garpLowerPrioDelaySet && garp.lowerPrioDelaySec) {
    err('CFG_STRICT_GARP_DELAY', `(${inst.name}) Strict mode requires no repeat garp delay. resetting`);
    garp.lowerPrioDelaySec = 0;
  }
  let lowerPrioNoAdvert = inst.lowerPrioNoAdvert ?? (strict ? true : g.lowerPrioNoAdvert);
  if (strict && inst.lowerPrioNoAdvert === false) {
    err('CFG_STRICT_LOWER_PRIO', `(${inst.name}) Strict mode requires no lower priority advert. resetting`);
    lowerPrioNoAdvert = true;
  }
  let higherPrioSendAdvert = inst.higherPrioSendAdvert ?? (strict ? false : g.higherPrioSendAdvert);
  if (strict && inst.higherPrioSendAdvert === true) {
    err('CFG_STRICT_HIGHER_PRIO', `(${inst.name}) strict mode requires higher_prio_send_advert to be clear. resetting`);
    higherPrioSendAdvert = false;
  }
  const smtpAlert = inst.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false;
  let advertIntUs = inst.advertIntUs ?? VRRP_ADVER_DFL_US;
  const advAt = inst.advertIntAt ?? inst.at;
  if (version === 2) {
    // RFC 3768 §5.3.7: whole seconds. keepalived rounds half up, with this message.
    if (advertIntUs >= 256 * US_PER_SEC) {
      err('CFG_ADVERT_RANGE', `(${inst.name}) VRRPv2 advertisement interval ${fmtSeconds(advertIntUs, 2)}s is out of range. Must be less than 256s. Setting to 255s`, advAt);
      advertIntUs = 255 * US_PER_SEC;
    } else if (advertIntUs % US_PER_SEC !== 0) {
      err('CFG_ADVERT_ROUNDED', `(${inst.name}) VRRPv2 advertisement interval ${fmtSeconds(advertIntUs, 6)}s must be an integer. rounding`, advAt);
      advertIntUs = Math.max(US_PER_SEC, Math.floor((advertIntUs + US_PER_SEC / 2) / US_PER_SEC) * US_PER_SEC);
    }
  } else if (advertIntUs >= 4096 * 10_000) {
    err('CFG_ADVERT_RANGE', `(${inst.name}) VRRPv3 advertisement interval ${fmtSeconds(advertIntUs, 2)}s is out of range. Must be less than 40.96s. Setting to 40.95s`, advAt);
    advertIntUs = 4095 * 10_000;
  } else if (advertIntUs % 10_000 !== 0) {
    err('CFG_ADVERT_ROUNDED', `(${inst.name}) VRRPv3 advertisement interval ${fmtSeconds(advertIntUs, 6)}s must be in units of 10ms - rounding`, advAt);
    advertIntUs = Math.max(10_000, Math.floor((advertIntUs + 5_000) / 10_000) * 10_000);
  }
  if (inst.interface !== null) {
    // keepalived: tracking the instance's own interface is refused (it is tracked anyway).
    inst.trackInterfaces = inst.trackInterfaces.filter((t) => {
      if (t.name !== inst.interface) return true;
      err('CFG_TRACK_OWN_INTERFACE', `(${inst.name}) Ignoring track_interface ${t.name} since own interface`, t.at);
      return false;
    });
  }
  if (inst.virtualIpaddress.length === 0) {
    sink.report('WARNING', 'CFG_NO_VIP', `(${inst.name}) No VIP specified; at least one is sensible`, inst.at);
  }
  const group = syncGroup !== null ? draft.syncGroups.find((s) => s.name === syncGroup) : undefined;
  const inSyncWithoutWeights = group !== undefined && !group.trackingWeight;
  if (inSyncWithoutWeights || priority === VRRP_PRIO_OWNER) dropWeightedTrackers(inst, draft, inSyncWithoutWeights, sink);
  return {
    name: inst.name,
    at: inst.at,
    state,
    interface: inst.interface,
    vrid: inst.vrid ?? 0,
    priority,
    advertIntUs,
    version,
    family,
    auth,
    virtualIpaddress: inst.virtualIpaddress,
    virtualIpaddressExcluded: inst.virtualIpaddressExcluded,
    virtualRoutes: inst.virtualRoutes,
    virtualRules: inst.virtualRules,
    mcastSrcIp: inst.mcastSrcIp,
    unicastSrcIp: inst.unicastSrcIp,
    unicastPeers: inst.unicastPeers,
    unicastTtl: unicast ? (inst.unicastTtl ?? 255) : null,
    mcastDstIp: unicast ? null : (mcastDstIp ?? (family === 4 ? g.vrrpMcastGroup4 : 'ff02::12')),
    nopreempt,
    preemptDelayUs,
    trackScripts: inst.trackScripts.filter((t) => usableScript(draft, t.name)),
    trackInterfaces: inst.trackInterfaces,
    trackFiles: inst.trackFiles,
    dontTrackPrimary: inst.dontTrackPrimary,
    notify: inst.notify,
    smtpAlert,
    garp,
    lowerPrioNoAdvert,
    higherPrioSendAdvert,
    skipCheckAdvAddr: inst.skipCheckAdvAddr ?? g.skipCheckAdvAddr,
    strictMode: strict,
    checkUnicastSrc: inst.checkUnicastSrc || g.checkUnicastSrc,
    unicastFaultNoPeer: inst.unicastFaultNoPeer,
    downTimerAdverts,
    promoteSecondaries: inst.promoteSecondaries,
    accept,
    useVmac: inst.useVmac,
    syncGroup,
  };
}
