/**
 * keepalived.data (DATA, SIGUSR1) from a StatusSnapshot, line for line as keepalived 2.2.7's
 * VRRP process writes it (vrrp_data.c dump_data_vrrp()): global definitions, static
 * addresses/routes/rules, VRRP topology, socket pool, sync groups, scripts, track files,
 * interfaces. Fields tsvrrpd has no notion of (LVS, BFD, SNMP, nftables, realtime priorities,
 * VMAC...) print the value keepalived prints for a config without them. Pure.
 */
import type { NotifyFifo, ScriptCommand, TrackRef, VrrpInstance } from '../config/model';
import type { InterfaceStatus, StatusSnapshot } from './status';
import {
  cmdIds, cmdStr, ctimeUs, fmtG, formatAddress, formatRoute, formatRule, runningInstances, stateStr, timeval, tracking,
  trackingLines, wantState, type Running, type Tracking,
} from './status-format';

const onOff = (v: boolean | null): string => (v === null ? 'unset' : v ? 'on' : 'off');

/** keepalived global_data.c dump_global_data() as the VRRP process of a -P build writes it. */
function globalLines(s: StatusSnapshot): string[] {
  const g = s.config.global;
  const local = g.smtpServer !== null ? s.localName : null;
  const helo = g.smtpHeloName ?? local;
  const from = g.notificationEmailFrom ?? (local !== null ? `keepalived@${local}` : null);
  const fifo = (label: string, f: NotifyFifo | null): string[] => {
    if (f === null) return [];
    const o = s.fifoOwners.get(f);
    return [` ${label} = ${f.path}, uid:gid ${o?.uid ?? 0}:${o?.gid ?? 0}`];
  };
  const rlimit = [' VRRP', ' Checker', ' BFD'].flatMap((p) => [
    `${p} process priority = 0`,
    `${p} don't swap = false`,
    `${p} realtime priority = 0`,
    `${p} realtime limit = 10000`,
  ]);
  const netlinkBufs = ['vrrp_netlink_cmd', 'vrrp_netlink_monitor', 'process_monitor', 'lvs_netlink_cmd', 'lvs_netlink_monitor'].flatMap((b) => [
    ` ${b}_rcv_bufs = 0`,
    ` ${b}_rcv_bufs_force = 0`,
  ]);
  return [
    '------< Global definitions >------',
    ' Network namespace = (default)',
    ' Network namespace ipvs = (main namespace)',
    ` Router ID = ${g.routerId}`,
    ...(g.smtpServer !== null ? [` Smtp server = ${g.smtpServer.host}`, ` Smtp server port = ${g.smtpServer.port}`] : []),
    ...(helo !== null ? [` Smtp HELO name = ${helo}`] : []),
    // keepalived also prints a timeout configured without a server; the Config cannot tell.
    ...(g.smtpServer !== null ? [` Smtp server connection timeout = ${g.smtpConnectTimeoutSec}`] : []),
    ...(from !== null ? [` Email notification from = ${from}`, ' Email notification to:', ...g.notificationEmail.map((e) => `   ${e}`)] : []),
    ` Default smtp_alert = ${onOff(g.smtpAlert)}`,
    ` Default smtp_alert_vrrp = ${onOff(g.smtpAlertVrrp)}`,
    ' Default smtp_alert_checker = unset',
    ' Checkers log all failures = false',
    ' No test config before reload',
    ` Dynamic interfaces = ${g.dynamicInterfaces}`,
    ...(g.dynamicInterfaces ? [' Allow interface changes = false'] : []),
    ...(g.noEmailFaults ? [' Send emails for fault transitions = off'] : []),
    ' Default interface = eth0',
    ' Disable local IGMP = no',
    ' LVS flush = false',
    ' LVS flush on stop = disabled',
    ...fifo('Global notify fifo', g.notifyFifo),
    ...fifo('VRRP notify fifo', g.vrrpNotifyFifo),
    ' FIFO write vrrp states on reload = false',
    ' VRRP notify priority changes = false',
    ` VRRP IPv4 mcast group = ${g.vrrpMcastGroup4}`,
    ' VRRP IPv6 mcast group = ff02::12',
    ` Gratuitous ARP delay = ${g.garp.masterDelaySec}`,
    ` Gratuitous ARP repeat = ${g.garp.masterRepeat}`,
    ` Gratuitous ARP refresh timer = ${g.garp.masterRefreshSec}`,
    ` Gratuitous ARP refresh repeat = ${g.garp.masterRefreshRepeat}`,
    ` Gratuitous ARP lower priority delay = ${g.garp.lowerPrioDelaySec}`,
    ` Gratuitous ARP lower priority repeat = ${g.garp.lowerPrioRepeat}`,
    ` Num adverts before down = ${g.downTimerAdverts}`,
    ' Gratuitous ARP for each secondary VMAC = 0s',
    ` Send advert after receive lower priority advert = ${!g.lowerPrioNoAdvert}`,
    ` Send advert after receive higher priority advert = ${g.higherPrioSendAdvert}`,
    ` Gratuitous ARP interval = ${(g.garpIntervalUs / 1e6).toFixed(6)}`,
    ` Gratuitous NA interval = ${(g.gnaIntervalUs / 1e6).toFixed(6)}`,
    ` VRRP default protocol version = ${g.vrrpVersion}`,
    ' nftables without counters',
    ' libnftnl version 1.2.3',
    ` VRRP check unicast_src = ${g.checkUnicastSrc}`,
    ` VRRP skip check advert addresses = ${g.skipCheckAdvAddr}`,
    ` VRRP strict mode = ${g.strict}`,
    ' Max auto priority = 0',
    ' Min auto priority delay = 1000000 usecs',
    ...rlimit,
    ...['vrrp', 'checker', 'RFCv2', 'RFCv3', 'traps'].map((x) => ` SNMP ${x} disabled`),
    ' SNMP socket = default (unix:/var/agentx/master)',
    ' DBus disabled',
    ' DBus service name = ',
    ` Script security ${g.enableScriptSecurity ? 'enabled' : 'disabled'}`,
    ...(s.defaultScriptIds !== null ? [` Default script uid:gid ${s.defaultScriptIds.uid}:${s.defaultScriptIds.gid}`] : []),
    ...netlinkBufs,
    ' rs_init_notifies = 0',
    ' no_checker_emails = 0',
    ' rx_bufs_multiples = 3',
    ' umask = 0177',
    ...(g.startupDelayUs > 0 ? [` vrrp_startup_delay = ${fmtG(g.startupDelayUs / 1e6)}`] : []),
  ];
}

