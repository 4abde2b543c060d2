/**
 * The typed, validated configuration: what the rest of tsvrrpd reads. keepalived spelling ends
 * here: names follow keepalived's keywords, units are in the names, defaults are applied by
 * build.ts. Everything is readonly; the parser fills `Draft` versions of these shapes.
 */
import type { SourceLocation } from './diagnostics';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type IpFamily = 4 | 6;

/** A command line as keepalived splits it (quotes and escapes applied), plus who runs it. */
export interface ScriptCommand {
  /** The words: args[0] is the program or, for a shell command, the whole line. */
  readonly args: readonly string[];
  /** The configured text, for messages. */
  readonly text: string;
  readonly user: string | null;
  readonly group: string | null;
  readonly at: SourceLocation;
}

/** One `virtual_ipaddress` / `static_ipaddress` line (ip-address(8) syntax subset). */
export interface VirtualAddress {
  readonly address: string;
  readonly family: IpFamily;
  readonly prefixLength: number;
  readonly broadcast: string | null;
  readonly dev: string | null;
  readonly scope: string | null;
  readonly label: string | null;
  readonly peer: string | null;
  readonly noDad: boolean;
  readonly noPrefixRoute: boolean;
  readonly noTrack: boolean;
  readonly at: SourceLocation;
}

/** A `virtual_routes` / `static_routes` entry, kept as ip-route(8) words plus the parsed core. */
export interface RouteSpec {
  readonly words: readonly string[];
  readonly destination: string | null;
  readonly family: IpFamily | null;
  readonly via: string | null;
  readonly dev: string | null;
  readonly src: string | null;
  readonly table: string | null;
  readonly metric: number | null;
  readonly noTrack: boolean;
  readonly at: SourceLocation;
}

/** A `virtual_rules` / `static_rules` entry as ip-rule(8) words. */
export interface RuleSpec {
  readonly words: readonly string[];
  readonly from: string | null;
  readonly to: string | null;
  readonly table: string | null;
  readonly at: SourceLocation;
}

export interface UnicastPeer {
  readonly address: string;
  readonly minTtl: number | null;
  readonly maxTtl: number | null;
  readonly at: SourceLocation;
}

export interface TrackRef {
  readonly name: string;
  /** Per-instance override; null = the tracker's own weight. */
  readonly weight: number | null;
  readonly reverse: boolean;
  readonly at: SourceLocation;
}

export interface GarpSettings {
  readonly masterDelaySec: number;
  readonly masterRepeat: number;
  readonly masterRefreshSec: number;
  readonly masterRefreshRepeat: number;
  readonly lowerPrioDelaySec: number;
  readonly lowerPrioRepeat: number;
}

export interface Notifications {
  readonly master: ScriptCommand | null;
  readonly backup: ScriptCommand | null;
  readonly fault: ScriptCommand | null;
  readonly stop: ScriptCommand | null;
  readonly deleted: ScriptCommand | null;
  /** `notify_deleted` given without a script: report DELETED instead of FAULT. */
  readonly deletedReported: boolean;
  readonly generic: ScriptCommand | null;
  readonly masterRxLowerPri: ScriptCommand | null;
}

export type WantedState = 'MASTER' | 'BACKUP';

