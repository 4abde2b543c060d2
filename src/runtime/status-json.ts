/**
 * keepalived.json (the JSON signal, 36 = SIGRTMIN+2) from a StatusSnapshot: keepalived 2.2.7's
 * vrrp_json.c vrrp_json_dump(), one line, an array of {"data": {...}, "stats": {...}} per
 * instance in config order, with its key order, its number types (booleans as 0/1 where
 * keepalived uses jsonw_uint, true/false where it uses jsonw_bool, %g and %f floats), its state
 * numbers (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP) and its string escaping ('/' as "\/").
 * Keys for absent things (notify scripts, empty lists, auth_data) are left out, as keepalived
 * does. Deliberate difference: a backslash is written "\\" (keepalived 2.2.7 writes "\n").
 * Pure.
 */
import type { VrrpInstance } from '../config/model';
import type { StatusSnapshot } from './status';
import { cmdStr, fmtG, formatAddress, formatRoute, formatRule, runningInstances, STATE_NUMBER, timeval, wantState, type Running } from './status-format';

/** A JSON value already written out (keepalived prints numbers with printf formats). */
type Field = readonly [key: string, text: string];

/** keepalived json_writer.c jsonw_puts(). */
function str(v: string): string {
  const esc: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\f': '\\f', '\b': '\\b', '\\': '\\\\', '"': '\\"', '/': '\\/' };
  let out = '';
  for (const ch of v) {
    const code = ch.charCodeAt(0);
    out += esc[ch] ?? (code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : ch);
  }
  return `"${out}"`;
}

const uint = (n: number | boolean): string => String(typeof n === 'boolean' ? Number(n) : n);
const bool = (b: boolean): string => String(b);
const array = (items: readonly string[]): string => `[${items.map(str).join(',')}]`;
const object = (fields: readonly Field[]): string => `{${fields.map(([k, v]) => `${str(k)}:${v}`).join(',')}}`;

function optional(key: string, present: boolean, text: () => string): Field[] {
  return present ? [[key, text()]] : [];
}

function dataFields(s: StatusSnapshot, r: Running): Field[] {
  const { cfg: c, st } = r;
  const set = st.state === 'MASTER';
  const n = c.notify;
  const script = (key: string, cmd: VrrpInstance['notify']['master']): Field[] => optional(key, cmd !== null, () => str(cmd === null ? '' : cmdStr(s, cmd)));
  const list = (key: string, items: readonly string[]): Field[] => optional(key, items.length > 0, () => array(items));
  const trackedScripts = c.trackScripts.flatMap((t) => {
    const def = s.config.scripts.find((x) => x.name === t.name);
    return def ? [cmdStr(s, def.script)] : [];
  });
  const authType = c.auth === null ? 0 : c.auth.type === 'PASS' ? 1 : 2;
  return [
    ['iname', str(c.name)],
    ['dont_track_primary', uint(c.dontTrackPrimary)],
    ['skip_check_adv_addr', uint(c.skipCheckAdvAddr)],
    ['strict_mode', uint(c.strictMode)],
    ['vmac_ifname', str('')],
    ...optional('ifp_ifname', c.interface !== null, () => str(c.interface ?? '')),
    ['master_priority', uint(st.masterPriority)],
    ['last_transition', timeval(st.lastTransitionWallUs)],
    ['garp_delay', fmtG(c.garp.masterDelaySec)],
    ['garp_refresh', uint(c.garp.masterRefreshSec)],
    ['garp_rep', uint(c.garp.masterRepeat)],
    ['garp_refresh_rep', uint(c.garp.masterRefreshRepeat)],
    ['garp_lower_prio_delay', uint(c.garp.lowerPrioDelaySec)],
    ['garp_lower_prio_rep', uint(c.garp.lowerPrioRepeat)],
    ['lower_prio_no_advert', uint(c.lowerPrioNoAdvert)],
    ['higher_prio_send_advert', uint(c.higherPrioSendAdvert)],
    ['vrid', uint(c.vrid)],
    ['base_priority', uint(c.priority)],
    ['effective_priority', uint(st.effectivePriority)],
    ['vipset', bool(set)],
    ['promote_secondaries', bool(c.promoteSecondaries)],
    ['adver_int', fmtG(c.advertIntUs / 1e6)],
    ['master_adver_int', fmtG(c.advertIntUs / 1e6)],
    ['accept', uint(c.accept)],
    ['nopreempt', bool(c.nopreempt)],
    ['preempt_delay', uint(Math.floor(c.preemptDelayUs / 1e6))],
    ['state', uint(STATE_NUMBER[st.state])],
    ['wantstate', uint(STATE_NUMBER[wantState(r)])],
    ['version', uint(c.version)],
    ['smtp_alert', bool(c.smtpAlert ?? s.config.global.smtpAlertVrrp ?? s.config.global.smtpAlert ?? false)],
    ['notify_deleted', bool(n.deletedReported || n.deleted !== null)],
    ...script('script_backup', n.backup),
    ...script('script_master', n.master),
    ...script('script_fault', n.fault),
    ...script('script_stop', n.stop),
    ...script('script_deleted', n.deleted),
    ...script('script', n.generic),
    ...script('script_master_rx_lower_pri', n.masterRxLowerPri),
    ...list('vips', c.virtualIpaddress.map((a) => formatAddress(a, c.interface, set))),
    ...list('evips', c.virtualIpaddressExcluded.map((a) => formatAddress(a, c.interface, set))),
    ...list('vroutes', c.virtualRoutes.map(formatRoute)),
    ...list('vrules', c.virtualRules.map(formatRule)),
    ...list('track_ifp', c.trackInterfaces.filter((t) => t.name !== c.interface).map((t) => t.name)),
    ...list('track_script', trackedScripts),
    ['auth_type', uint(authType)],
    ...optional('auth_data', c.auth !== null, () => str(c.auth?.type === 'PASS' ? c.auth.password.slice(0, 8) : '')),
  ];
}

function statsFields(r: Running): Field[] {
  const c = r.st.stats;
  return [
    ['advert_rcvd', uint(c.advert_rcvd)],
    ['advert_sent', uint(c.advert_sent)],
    ['become_master', uint(c.became_master)],
    ['release_master', uint(c.release_master)],
    ['packet_len_err', uint(c.packet_len_err)],
    ['advert_interval_err', uint(c.advert_interval_err)],
    ['ip_ttl_err', uint(c.ip_ttl_err)],
    ['invalid_type_rcvd', uint(c.invalid_type_rcvd)],
    ['addr_list_err', uint(c.addr_list_err)],
    ['invalid_authtype', uint(c.invalid_authtype)],
    ['authtype_mismatch', uint(c.authtype_mismatch)],
    ['auth_failure', uint(c.auth_failure)],
    ['pri_zero_rcvd', uint(c.pri_zero_rcvd)],
    ['pri_zero_sent', uint(c.pri_zero_sent)],
  ];
}

/** keepalived.json's text, newline-terminated; '' when no instance runs (keepalived writes no file). */
export function renderJson(s: StatusSnapshot): string {
  const run = runningInstances(s);
  if (run.length === 0) return '';
  return `[${run.map((r) => object([['data', object(dataFields(s, r))], ['stats', object(statsFields(r))]])).join(',')}]\n`;
}