/** VRRP_MS_DOWN_TIMER(): down_timer_adverts x advert interval + skew, in µs. */
function masterDownTimerUs(r: Running): number {
  const pri = 256 - r.st.effectivePriority;
  const skew = r.cfg.version === 3 ? Math.floor((pri * Math.floor(r.cfg.advertIntUs / 10000) * 625) / 16) : Math.floor((pri * 1e6) / 256);
  return r.cfg.downTimerAdverts * r.cfg.advertIntUs + skew;
}

/** keepalived's flags word is non-zero ("Flags:" instead of "Flags: none"). */
function flagLines(c: VrrpInstance): string[] {
  const unicastConfigured = c.unicastPeers.length > 0 || c.unicastSrcIp !== null || c.unicastFaultNoPeer || c.unicastTtl !== null;
  const otherFamily = c.virtualIpaddressExcluded.some((a) => a.family !== c.family);
  const any =
    unicastConfigured || c.dontTrackPrimary || c.skipCheckAdvAddr || c.mcastSrcIp !== null || c.checkUnicastSrc ||
    c.promoteSecondaries || c.nopreempt || c.useVmac || otherFamily;
  if (!any) return ['   Flags: none'];
  return [
    '   Flags:',
    ...(c.unicastPeers.length > 0 ? ['     Using unicast'] : unicastConfigured ? ['     Unicast config option specified but using multicast'] : []),
    ...(c.unicastFaultNoPeer ? ['     If unicast go to fault state if no peers'] : []),
  ];
}

