/**
 * keepalived's status dumps, reproduced: what a running tsvrrpd knows (a StatusSnapshot) rendered
 * as the three files operators and exporters (e.g. mehdy/keepalived-exporter) read, with
 * keepalived 2.2.7's names, layout, indentation, labels, counter names and JSON schema:
 *   keepalived.data  (DATA, SIGUSR1)   renderData()  in status-data.ts
 *   keepalived.stats (STATS, SIGUSR2)  renderStats() here
 *   keepalived.json  (JSON, signal 36) renderJson()  in status-json.ts
 * This module owns the snapshot type, the stats file, the file names and the rules below. It is
 * pure: no node: imports, no clock, no process, no files. The daemon builds the snapshot (time
 * is an input) and writes the strings; the golden files are test/fixtures/keepalived-dumps/,
 * recorded from keepalived 2.2.7 by scripts/record-keepalived-dumps.sh.
 *
 * keepalived 2.2.7's rules, from its source and the recorder's runs:
 * - Directory: $TMPDIR if it is set and starts with '/', else /tmp (lib/utils.c set_tmp_dir();
 *   a relative TMPDIR falls back to /tmp, checked by running).
 * - Names: keepalived.data, keepalived.stats, keepalived.json. Only the data file (and the
 *   parent's keepalived_parent.data, also written on SIGUSR1) follows `data_use_instance`: with
 *   it, and `instance NAME` and/or `net_namespace NS`, the data file is
 *   keepalived.NS_NAME.data (keepalived.NS.data, keepalived.NAME.data); .stats and .json never
 *   change name (global_data.c open_dump_file() vs make_tmp_filename()).
 * - Writing: fopen_safe(path, "w") (lib/utils.c) creates `path` + "XXXXXX" with mkostemp() in
 *   the same directory, fchmod()s it to 0666 & ~umask (keepalived's umask defaults to 0177, so
 *   -rw------- root:root, seen with stat on every recorded file), and rename()s it over `path`
 *   BEFORE writing. So the swap is atomic (a reader never sees a half-truncated old file and a
 *   symlink at `path` is replaced, not followed), but the content is not: a reader can see the
 *   new file empty or partly written until fclose(). Writers here should do better (write the
 *   temporary file fully, then rename) and keep the 0600 mode.
 * - STATS (SIGUSR2) writes the stats; STATS_CLEAR (signal 63, SIGRTMAX-1) writes the file first
 *   and then zeroes each instance's counters (vrrp_print.c vrrp_print_stats(): memset after the
 *   instance's lines). JSON writes nothing when there are no instances. The parent process
 *   forwards DATA, STATS, STATS_CLEAR and JSON to the VRRP child, which writes the files.
 */
import type { Config, NotifyFifo, ScriptCommand } from '../config/model';
import type { StatCounter, VrrpState } from '../protocol/types';

import { runningInstances } from './status-format';

export { renderData } from './status-data';
export { renderJson } from './status-json';

export interface UidGid {
  readonly uid: number;
  readonly gid: number;
}

/** How the daemon runs one configured command: the resolved program path and who runs it. */
export interface ScriptExec extends UidGid {
  /** The program as executed (keepalived shows realpath(), e.g. /bin/true -> /usr/bin/true). */
  readonly path: string;
  /** keepalived's "insecure" verdict (writable by a non-root user while run as root). */
  readonly insecure: boolean;
}

/** One running VRRP instance, as its core, trackers and sockets report it. */
export interface InstanceStatus {
  /** The config instance's name. */
  readonly name: string;
  readonly state: VrrpState;
  /** Base priority plus tracker weights, clamped (keepalived effective_priority). */
  readonly effectivePriority: number;
  /** Base priority plus tracker weights, unclamped (keepalived total_priority). */
  readonly totalPriority: number;
  /** Wall clock µs of the last state change (or of start-up). */
  readonly lastTransitionWallUs: number;
  /** Wall clock µs of the instance's next deadline; null = none ("Read timeout = DISABLED"). */
  readonly readTimeoutWallUs: number | null;
  /** The master's source address last heard (shown while BACKUP); null = none heard. */
  readonly masterRouterIp: string | null;
  /** The priority in the master's last advert; 0 = none heard (keepalived's initial value). */
  readonly masterPriority: number;
  /** The source address adverts are sent from; null = none (no address on the interface). */
  readonly sourceIp: string | null;
  /** Active FAULT reasons (interface down, failed unweighted tracker...). */
  readonly trackerFaults: number;
  /** The receive and send socket descriptors; null = no socket open. */
  readonly socketFds: { readonly in: number; readonly out: number } | null;
  readonly stats: Readonly<Record<StatCounter, number>>;
}

export interface SyncGroupStatus {
  readonly name: string;
  readonly state: VrrpState;
}

/** One vrrp_script's runner (see protocol/script-result.ts for the counter). */
export interface ScriptStatus {
  readonly name: string;
  /** keepalived's result counter, 0 .. rise+fall-1; OK iff >= rise. */
  readonly result: number;
  readonly initState: 'INIT' | 'INIT/FAILED' | 'INIT/RELOAD' | 'DONE';
  readonly run: 'idle' | 'running' | 'requested termination' | 'forcing termination';
}