export interface VrrpInstance {
  readonly name: string;
  readonly at: SourceLocation;
  readonly state: WantedState;
  readonly interface: string | null;
  readonly vrid: number;
  /** Base priority 1..255 (255 = address owner). */
  readonly priority: number;
  readonly advertIntUs: number;
  readonly version: 2 | 3;
  readonly family: IpFamily;
  readonly auth: { readonly type: 'PASS' | 'AH'; readonly password: string } | null;
  readonly virtualIpaddress: readonly VirtualAddress[];
  readonly virtualIpaddressExcluded: readonly VirtualAddress[];
  readonly virtualRoutes: readonly RouteSpec[];
  readonly virtualRules: readonly RuleSpec[];
  readonly mcastSrcIp: string | null;
  readonly unicastSrcIp: string | null;
  readonly unicastPeers: readonly UnicastPeer[];
  readonly unicastTtl: number | null;
  readonly mcastDstIp: string | null;
  readonly nopreempt: boolean;
  readonly preemptDelayUs: number;
  readonly trackScripts: readonly TrackRef[];
  readonly trackInterfaces: readonly TrackRef[];
  readonly trackFiles: readonly TrackRef[];
  readonly dontTrackPrimary: boolean;
  readonly notify: Notifications;
  /** null = take the global default. */
  readonly smtpAlert: boolean | null;
  readonly garp: GarpSettings;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly strictMode: boolean;
  readonly checkUnicastSrc: boolean;
  readonly unicastFaultNoPeer: boolean;
  readonly downTimerAdverts: number;
  readonly promoteSecondaries: boolean;
  readonly accept: boolean;
  readonly useVmac: boolean;
  /** The sync group this instance belongs to, if any. */
  readonly syncGroup: string | null;
}

export interface VrrpScript {
  readonly name: string;
  readonly at: SourceLocation;
  readonly script: ScriptCommand;
  readonly intervalSec: number;
  readonly timeoutSec: number;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly initFail: boolean;
}

export interface TrackFile {
  readonly name: string;
  readonly at: SourceLocation;
  readonly file: string;
  readonly weight: number;
  readonly weightReverse: boolean;
  readonly initFile: { readonly value: number; readonly overwrite: boolean } | null;
}

export interface SyncGroup {
  readonly name: string;
  readonly at: SourceLocation;
  readonly members: readonly string[];
  readonly trackScripts: readonly TrackRef[];
  readonly trackInterfaces: readonly TrackRef[];
  readonly trackFiles: readonly TrackRef[];
  readonly notify: Omit<Notifications, 'deleted' | 'deletedReported' | 'masterRxLowerPri'>;
  readonly smtpAlert: boolean | null;
  readonly trackingWeight: boolean;
}

export interface NotifyFifo {
  readonly path: string;
  readonly user: string | null;
  readonly group: string | null;
}

export interface GlobalDefs {
  readonly routerId: string;
  readonly notificationEmail: readonly string[];
  readonly notificationEmailFrom: string | null;
  readonly smtpServer: { readonly host: string; readonly port: number } | null;
  readonly smtpHeloName: string | null;
  readonly smtpConnectTimeoutSec: number;
  readonly smtpAlert: boolean | null;
  readonly smtpAlertVrrp: boolean | null;
  readonly noEmailFaults: boolean;
  readonly enableScriptSecurity: boolean;
  readonly scriptUser: { readonly user: string; readonly group: string | null } | null;
  readonly vrrpVersion: 2 | 3;
  readonly vrrpMcastGroup4: string;
  readonly garp: GarpSettings;
  readonly garpIntervalUs: number;
  readonly gnaIntervalUs: number;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly strict: boolean;
  readonly checkUnicastSrc: boolean;
  readonly notifyFifo: NotifyFifo | null;
  readonly vrrpNotifyFifo: NotifyFifo | null;
  readonly startupDelayUs: number;
  readonly downTimerAdverts: number;
  readonly dynamicInterfaces: boolean;
}

/** A section tsvrrpd parses and checks but does not run (LVS, checkers, BFD...). */
export interface NotRunSection {
  readonly keyword: string;
  readonly at: SourceLocation;
}

export interface Config {
  readonly global: GlobalDefs;
  readonly instances: readonly VrrpInstance[];
  readonly scripts: readonly VrrpScript[];
  readonly trackFiles: readonly TrackFile[];
  readonly syncGroups: readonly SyncGroup[];
  readonly staticAddresses: readonly VirtualAddress[];
  readonly staticRoutes: readonly RouteSpec[];
  readonly staticRules: readonly RuleSpec[];
  readonly notRun: readonly NotRunSection[];
}