/** keepalived vrrp_data.c dump_vrrp(). */
function instanceLines(s: StatusSnapshot, r: Running): string[] {
  const { cfg: c, st } = r;
  const g = s.config.global;
  const unicast = c.unicastPeers.length > 0;
  const set = st.state === 'MASTER';
  const stamp = (us: number): string => `${timeval(us)} (${ctimeUs(us, s.utcOffsetSec)})`;
  const scriptW = (x: TrackRef): number => x.weight ?? s.config.scripts.find((y) => y.name === x.name)?.weight ?? 0;
  const fileW = (x: TrackRef): number => x.weight ?? s.config.trackFiles.find((y) => y.name === x.name)?.weight ?? 0;
  const n = c.notify;
  return [
    ` VRRP Instance = ${c.name}`,
    `   VRRP Version = ${c.version}`,
    ...(c.syncGroup !== null ? [`   Sync group = ${c.syncGroup}`] : []),
    ...(c.family === 6 ? ['   Using Native IPv6'] : []),
    `   State = ${stateStr(st.state)}`,
    ...(st.state === 'BACKUP' ? [`   Master router = ${st.masterRouterIp ?? '(null)'}`, `   Master priority = ${st.masterPriority}`] : []),
    ...(st.state === 'BACKUP' && c.version === 3 ? [`   Master advert int = ${(c.advertIntUs / 1e6).toFixed(2)} sec`] : []),
    ...flagLines(c),
    `   Wantstate = ${stateStr(wantState(r))}`,
    '   Number of config faults = 0',
    `   Number of interface and track script faults = ${st.trackerFaults}`,
    `   Number of track scripts init = ${scriptsInit(s, c)}`,
    `   Last transition = ${stamp(st.lastTransitionWallUs)}`,
    `   Read timeout = ${st.readTimeoutWallUs === null ? 'DISABLED' : stamp(st.readTimeoutWallUs)}`,
    `   Master down timer = ${masterDownTimerUs(r)} usecs`,
    `   Interface = ${c.interface ?? 'not configured'}`,
    ...(c.dontTrackPrimary ? ['   VRRP interface tracking disabled'] : []),
    ...(c.skipCheckAdvAddr ? ['   Skip checking advert IP addresses'] : []),
    ...(c.strictMode ? ['   Enforcing strict VRRP compliance'] : []),
    `   Using src_ip = ${st.sourceIp ?? '(none)'}${(c.unicastSrcIp ?? c.mcastSrcIp) !== null ? ' (from configuration)' : ''}`,
    ...(unicast ? [] : [multicastLine(s, c)]),
    `   Gratuitous ARP delay = ${c.garp.masterDelaySec}`,
    `   Gratuitous ARP repeat = ${c.garp.masterRepeat}`,
    `   Gratuitous ARP refresh = ${c.garp.masterRefreshSec}`,
    `   Gratuitous ARP refresh repeat = ${c.garp.masterRefreshRepeat}`,
    `   Gratuitous ARP lower priority delay = ${c.garp.lowerPrioDelaySec}`,
    `   Gratuitous ARP lower priority repeat = ${c.garp.lowerPrioRepeat}`,
    `   Down timer adverts = ${c.downTimerAdverts}`,
    `   Send advert after receive lower priority advert = ${!c.lowerPrioNoAdvert}`,
    `   Send advert after receive higher priority advert = ${c.higherPrioSendAdvert}`,
    `   Virtual Router ID = ${c.vrid}`,
    `   Priority = ${c.priority}`,
    `   Effective priority = ${st.effectivePriority}`,
    `   Total priority = ${st.totalPriority}`,
    `   Advert interval = ${c.version === 2 ? `${Math.floor(c.advertIntUs / 1e6)} sec` : `${Math.floor(c.advertIntUs / 1000)} milli-sec`}`,
    ...(st.state === 'BACKUP' && c.version === 3 ? [`   Master advert interval = ${Math.floor(c.advertIntUs / 1000)} milli-sec`] : []),
    `   Accept = ${c.accept ? 'enabled' : 'disabled'}`,
    `   Preempt = ${c.nopreempt ? 'disabled' : 'enabled'}`,
    ...(c.preemptDelayUs > 0 ? [`   Preempt delay = ${fmtG(c.preemptDelayUs / 1e6)} secs`] : []),
    `   Promote_secondaries = ${c.promoteSecondaries ? 'enabled' : 'disabled'}`,
    ...authLines(c),
    ...(c.virtualIpaddress.length ? [`   Virtual IP (${c.virtualIpaddress.length}):`, ...c.virtualIpaddress.map((a) => `     ${formatAddress(a, c.interface, set)}`)] : []),
    ...(c.virtualIpaddressExcluded.length ? ['   Virtual IP Excluded :', ...c.virtualIpaddressExcluded.map((a) => `     ${formatAddress(a, c.interface, set)}`)] : []),
    ...(unicast ? unicastLines(c) : []),
    st.socketFds !== null ? `   fd_in ${st.socketFds.in}, fd_out ${st.socketFds.out}` : '   No sockets allocated',
    ...(c.virtualRoutes.length ? ['   Virtual Routes :', ...c.virtualRoutes.map((x) => `     ${formatRoute(x)}`)] : []),
    ...(c.virtualRules.length ? ['   Virtual Rules :', ...c.virtualRules.map((x) => `     ${formatRule(x)}`)] : []),
    ...refLines('   Tracked interfaces :', c.trackInterfaces.filter((x) => x.name !== c.interface), (x) => x.weight ?? 0, false),
    ...refLines('   Tracked scripts :', c.trackScripts, scriptW, false),
    ...refLines('   Tracked files :', c.trackFiles, fileW, true),
    `   Using smtp notification = ${c.smtpAlert ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false ? 'yes' : 'no'}`,
    `   Notify deleted = ${n.deletedReported || n.deleted !== null ? 'Deleted' : 'Fault'}`,
    ...notifyLine(s, n.backup, 'Backup'),
    ...notifyLine(s, n.master, 'Master'),
    ...notifyLine(s, n.fault, 'Fault'),
    ...notifyLine(s, n.stop, 'Stop'),
    ...notifyLine(s, n.deleted, 'Deleted'),
    ...notifyLine(s, n.generic, 'Generic'),
    ...notifyLine(s, n.masterRxLowerPri, 'Master rx lower pri'),
    '   Notify priority changes = false',
  ];
}

