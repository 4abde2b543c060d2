/**
 * What the LVS/checker/BFD tables remember while parsing, so that keepalived's checker-process
 * rules that need more than one line (real server vs virtual server families, the
 * post-parse validate_check_config() pass, BFD_CHECK and FILE_CHECK look-ups) can be
 * reproduced. Nothing here is run: tsvrrpd only checks these sections. Plain data, no I/O.
 */
import type { SourceLocation } from '../diagnostics';
import type { ConfigDraft } from '../draft';
import type { Sockaddr } from './lvs-net';

/** keepalived IPVS_SVC_PERSISTENT_TIMEOUT (seconds). */
export const IPVS_SVC_PERSISTENT_TIMEOUT = 360;

export type Forwarding = 'NAT' | 'DR' | 'TUN';
export type ServiceType = 'tcp' | 'udp' | 'sctp';

/** A check script (MISC_CHECK misc_path, notify_up/down, quorum_up/down) for script security. */
export interface CheckScript {
  readonly args: readonly string[];
  /** null: keepalived's default script user (global script_user or keepalived_script). */
  readonly user: string | null;
  readonly group: string | null;
  readonly at: SourceLocation;
}

export interface SorryServerDraft {
  addr: Sockaddr;
  forwarding: Forwarding | null;
  inhibit: boolean;
}

export interface RealServerDraft {
  readonly at: SourceLocation;
  addr: Sockaddr;
  forwarding: Forwarding | null;
  /** null: not set, the virtual server's weight applies (keepalived INT64_MAX). */
  weight: number | null;
  /** null: not set, the virtual server's inhibit_on_failure applies (keepalived -1). */
  inhibit: boolean | null;
  notifyUp: CheckScript | null;
  notifyDown: CheckScript | null;
  /** Misc scripts of MISC_CHECKs that survived their block. */
  readonly miscScripts: CheckScript[];
  /** BFD names this real server's BFD_CHECKs monitor. */
  readonly trackedBfds: string[];
}

export interface VirtualServerDraft {
  readonly at: SourceLocation;
  readonly vsgName: string | null;
  readonly fwmark: number;
  /** The virtual address; null for fwmark and group virtual servers. */
  readonly addr: Sockaddr | null;
  af: 0 | 4 | 6;
  serviceType: ServiceType | null;
  sched: string;
  ops: boolean;
  forwarding: Forwarding | null;
  persistenceTimeout: number;
  haSuspend: boolean;
  inhibit: boolean;
  quorum: number;
  hysteresis: number;
  weight: number;
  notifyQuorumUp: CheckScript | null;
  notifyQuorumDown: CheckScript | null;
  readonly rs: RealServerDraft[];
  sorry: SorryServerDraft | null;
}

export interface VsgDraft {
  readonly name: string;
  readonly at: SourceLocation;
  haveIpv4: boolean;
  haveIpv6: boolean;
  fwmarkNoFamily: boolean;
  fwmarks: number;
  /** The address/range entries, in order; `start` carries the port (0: none). */
  readonly ranges: { readonly start: Sockaddr; readonly end: Sockaddr }[];
}

export interface SslDraft {
  password: boolean;
  cafile: boolean;
  certfile: boolean;
  keyfile: boolean;
}

export interface LvsDraft {
  readonly virtualServers: VirtualServerDraft[];
  readonly groups: VsgDraft[];
  ssl: SslDraft | null;
  /** bfd_instance names as the checker process keeps them (check_data->track_bfds). */
  readonly checkerBfds: string[];
  /** bfd_instance names as the BFD process keeps them, with their addresses. */
  readonly bfdInstances: { readonly name: string; readonly nbr: Sockaddr; readonly src: Sockaddr | null }[];
  /** bfd_instance names as the VRRP process keeps them (its track_bfd targets). */
  readonly vrrpBfds: string[];
  /** keepalived's sticky spelling of BFD messages ("neighbor" until told otherwise). */
  neighborWord: 'neighbor' | 'neighbour';
  readonly trackGroups: string[];
  /** Interfaces that already have a garp_group, and each group's aggregation number. */
  readonly garpInterfaces: Set<string>;
  readonly garpGroups: { aggregation: number }[];
}

export function newLvsDraft(): LvsDraft {
  return {
    virtualServers: [],
    groups: [],
    ssl: null,
    checkerBfds: [],
    bfdInstances: [],
    vrrpBfds: [],
    neighborWord: 'neighbor',
    trackGroups: [],
    garpInterfaces: new Set(),
    garpGroups: [],
  };
}

/** The draft's LVS state, created on first use. */
export function lvsState(draft: ConfigDraft): LvsDraft {
  draft.lvs ??= newLvsDraft();
  return draft.lvs;
}
