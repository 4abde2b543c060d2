/**
 * The checker process's post-parse pass, run once the whole file is read: virtual servers
 * linked to their groups, then keepalived's per-virtual-server corrections (protocol,
 * scheduler, forwarding, ports, quorum...) and the checker scripts' security verdict.
 * keepalived prints these without a line; they are placed on the virtual server (or script).
 * keepalived: ipwrapper.c link_vsg_to_vs(); check_data.c validate_check_config(),
 * check_check_script_security(); notify.c check_script_secure(). Pure: host facts come in.
 */
import type { DiagnosticClass, DiagnosticSink, SourceLocation } from '../diagnostics';
import type { ConfigDraft } from '../draft';
import type { HostFacts } from '../host-facts';
import { formatIp, formatTrio, sameSockaddr, type Sockaddr } from './lvs-net';
import { IPVS_SVC_PERSISTENT_TIMEOUT, type CheckScript, type Forwarding, type LvsDraft, type RealServerDraft, type VirtualServerDraft, type VsgDraft } from './lvs-state';

type Report = (cls: DiagnosticClass, message: string, at: SourceLocation) => void;

interface LinkedVs {
  readonly vs: VirtualServerDraft;
  readonly vsg: VsgDraft | null;
  /** keepalived numbers the virtual servers of a group in its port field. */
  seq: number;
}

/** keepalived format_vs() (FMT_VS). */
function fmtVs(l: LinkedVs): string {
  const vs = l.vs;
  if (vs.vsgName !== null) return `[${vs.vsgName}]:${l.seq}`;
  if (vs.fwmark !== 0) return `FWM ${vs.fwmark}`;
  return vs.addr ? formatTrio(vs.addr, vs.serviceType) : `[]:${vs.serviceType ?? 'none'}:0`;
}

/** keepalived link_vsg_to_vs(): its messages are only logged, so they are notices. */
function linkGroups(lvs: LvsDraft, report: Report): LinkedVs[] {
  const out: LinkedVs[] = [];
  for (const vs of lvs.virtualServers) {
    const l: LinkedVs = { vs, vsg: null, seq: 0 };
    if (vs.vsgName === null) {
      out.push(l);
      continue;
    }
    const vsg = lvs.groups.find((g) => g.name === vs.vsgName) ?? null;
    const note = (m: string): void => report('NOTICE', m, vs.at);
    if (vsg === null) {
      note(`Virtual server group ${vs.vsgName} specified but not configured - ignoring virtual server ${fmtVs(l)}`);
      continue;
    }
    if (vsg.haveIpv4 && vsg.haveIpv6 && vs.af !== 0) {
      note(`${vs.vsgName}: virtual server group with IPv4 & IPv6 doesn't match virtual server ${fmtVs(l)} - ignoring`);
      continue;
    }
    if ((vsg.haveIpv4 && vs.af === 6) || (vsg.haveIpv6 && vs.af === 4)) {
      note(`${vs.vsgName}: address family doesn't match virtual server ${fmtVs(l)} - ignoring`);
      continue;
    }
    if (vsg.haveIpv4 !== vsg.haveIpv6) {
      if (vs.af === 0) vs.af = vsg.haveIpv4 ? 4 : 6;
    } else if (vs.af === 0 && vsg.fwmarkNoFamily) {
      note(`${vs.vsgName}: Virtual server ${fmtVs(l)} address family cannot be determined, defaulting to IPv4`);
    }
    out.push({ vs, vsg, seq: 0 });
  }
  for (const g of lvs.groups) {
    let n = 0;
    for (const l of out) if (l.vs.vsgName === g.name) l.seq = n++;
  }
  return out;
}

function protocolChecks(l: LinkedVs, say: (m: string) => void): void {
  const { vs, vsg } = l;
  if ((vsg && vsg.ranges.length > 0) || (!vsg && vs.fwmark === 0)) {
    if (vs.serviceType === null) {
      say(`Virtual server ${fmtVs(l)}: no protocol set - defaulting to UDP`);
      vs.serviceType = 'udp';
    }
    if (vs.ops && vs.serviceType !== 'udp') {
      say(`Virtual server ${fmtVs(l)}: one packet scheduling requires UDP - resetting`);
      vs.ops = false;
    }
    if (vs.persistenceTimeout === 0 && !vsg && vs.fwmark === 0 && (vs.addr?.port ?? 0) === 0) {
      say(`Virtual server ${fmtVs(l)}: zero port only valid for persistent services - setting`);
      vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
    }
  }
  if (vs.persistenceTimeout === 0 && vsg && vsg.ranges.some((r) => r.start.port === 0)) {
    say(`Virtual server ${fmtVs(l)}: zero port only valid for persistent services - setting`);
    vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
  }
  if (vs.serviceType !== null && ((vsg && vsg.ranges.length === 0 && vsg.fwmarks > 0) || (!vsg && vs.fwmark !== 0))) {
    say(`Warning: Virtual server ${fmtVs(l)}: protocol specified for fwmark - protocol will be ignored`);
    vs.serviceType = null;
  }
  if (vs.sched === '') {
    say(`Virtual server ${fmtVs(l)}: no scheduler set, setting default 'wlc'`);
    vs.sched = 'wlc';
  }
}