function multicastLine(s: StatusSnapshot, c: VrrpInstance): string {
  if (c.family === 4) return `   Multicast address ${c.mcastDstIp ?? s.config.global.vrrpMcastGroup4}`;
  const index = s.interfaces.find((i) => i.name === c.interface)?.index ?? 0;
  return `   Multicast address ${c.mcastDstIp ?? 'ff02::12'}, ifindex ${index}`;
}

/** Unweighted tracked scripts still without a first result (vrrp_track.c num_script_init). */
function scriptsInit(s: StatusSnapshot, c: VrrpInstance): number {
  const group = s.config.syncGroups.find((g) => g.name === c.syncGroup);
  const refs = [...c.trackScripts, ...(group?.trackScripts ?? [])];
  return refs.filter((x) => {
    const def = s.config.scripts.find((y) => y.name === x.name);
    const init = s.scripts.find((y) => y.name === x.name)?.initState ?? 'INIT';
    return def !== undefined && (x.weight ?? def.weight) === 0 && init === 'INIT';
  }).length;
}

function authLines(c: VrrpInstance): string[] {
  if (c.auth === null) return c.version === 2 ? ['   Authentication type = none'] : [];
  if (c.auth.type === 'AH') return ['   Authentication type = IPSEC_AH'];
  return ['   Authentication type = SIMPLE_PASSWORD', `   Password = ${c.auth.password.slice(0, 8)}`];
}

function unicastLines(c: VrrpInstance): string[] {
  const ttl = c.unicastTtl ?? (c.family === 4 ? 255 : null);
  return [
    ...(ttl !== null ? [`   Unicast TTL = ${ttl}`] : []),
    `   Check unicast src : ${c.checkUnicastSrc ? 'yes' : 'no'}`,
    '   Unicast Peer :',
    ...c.unicastPeers.map((p) => `     ${p.address} min_ttl ${p.minTtl ?? 0} max_ttl ${p.maxTtl ?? 255}`),
    '   Unicast checksum compatibility = no',
  ];
}

