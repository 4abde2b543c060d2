/**
 * What the keyword handlers fill while parsing: mutable drafts of the model, with `null` where
 * keepalived distinguishes "not configured" from a value (priority, VRID, advert_int...), so
 * that build.ts can apply keepalived's defaults and fallbacks afterwards.
 */
import type { SourceLocation } from './diagnostics';
import type { LvsDraft } from './keywords/lvs-state';
import type {
  GarpSettings,
  GlobalDefs,
  Mutable,
  NotRunSection,
  Notifications,
  RouteSpec,
  RuleSpec,
  ScriptCommand,
  TrackRef,
  VirtualAddress,
  UnicastPeer,
  WantedState,
  IpFamily,
} from './model';

/** keepalived's GARP defaults (core/global_data.c set_vrrp_defaults(), include/vrrp.h). */
export const DEFAULT_GARP: GarpSettings = {
  masterDelaySec: 5,
  masterRepeat: 5,
  masterRefreshSec: 0,
  masterRefreshRepeat: 1,
  lowerPrioDelaySec: 5,
  lowerPrioRepeat: 5,
};

export interface GlobalDraft extends Mutable<Omit<GlobalDefs, 'routerId' | 'garp'>> {
  routerId: string | null;
  garp: Mutable<GarpSettings>;
  /** lower_prio values inherit the master ones unless set (keepalived vrrp_complete_init()). */
  garpLowerPrioDelaySet: boolean;
  garpLowerPrioRepeatSet: boolean;
  /** `vrrp_min_garp` replaces only values still at their default. */
  vrrpMinGarp: boolean;
  garpMasterDelaySet: boolean;
  garpMasterRepeatSet: boolean;
  garpMasterRefreshSet: boolean;
  lowerPrioNoAdvertSet: boolean;
  higherPrioSendAdvertSet: boolean;
  /** keepalived default_script_uid_set: the default script user has been decided. */
  defaultScriptUserSet: boolean;
  /** keepalived default_user_fail: script_user (or keepalived_script) failed; sticky. */
  scriptUserFailed: boolean;
  /** `default_interface` (keepalived's default is eth0, used for static addresses). */
  defaultInterface: string | null;
  /** `startup_script`/`shutdown_script`: not run, kept for keepalived's security check. */
  startupScript: ScriptCommand | null;
  shutdownScript: ScriptCommand | null;
}

export interface InstanceDraft {
  name: string;
  at: SourceLocation;
  state: WantedState | null;
  interface: string | null;
  interfaceAt: SourceLocation | null;
  vrid: number | null;
  priority: number | null;
  advertIntUs: number | null;
  advertIntAt: SourceLocation | null;
  version: 2 | 3 | null;
  family: IpFamily | null;
  auth: { type: 'PASS' | 'AH' | null; password: string | null; at: SourceLocation } | null;
  virtualIpaddress: VirtualAddress[];
  virtualIpaddressExcluded: VirtualAddress[];
  virtualRoutes: RouteSpec[];
  virtualRules: RuleSpec[];
  mcastSrcIp: string | null;
  unicastSrcIp: string | null;
  unicastConfigured: boolean;
  unicastPeers: UnicastPeer[];
  unicastTtl: number | null;
  mcastDstIp: string | null;
  nopreempt: boolean;
  nopreemptAt: SourceLocation | null;
  preemptDelayUs: number;
  preemptDelayAt: SourceLocation | null;
  trackScripts: TrackRef[];
  trackInterfaces: TrackRef[];
  trackFiles: TrackRef[];
  dontTrackPrimary: boolean;
  notify: Mutable<Notifications>;
  notifyExec: boolean;
  smtpAlert: boolean | null;
  garp: Mutable<GarpSettings>;
  /** keepalived PARAMETER_UNSET: lower-priority GARP values inherit (build.ts) unless set. */
  garpLowerPrioDelaySet: boolean;
  garpLowerPrioRepeatSet: boolean;
  lowerPrioNoAdvert: boolean | null;
  higherPrioSendAdvert: boolean | null;
  skipCheckAdvAddr: boolean | null;
  strictMode: boolean | null;
  checkUnicastSrc: boolean;
  unicastFaultNoPeer: boolean;
  downTimerAdverts: number | null;
  promoteSecondaries: boolean;
  accept: boolean | null;
  useVmac: boolean;
}

export interface ScriptDraft {
  name: string;
  at: SourceLocation;
  script: ScriptCommand | null;
  intervalSec: number;
  timeoutSec: number | null;
  weight: number;
  weightReverse: boolean;
  rise: number;
  fall: number;
  user: string | null;
  group: string | null;
  userSet: boolean;
  remove: boolean;
  initFail: boolean;
}

export interface TrackFileDraft {
  name: string;
  at: SourceLocation;
  file: string | null;
  weight: number;
  weightReverse: boolean;
  initFile: { value: number; overwrite: boolean } | null;
}