function defaultForwarding(l: LinkedVs, say: (m: string) => void): Forwarding {
  if (l.vs.forwarding === null) {
    say(`Virtual server ${fmtVs(l)}: no forwarding method set, setting default NAT`);
    l.vs.forwarding = 'NAT';
  }
  return l.vs.forwarding;
}

/** The real servers: duplicates, inherited settings, sorry-server inhibit; the weight sum. */
function realServerChecks(l: LinkedVs, say: (m: string) => void): number {
  const vs = l.vs;
  let weightSum = 0;
  for (let i = 0; i < vs.rs.length; i++) {
    const rs = vs.rs[i] as RealServerDraft;
    if (vs.rs.slice(0, i).some((r) => sameSockaddr(r.addr, rs.addr))) {
      say(`VS ${fmtVs(l)}: real server ${formatTrio(rs.addr, vs.serviceType)} is duplicated - removing second rs`);
      vs.rs.splice(i--, 1);
      continue;
    }
    rs.forwarding ??= defaultForwarding(l, say);
    rs.inhibit ??= vs.inhibit;
    rs.weight ??= vs.weight;
    weightSum = (weightSum + rs.weight) >>> 0;
    const sorry = vs.sorry;
    if (sorry && sameSockaddr(sorry.addr, rs.addr) && sorry.inhibit !== rs.inhibit) {
      say(
        `Virtual server ${fmtVs(l)}: real server ${formatTrio(rs.addr, vs.serviceType)} matches sorry server, but inhibit setting differs, ${rs.inhibit ? 'sett' : 'clear'}ing on sorry server`,
      );
      sorry.inhibit = rs.inhibit;
    }
  }
  if (vs.sorry && vs.sorry.forwarding === null) vs.sorry.forwarding = defaultForwarding(l, say);
  return weightSum;
}

function quorumChecks(l: LinkedVs, weightSum: number, say: (m: string) => void): void {
  const vs = l.vs;
  if (vs.quorum > weightSum) {
    say(`Warning - quorum ${vs.quorum} for ${fmtVs(l)} exceeds total weight of real servers ${weightSum}, reducing quorum to ${weightSum}`);
    vs.quorum = weightSum;
  }
  if (vs.hysteresis >= vs.quorum) {
    const h = (vs.quorum - 1) >>> 0;
    say(`Virtual server ${fmtVs(l)}: hysteresis ${vs.hysteresis} >= quorum ${vs.quorum}; setting hysteresis to ${h}`);
    vs.hysteresis = h;
  }
}

/** keepalived format_vsge(). */
function fmtRange(r: { start: Sockaddr; end: Sockaddr }): string {
  const same = r.start.words.every((v, i) => v === r.end.words[i]);
  return same ? `${formatIp(r.start)},${r.start.port}` : `${formatIp(r.start)}-${formatIp(r.end)},${r.start.port}`;
}

function groupPortChecks(l: LinkedVs, vsg: VsgDraft, say: (m: string) => void): void {
  const { vs } = l;
  const direct = vs.rs.filter((r) => r.forwarding !== 'NAT');
  const sorry = vs.sorry && vs.sorry.forwarding !== 'NAT' && vs.sorry.addr.port !== 0 ? vs.sorry : null;
  if (vsg.fwmarks > 0) {
    for (const rs of direct)
      if (rs.addr.port !== 0)
        say(`WARNING - fwmark virtual server ${fmtVs(l)}, real server ${formatTrio(rs.addr, vs.serviceType)} has port specified - port will be ignored`);
    if (sorry) say(`WARNING - fwmark virtual server ${fmtVs(l)}, sorry server has port specified - port will be ignored`);
  }
  for (const r of vsg.ranges) {
    for (const rs of direct)
      if (rs.addr.port !== 0 && rs.addr.port !== r.start.port)
        say(`virtual server ${fmtVs(l)}:[${fmtRange(r)}] and real server ${formatTrio(rs.addr, vs.serviceType)} ports don't match`);
    if (sorry && sorry.addr.port !== r.start.port) say(`WARNING - virtual server ${fmtVs(l)}, sorry server has port specified - port will be ignored`);
  }
}