function interfaceLines(i: InterfaceStatus, t: Tracking): string[] {
  const f = i.flags;
  const state =
    `${f.up ? '' : 'not '}UP, ${f.running ? '' : 'not '}RUNNING${f.broadcast ? '' : ', no broadcast'}${f.loopback ? ', loopback' : ''}` +
    `${f.pointToPoint ? ', point to point' : ''}${f.noArp ? ', no arp' : ''}${f.multicast ? '' : ', no multicast'}`;
  const hw = i.hwType === 772 ? 'LOOPBACK' : i.hwType === 1 ? 'ETHERNET' : `UNKNOWN (${i.hwType})`;
  return [
    ` Name = ${i.name}`,
    `   index = ${i.index}${i.index ? '' : ' (deleted)'}`,
    `   IPv4 address = ${i.ipv4 ?? '(none)'}`,
    ...(i.extraIpv4.length ? ['   Additional IPv4 addresses :', ...i.extraIpv4.map((a) => `     ${a}`)] : []),
    `   IPv6 address = ${i.ipv6 ?? '(none)'}`,
    ...(i.extraIpv6.length ? ['   Additional IPv6 addresses :', ...i.extraIpv6.map((a) => `     ${a}`)] : []),
    ...(i.mac !== null ? [`   MAC = ${i.mac}`, `   MAC broadcast = ${i.macBroadcast ?? 'ff:ff:ff:ff:ff:ff'}`] : []),
    `   State = ${state}`,
    `   Seen up = ${f.up && f.running ? 1 : 0}`,
    '   Delayed state change running = false',
    '   Up debounce timer = 0us',
    '   Down debounce timer = 0us',
    `   MTU = ${i.mtu}`,
    `   HW Type = ${hw}`,
    '   NIC netlink status update',
    '   Reset ARP config counter 0',
    '   Original arp_ignore 0',
    '   Original arp_filter 0',
    '   Original promote_secondaries 0',
    '   Reset promote_secondaries counter 0',
    ...trackingLines(t.interfaces.get(i.name), '   Tracking VRRP instances :'),
  ];
}

function sockPoolLines(run: readonly Running[]): string[] {
  const pools = new Map<string, Running[]>();
  for (const r of run) {
    if (r.st.socketFds === null) continue;
    const key = `${r.st.socketFds.in},${r.st.socketFds.out}`;
    pools.set(key, [...(pools.get(key) ?? []), r]);
  }
  const lines: string[] = [];
  for (const members of pools.values()) {
    const first = members[0];
    if (!first || first.st.socketFds === null) continue;
    const unicast = first.cfg.unicastPeers.length > 0;
    lines.push(
      ` fd_in ${first.st.socketFds.in} fd_out = ${first.st.socketFds.out}`,
      `   Interface = ${first.cfg.interface ?? ''}`,
      `   Family = ${first.cfg.family === 6 ? 'IPv6' : 'IPv4'}`,
      `   Protocol = ${first.cfg.auth?.type === 'AH' ? 'AH' : 'VRRP'}`,
      `   Type = ${unicast ? 'Unicast' : 'Multicast'}`,
      ...(unicast ? [`   Address = ${first.st.sourceIp ?? '(null)'}`] : []),
      '   Rx buf size = 0',
      '   VRRP instances',
      ...[...members].sort((a, b) => a.cfg.vrid - b.cfg.vrid).map((m) => `     ${m.cfg.name} vrid ${m.cfg.vrid}`),
    );
  }
  return lines;
}

function notifyLine(s: StatusSnapshot, cmd: ScriptCommand | null, type: string): string[] {
  return cmd === null ? [] : [`   ${type} state transition script = ${cmdStr(s, cmd)}, uid:gid ${cmdIds(s, cmd)}`];
}

function refLines(header: string, refs: readonly TrackRef[], weight: (r: TrackRef) => number, comma: boolean): string[] {
  if (refs.length === 0) return [];
  return [header, ...refs.map((r) => `     ${r.name}${comma ? ',' : ''} weight ${weight(r)}${r.reverse ? ' reverse' : ''}`)];
}

function syncGroupLines(s: StatusSnapshot, run: readonly Running[]): string[] {
  const c = s.config;
  return c.syncGroups.flatMap((g) => {
    const members = run.filter((r) => g.members.includes(r.cfg.name));
    const state = s.syncGroups.find((x) => x.name === g.name)?.state ?? 'INIT';
    return [
      ` VRRP Sync Group = ${g.name}, ${stateStr(state)}`,
      `   Num member fault ${members.filter((m) => m.st.state === 'FAULT').length}, num member init ${members.filter((m) => m.st.state === 'INIT').length}`,
      ...(g.members.length ? ['   VRRP member instances :', ...g.members.map((m) => `     ${m}`)] : []),
      ...(g.trackingWeight ? ['   sync group tracking weight set'] : []),
      `   Using smtp notification = ${(g.smtpAlert ?? c.global.smtpAlertVrrp ?? c.global.smtpAlert ?? false) ? 'yes' : 'no'}`,
      ...refLines('   Tracked interfaces :', g.trackInterfaces, (r) => r.weight ?? 0, false),
      ...refLines('   Tracked scripts :', g.trackScripts, (r) => r.weight ?? c.scripts.find((x) => x.name === r.name)?.weight ?? 0, false),
      ...refLines('   Tracked files :', g.trackFiles, (r) => r.weight ?? c.trackFiles.find((x) => x.name === r.name)?.weight ?? 0, true),
      ...notifyLine(s, g.notify.backup, 'Backup'),
      ...notifyLine(s, g.notify.master, 'Master'),
      ...notifyLine(s, g.notify.fault, 'Fault'),
      ...notifyLine(s, g.notify.stop, 'Stop'),
      ...notifyLine(s, g.notify.generic, 'Generic'),
    ];
  });
}