export interface SyncGroupDraft {
  name: string;
  at: SourceLocation;
  members: { name: string; at: SourceLocation }[] | null;
  trackScripts: TrackRef[];
  trackInterfaces: TrackRef[];
  trackFiles: TrackRef[];
  notify: Mutable<Omit<Notifications, 'deleted' | 'deletedReported' | 'masterRxLowerPri'>>;
  smtpAlert: boolean | null;
  trackingWeight: boolean;
}

export interface ConfigDraft {
  global: GlobalDraft;
  instances: InstanceDraft[];
  scripts: ScriptDraft[];
  trackFiles: TrackFileDraft[];
  syncGroups: SyncGroupDraft[];
  staticAddresses: VirtualAddress[];
  staticRoutes: RouteSpec[];
  staticRules: RuleSpec[];
  notRun: NotRunSection[];
  /** Every script configured anywhere (keepalived checks script security over all of them). */
  scriptCommands: ScriptCommand[];
  /** Interfaces named in the config that this host lacks (keepalived: exit 4). */
  missingInterfaces: { name: string; at: SourceLocation }[];
  /** LVS/checker/BFD parse state, for their post-parse checks (keywords/lvs-state.ts). */
  lvs?: LvsDraft;
}

export function emptyNotifications(): Mutable<Notifications> {
  return {
    master: null,
    backup: null,
    fault: null,
    stop: null,
    deleted: null,
    deletedReported: false,
    generic: null,
    masterRxLowerPri: null,
  };
}

export function newGlobalDraft(): GlobalDraft {
  return {
    routerId: null,
    notificationEmail: [],
    notificationEmailFrom: null,
    smtpServer: null,
    smtpHeloName: null,
    smtpConnectTimeoutSec: 30,
    smtpAlert: null,
    smtpAlertVrrp: null,
    noEmailFaults: false,
    enableScriptSecurity: false,
    scriptUser: null,
    vrrpVersion: 2,
    vrrpMcastGroup4: '224.0.0.18',
    garp: { ...DEFAULT_GARP },
    garpLowerPrioDelaySet: false,
    garpLowerPrioRepeatSet: false,
    garpMasterDelaySet: false,
    garpMasterRepeatSet: false,
    garpMasterRefreshSet: false,
    vrrpMinGarp: false,
    garpIntervalUs: 0,
    gnaIntervalUs: 0,
    lowerPrioNoAdvert: false,
    lowerPrioNoAdvertSet: false,
    higherPrioSendAdvert: false,
    higherPrioSendAdvertSet: false,
    skipCheckAdvAddr: false,
    strict: false,
    checkUnicastSrc: false,
    notifyFifo: null,
    vrrpNotifyFifo: null,
    startupDelayUs: 0,
    downTimerAdverts: 3,
    dynamicInterfaces: false,
    defaultScriptUserSet: false,
    scriptUserFailed: false,
    defaultInterface: null,
    startupScript: null,
    shutdownScript: null,
  };
}

export function newConfigDraft(): ConfigDraft {
  return {
    global: newGlobalDraft(),
    instances: [],
    scripts: [],
    trackFiles: [],
    syncGroups: [],
    staticAddresses: [],
    staticRoutes: [],
    staticRules: [],
    notRun: [],
    scriptCommands: [],
    missingInterfaces: [],
  };
}

/** keepalived vrrp_data.c alloc_vrrp(): an instance starts with the globals' GARP settings. */
export function newInstanceDraft(name: string, at: SourceLocation, global: GlobalDraft): InstanceDraft {
  return {
    name,
    at,
    state: null,
    interface: null,
    interfaceAt: null,
    vrid: null,
    priority: null,
    advertIntUs: null,
    advertIntAt: null,
    version: null,
    family: null,
    auth: null,
    virtualIpaddress: [],
    virtualIpaddressExcluded: [],
    virtualRoutes: [],
    virtualRules: [],
    mcastSrcIp: null,
    unicastSrcIp: null,
    unicastConfigured: false,
    unicastPeers: [],
    unicastTtl: null,
    mcastDstIp: null,
    nopreempt: false,
    nopreemptAt: null,
    preemptDelayUs: 0,
    preemptDelayAt: null,
    trackScripts: [],
    trackInterfaces: [],
    trackFiles: [],
    dontTrackPrimary: false,
    notify: emptyNotifications(),
    notifyExec: false,
    smtpAlert: null,
    garp: { ...global.garp },
    garpLowerPrioDelaySet: false,
    garpLowerPrioRepeatSet: false,
    lowerPrioNoAdvert: null,
    higherPrioSendAdvert: null,
    skipCheckAdvAddr: null,
    strictMode: null,
    checkUnicastSrc: false,
    unicastFaultNoPeer: false,
    downTimerAdverts: null,
    promoteSecondaries: false,
    accept: null,
    useVmac: false,
  };
}

/** A vrrp_script still in use: not removed by its block's end checks or by script security. */
export function usableScript(draft: ConfigDraft, name: string): boolean {
  const s = draft.scripts.find((x) => x.name === name);
  return s !== undefined && !s.remove && s.script !== null;
}