export interface TrackFileStatus {
  readonly name: string;
  /** The value last read from the file. */
  readonly value: number;
  /** The file's realpath() when it exists (keepalived shows that), else null: as configured. */
  readonly path: string | null;
}

/** A host interface as keepalived lists it: its addresses exclude VIPs and static addresses. */
export interface InterfaceStatus {
  readonly name: string;
  readonly index: number;
  readonly ipv4: string | null;
  readonly extraIpv4: readonly string[];
  /** The link-local address keepalived picks, or null. */
  readonly ipv6: string | null;
  readonly extraIpv6: readonly string[];
  /** aa:bb:cc:dd:ee:ff, or null for an interface without a hardware address. */
  readonly mac: string | null;
  readonly macBroadcast: string | null;
  readonly flags: {
    readonly up: boolean;
    readonly running: boolean;
    readonly broadcast: boolean;
    readonly loopback: boolean;
    readonly pointToPoint: boolean;
    readonly noArp: boolean;
    readonly multicast: boolean;
  };
  readonly mtu: number;
  /** ARPHRD_* (1 Ethernet, 772 loopback). */
  readonly hwType: number;
}

export interface StatusSnapshot {
  readonly config: Config;
  /** The instances that run, any order; they are listed in config order. */
  readonly instances: readonly InstanceStatus[];
  readonly syncGroups: readonly SyncGroupStatus[];
  readonly scripts: readonly ScriptStatus[];
  readonly trackFiles: readonly TrackFileStatus[];
  /** In the kernel's order. */
  readonly interfaces: readonly InterfaceStatus[];
  /** Every configured command the daemon resolved; a missing one shows as configured, 0:0. */
  readonly scriptExec: ReadonlyMap<ScriptCommand, ScriptExec>;
  /** The owners the notify FIFOs were created with; a missing one shows 0:0. */
  readonly fifoOwners: ReadonlyMap<NotifyFifo, UidGid>;
  /** The default script user's ids; null when it cannot be had (the line is left out). */
  readonly defaultScriptIds: UidGid | null;
  /** keepalived get_local_name(): the canonical name of the host name, null if unresolvable. */
  readonly localName: string | null;
  /** The local time zone's offset from UTC now, for keepalived's ctime() strings. */
  readonly utcOffsetSec: number;
  /** When the snapshot was taken, and by whom: for the snapshot's other readers (metrics, the
   * control socket); keepalived's VRRP dumps print neither. */
  readonly nowWallUs: number;
  readonly pid: number;
}

export type DumpKind = 'data' | 'stats' | 'json';

export interface DumpNaming {
  /** The TMPDIR environment variable, or null when unset. */
  readonly tmpdir: string | null;
  /** keepalived `data_use_instance`, `instance NAME` and `net_namespace NS` (tsvrrpd: none). */
  readonly dataUseInstance?: boolean;
  readonly instanceName?: string | null;
  readonly netNamespace?: string | null;
}

/** The path keepalived 2.2.7 writes a dump to (see the header). */
export function dumpFilePath(kind: DumpKind, naming: DumpNaming): string {
  const dir = naming.tmpdir !== null && naming.tmpdir.startsWith('/') ? naming.tmpdir : '/tmp';
  const ns = naming.netNamespace ?? null;
  const inst = naming.instanceName ?? null;
  if (kind === 'data' && naming.dataUseInstance === true && (ns !== null || inst !== null)) {
    return `${dir}/keepalived.${ns ?? ''}${ns !== null && inst !== null ? '_' : ''}${inst ?? ''}.data`;
  }
  return `${dir}/keepalived.${kind}`;
}

/**
 * keepalived.stats: per instance, in config order. Only keepalived's 14 counters appear (our
 * version_err, checksum_err, vrid_err, mcast_unicast_mismatch and unicast_src_err are not
 * in keepalived's file). keepalived: vrrp_print.c vrrp_print_stats().
 */
export function renderStats(s: StatusSnapshot): string {
  const lines: string[] = [];
  for (const { st } of runningInstances(s)) {
    const c = st.stats;
    lines.push(
      `VRRP Instance: ${st.name}`,
      '  Advertisements:',
      `    Received: ${c.advert_rcvd}`,
      `    Sent: ${c.advert_sent}`,
      `  Became master: ${c.became_master}`,
      `  Released master: ${c.release_master}`,
      '  Packet Errors:',
      `    Length: ${c.packet_len_err}`,
      `    TTL: ${c.ip_ttl_err}`,
      `    Invalid Type: ${c.invalid_type_rcvd}`,
      `    Advertisement Interval: ${c.advert_interval_err}`,
      `    Address List: ${c.addr_list_err}`,
      '  Authentication Errors:',
      `    Invalid Type: ${c.invalid_authtype}`,
      `    Type Mismatch: ${c.authtype_mismatch}`,
      `    Failure: ${c.auth_failure}`,
      '  Priority Zero:',
      `    Received: ${c.pri_zero_rcvd}`,
      `    Sent: ${c.pri_zero_sent}`,
    );
  }
  return lines.map((l) => `${l}\n`).join('');
}
