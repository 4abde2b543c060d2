/**
 * The vocabulary of the pure VRRP core (shared/design/ARCHITECTURE.md §1): the parameters an
 * instance runs with, the events it is handed (past tense) and the actions it answers with
 * (imperative). Time is always an integer number of microseconds from a monotonic clock,
 * passed in by the caller. No I/O, no timers, no clock here: only data.
 */

/** keepalived's notify words; INIT before start-up, STOP after shutdown. */
export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/** RFC 3768 §5.3.6 (keepalived-compatible: 1 = PASS from RFC 2338). */
export type AuthType = 0 | 1 | 2;

/** A decoded VRRPv2 advertisement (RFC 3768 §5.1). */
export interface Advert {
  readonly version: number;
  readonly type: number;
  readonly vrid: number;
  readonly priority: number;
  readonly countIpAddrs: number;
  readonly authType: number;
  readonly adverIntSec: number;
  readonly checksum: number;
  /** IPv4 addresses in dotted-quad form, in packet order. */
  readonly addresses: readonly string[];
  /** The 8 authentication octets (RFC 3768 §5.3.10). */
  readonly authData: Uint8Array;
}

/** What the IP layer tells us about a received advert (keepalived vrrp_dispatcher_read()). */
export interface ReceivedPacket {
  /** The VRRP message (IP payload), possibly followed by Ethernet padding. */
  readonly payload: Uint8Array;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly ttl: number;
  /** IP total length from the header (keepalived checks it against the received length). */
  readonly ipTotalLength: number;
  readonly ipHeaderLength: number;
}

export interface GarpSchedule {
  /** Gratuitous ARPs per VIP in each burst on becoming MASTER (keepalived garp_master_repeat). */
  readonly masterRepeat: number;
  /** Delay of the second burst; 0 = none (garp_master_delay). */
  readonly masterDelayUs: number;
  /** Refresh period while MASTER; 0 = off (garp_master_refresh). */
  readonly masterRefreshUs: number;
  readonly masterRefreshRepeat: number;
  /** Burst when a MASTER hears a lower priority advert (garp_lower_prio_repeat). */
  readonly lowerPrioRepeat: number;
  readonly lowerPrioDelayUs: number;
}

/** Everything one instance needs, mapped from the config by the runtime. */
export interface InstanceParams {
  readonly name: string;
  readonly vrid: number;
  /** Configured priority 1..255; 255 = address owner (RFC 3768 §5.3.4). */
  readonly basePriority: number;
  /** RFC 3768 §5.3.7 Advertisement_Interval in µs (whole seconds for v2). */
  readonly advertIntUs: number;
  /** keepalived `state MASTER`: with priority 255, become MASTER at once on start-up. */
  readonly wantMaster: boolean;
  readonly auth: { readonly type: 'PASS'; readonly password: Uint8Array } | null;
  /** The VIPs that are advertised, in configured order (dotted quad). */
  readonly vips: readonly string[];
  /** This router's own source address (tie-break, RFC 3768 §6.4.3). */
  readonly sourceIp: string;
  readonly unicastPeers: readonly string[];
  readonly checkUnicastSrc: boolean;
  /** RFC 3768 §6.1 Preempt_Mode is the negation. */
  readonly nopreempt: boolean;
  readonly preemptDelayUs: number;
  readonly lowerPrioNoAdvert: boolean;
  readonly higherPrioSendAdvert: boolean;
  readonly skipCheckAdvAddr: boolean;
  readonly downTimerAdverts: number;
  readonly garp: GarpSchedule;
  /** keepalived vrrp_startup_delay: stay in INIT (adverts ignored) this long after Startup. */
  readonly startupDelayUs: number;
}