function portChecks(l: LinkedVs, say: (m: string) => void): void {
  const { vs, vsg } = l;
  if (vsg) {
    groupPortChecks(l, vsg, say);
    return;
  }
  const vsPort = vs.addr?.port ?? 0;
  for (const rs of vs.rs) {
    if (rs.forwarding === 'NAT') {
      if (vs.fwmark === 0 && rs.addr.port === 0) rs.addr.port = vsPort;
    } else if (vs.fwmark !== 0) {
      if (rs.addr.port !== 0) say(`WARNING - fwmark virtual server ${fmtVs(l)}, real server ${formatTrio(rs.addr, vs.serviceType)} has port specified - clearing`);
      rs.addr.port = 0;
    } else if (rs.addr.port !== 0 && rs.addr.port !== vsPort) {
      say(`WARNING - virtual server ${fmtVs(l)} and real server ${formatTrio(rs.addr, vs.serviceType)} ports don't match - resetting`);
      rs.addr.port = vsPort;
    } else {
      rs.addr.port = vsPort;
    }
  }
  const sorry = vs.sorry;
  if (!sorry || sorry.forwarding === 'NAT') return;
  if (vs.fwmark !== 0) {
    if (sorry.addr.port !== 0) say(`WARNING - virtual server ${fmtVs(l)}, sorry server has port specified - clearing`);
    sorry.addr.port = 0;
  } else {
    if (sorry.addr.port !== 0 && sorry.addr.port !== vsPort) say(`WARNING - virtual server ${fmtVs(l)} and sorry server ports don't match - resetting`);
    sorry.addr.port = vsPort;
  }
}

/** keepalived validate_check_config() for one virtual server; false when it is dropped. */
function validateVs(l: LinkedVs, report: Report): boolean {
  const vs = l.vs;
  const say = (m: string): void => report('GENERAL_ERROR', m, vs.at);
  if (vs.rs.length === 0) {
    say(`Virtual server ${fmtVs(l)} has no real servers - ignoring`);
    return false;
  }
  if (vs.haSuspend && (vs.fwmark !== 0 || (l.vsg !== null && l.vsg.fwmarks > 0))) {
    say(`Virtual server ${fmtVs(l)}: cannot use ha_suspend with fwmarks - clearing ha_suspend`);
    vs.haSuspend = false;
  }
  protocolChecks(l, say);
  const weightSum = realServerChecks(l, say);
  quorumChecks(l, weightSum, say);
  portChecks(l, say);
  return true;
}

/** keepalived check_script_secure() flags for one script. */
function scriptFlags(script: CheckScript, draft: ConfigDraft, host: HostFacts): { isScript: boolean; insecure: boolean } {
  const prog = script.args[0] ?? '';
  if (/^<[ \t]*\//.test(prog)) return { isScript: false, insecure: false };
  const facts = host.scriptFile(prog);
  if (facts.path === null) return { isScript: false, insecure: false };
  const g = draft.global;
  let user = script.user;
  let group = script.group;
  if (user === null) {
    if (g.scriptUser !== null) ({ user, group } = g.scriptUser);
    else user = host.userExists('keepalived_script') ? 'keepalived_script' : 'root';
  }
  const asRoot = user === 'root' || group === 'root';
  return { isScript: true, insecure: facts.executable && asRoot && facts.writableByNonRoot };
}

/** keepalived check_check_script_security(): misc scripts and the remaining servers' notifies. */
function scriptSecurity(draft: ConfigDraft, lvs: LvsDraft, kept: readonly LinkedVs[], host: HostFacts, report: Report): void {
  if (kept.length === 0 || draft.global.enableScriptSecurity) return;
  const scripts: CheckScript[] = [];
  for (const vs of lvs.virtualServers) for (const rs of vs.rs) scripts.push(...rs.miscScripts);
  for (const { vs } of kept) {
    for (const s of [vs.notifyQuorumUp, vs.notifyQuorumDown]) if (s) scripts.push(s);
    for (const rs of vs.rs) for (const s of [rs.notifyUp, rs.notifyDown]) if (s) scripts.push(s);
  }
  let first: CheckScript | null = null;
  let insecure = false;
  for (const s of scripts) {
    const f = scriptFlags(s, draft, host);
    if (f.isScript) first ??= s;
    insecure ||= f.insecure;
  }
  if (first === null) return;
  report(
    'SECURITY_ERROR',
    `SECURITY VIOLATION - check scripts are being executed but script_security not enabled.${insecure ? ' There are insecure scripts.' : ''}`,
    first.at,
  );
}

/**
 * keepalived's checker validation (check_daemon.c start_check() after parsing): call once the
 * whole configuration has been parsed, before the VRRP validation.
 */
export function validateCheckConfig(draft: ConfigDraft, sink: DiagnosticSink, host: HostFacts): void {
  const lvs = draft.lvs;
  if (lvs === undefined) return;
  const report: Report = (cls, message, at) => sink.report(cls, cls === 'NOTICE' ? 'CFG_LVS_NOTICE' : cls === 'SECURITY_ERROR' ? 'CFG_CHECK_SCRIPT_SECURITY' : 'CFG_LVS_VALIDATE', message, at);
  const linked = linkGroups(lvs, report);
  const kept = linked.filter((l) => validateVs(l, report));
  scriptSecurity(draft, lvs, kept, host, report);
}