/** keepalived drops the scripts and track files nothing tracks (vrrp_complete_init(), track_file.c). */
function scriptLines(s: StatusSnapshot, t: Tracking): string[] {
  return s.config.scripts.filter((sc) => (t.scripts.get(sc.name)?.length ?? 0) > 0).flatMap((sc) => {
    const st = s.scripts.find((x) => x.name === sc.name);
    const result = st?.result ?? (sc.initFail ? 0 : sc.rise - 1);
    const init = st?.initState ?? (sc.initFail ? 'INIT/FAILED' : 'INIT');
    return [
      ` VRRP Script = ${sc.name}`,
      `   Command = ${cmdStr(s, sc.script)}`,
      `   Interval = ${sc.intervalSec} sec`,
      `   Timeout = ${sc.timeoutSec} sec`,
      `   Weight = ${sc.weight}${sc.weightReverse ? ' reverse' : ''}`,
      `   Rise = ${sc.rise}`,
      `   Fall = ${sc.fall}`,
      `   Result = ${result}`,
      `   Insecure = ${s.scriptExec.get(sc.script)?.insecure === true ? 'yes' : 'no'}`,
      // keepalived 2.2.7 has no name for the finished state and prints "unknown".
      `   Init state = ${init === 'DONE' ? 'unknown' : init}`,
      `   Status = ${result >= sc.rise ? 'GOOD' : 'BAD'}`,
      `   Script uid:gid = ${cmdIds(s, sc.script)}`,
      '   VRRP instances :',
      ...trackingLines(t.scripts.get(sc.name), '   Tracking instances :'),
      `   State = ${st?.run ?? 'idle'}`,
    ];
  });
}

function trackFileLines(s: StatusSnapshot, t: Tracking): string[] {
  return s.config.trackFiles.filter((f) => (t.files.get(f.name)?.length ?? 0) > 0).flatMap((f) => {
    const st = s.trackFiles.find((x) => x.name === f.name);
    return [
      ` Track file = ${f.name}`,
      `   File = ${st?.path ?? f.file}`,
      `   Status = ${st?.value ?? f.initFile?.value ?? 0}`,
      `   Weight = ${f.weight}${f.weightReverse ? ' reverse' : ''}`,
      ...trackingLines(t.files.get(f.name), '   Tracking instances :'),
    ];
  });
}

function section(title: string, lines: readonly string[]): string[] {
  return lines.length ? [`------< ${title} >------`, ...lines] : [];
}

export function renderData(s: StatusSnapshot): string {
  const c = s.config;
  const run = runningInstances(s);
  const t = tracking(c);
  const lines = [
    ...globalLines(s),
    ...section('Static Addresses', c.staticAddresses.map((a) => `     ${formatAddress(a, null, true)}`)),
    ...section('Static Routes', c.staticRoutes.map((r) => `     ${formatRoute(r)}`)),
    ...section('Static Rules', c.staticRules.map((r) => `     ${formatRule(r)}`)),
    ...section('VRRP Topology', run.flatMap((r) => instanceLines(s, r))),
    ...section('VRRP Sockpool', sockPoolLines(run)),
    ...section('VRRP Sync groups', syncGroupLines(s, run)),
    ...section('VRRP Scripts', scriptLines(s, t)),
    ...section('VRRP Track files', trackFileLines(s, t)),
    ...section('Interfaces', s.interfaces.flatMap((i) => interfaceLines(i, t))),
  ];
  return lines.map((l) => `${l}\n`).join('');
}