export type Event =
  | { readonly type: 'Startup' }
  | { readonly type: 'Shutdown' }
  | { readonly type: 'AdvertReceived'; readonly packet: ReceivedPacket }
  | { readonly type: 'DeadlineReached' }
  /** The trackers' contribution changed: effective = clamp(base + delta). */
  | { readonly type: 'PriorityChanged'; readonly trackerDelta: number }
  /** Any FAULT reason set or cleared (interface down, tracker failed, no source address...). */
  | { readonly type: 'FaultChanged'; readonly faulted: boolean; readonly reason: string }
  /** A VIP was deleted from outside while we hold it (keepalived netlink RTM_DELADDR). */
  | { readonly type: 'VipDeleted'; readonly address: string }
  /** A reload kept this instance with new parameters: state, timers and counters are kept. */
  | { readonly type: 'ConfigUpdated'; readonly params: InstanceParams }
  /** A reload removed this instance (keepalived clear_diff_vrrp()). */
  | { readonly type: 'Removed' };

export type LogLevel = 'info' | 'warn' | 'debug';

/** What a notification reports: a state, or keepalived's DELETED for an instance a reload removed. */
export type NotifyWord = VrrpState | 'DELETED';

export type Action =
  | { readonly type: 'SendAdvert'; readonly priority: number }
  | { readonly type: 'AddVips' }
  | { readonly type: 'RemoveVips' }
  /** `count` gratuitous ARPs for every VIP. */
  | { readonly type: 'SendGarp'; readonly count: number }
  | { readonly type: 'Notify'; readonly state: NotifyWord; readonly priority: number }
  /** Make the installed VIPs the configured ones; `garpCount` gratuitous ARPs for each added VIP. */
  | { readonly type: 'SyncVips'; readonly garpCount: number }
  | { readonly type: 'NotifyMasterRxLowerPri' }
  | { readonly type: 'Log'; readonly level: LogLevel; readonly message: string }
  | { readonly type: 'CountStat'; readonly counter: StatCounter };

/** keepalived's per-instance statistics (SIGUSR2 stats file), plus tsvrrpd's reasons. */
export const STAT_COUNTERS = [
  'advert_rcvd',
  'advert_sent',
  'became_master',
  'release_master',
  'packet_len_err',
  'ip_ttl_err',
  'invalid_type_rcvd',
  'advert_interval_err',
  'addr_list_err',
  'invalid_authtype',
  'authtype_mismatch',
  'auth_failure',
  'pri_zero_rcvd',
  'pri_zero_sent',
  'version_err',
  'checksum_err',
  'vrid_err',
  'mcast_unicast_mismatch',
  'unicast_src_err',
] as const;

export type StatCounter = (typeof STAT_COUNTERS)[number];

/** Why an advert was not used (keepalived vrrp_check_packet() order, reference B1). */
export type RejectReason =
  | 'too_short'
  | 'length_mismatch'
  | 'ttl'
  | 'version'
  | 'invalid_authtype'
  | 'authtype_mismatch'
  | 'auth_failure'
  | 'adver_int_mismatch'
  | 'type'
  | 'ip_total_length'
  | 'checksum'
  | 'vrid'
  | 'mcast_unicast_mismatch'
  | 'unicast_src';

/**
 * The result of validating a received advert against an instance. `KO` = rejected as bad,
 * `DROP` = ignored as irrelevant (keepalived VRRP_PACKET_KO / VRRP_PACKET_DROP); either way
 * the advert is not used. Accepted adverts may carry notes (VIP list mismatch: logged and
 * counted, still accepted, our decision per RFC 9568).
 */
export type Validation =
  | {
      readonly ok: true;
      readonly advert: Advert;
      readonly notes: readonly { readonly counter: StatCounter; readonly message: string }[];
    }
  | {
      readonly ok: false;
      readonly reason: RejectReason;
      readonly verdict: 'KO' | 'DROP';
      readonly counter: StatCounter | null;
      /** keepalived's log wording, for a rate-limited log line. */
      readonly message: string;
    };

/** The pure instance: hand it the time and one event, get the actions back. */
export interface VrrpCore {
  readonly state: VrrpState;
  /** Base priority adjusted by trackers, clamped to 1..254; an owner stays 255. */
  readonly effectivePriority: number;
  handle(event: Event, nowUs: number): readonly Action[];
  /** The next time (µs) the instance wants DeadlineReached, or null for none. */
  nextDeadlineUs(): number | null;
}
