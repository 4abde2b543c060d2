/**
 * The other global_defs keywords tsvrrpd recognises but does not act on: SNMP, DBus, VMAC
 * naming, the extra-interface GARP timer, the IPv6 multicast group, reload and config-copy
 * files, include_check... plus the assembly of every not-implemented global keyword (the
 * process knobs in global-defs-process.ts, LVS and firewall ones in global-defs-lvs.ts).
 * Each is checked like keepalived 2.2.7 and then reported once as not implemented.
 * keepalived: core/global_parser.c (the handlers named in each comment); lib/parser.c
 * include_check_set().
 */
import type { KeywordDef } from '../keyword';
import type { ConfigDraft } from '../draft';
import { optionalBool, readUnsigned, requireArg } from '../values';
import { parseIpv4, parseIpv6 } from '../addresses';
import { stripRange } from './global-defs-inet';
import { err, globalBool, rare, state, type Check } from './global-defs-base';
import { processKeywords } from './global-defs-process';
import { lvsGlobalKeywords } from './global-defs-lvs';

const PATH_MAX = 4096;

/** keepalived include_check_set(): `[+|-]read|match|wildcard_match|brace_match ...`. */
const includeCheck: Check = (ctx, _d, _k, args) => {
  args.forEach((w, i) => {
    const sign = w.text[0] === '+' || w.text[0] === '-';
    if (!sign && i > 0) return err(ctx, `Duplicate include_check '${w.text}' specified - ignoring`, w, 'CFG_GLOBAL_DUPLICATE');
    const type = sign ? w.text.slice(1) : w.text;
    if (!['read', 'match', 'wildcard_match', 'brace_match'].includes(type)) {
      err(ctx, `Unknown include_check type '${type}' - ignoring`, w, 'CFG_GLOBAL_OPTION');
    }
  });
};

/** keepalived vrrp_vmac_garp_extra_if_handler(): `[all] SECONDS` (1..86400). */
function garpExtraIf(name: string): Check {
  return (ctx, _d, k, args) => {
    if (name === 'vrrp_vmac_garp_intvl') {
      ctx.report('DEPRECATED', 'CFG_DEPRECATED', 'Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"', k);
    }
    let delay = 0;
    for (const w of args) {
      if (w.text === 'all') continue;
      const v = readUnsigned(ctx, w, 1, 86400);
      if (v === null) return err(ctx, `${name} '${w.text}' invalid - ignoring`, w);
      delay = v;
    }
    if (delay === 0) err(ctx, `${name} specified without time - ignoring`, k, 'CFG_GLOBAL_MISSING');
  };
}

/** keepalived vrrp_mcast_group6_handler(); tsvrrpd speaks VRRPv2 over IPv4 only. */
const mcastGroup6: Check = (ctx, _d, k, args) => {
  const w = requireArg(ctx, k, args, 0);
  if (w === null) return;
  const text = stripRange(w.text);
  const v6 = w.text.includes(':');
  const ok = v6 ? parseIpv6(text) : parseIpv4(text);
  if (ok === null) return err(ctx, `Can't parse vrrp_mcast_group6 [${w.text}]. Skipping`, w, 'CFG_MCAST_GROUP');
  if (!v6) return err(ctx, `vrrp_mcast_group6 [${w.text}] is not IPv6. Skipping`, w, 'CFG_MCAST_GROUP');
  const g = ok as number[];
  if (((g[0] as number) >> 8) !== 0xff) return err(ctx, `vrrp_mcast_group6 [${w.text}] is not multicast. Skipping`, w, 'CFG_MCAST_GROUP');
  if (((g[0] as number) & 0x0f) !== 0x02) {
    ctx.report('WARNING', 'CFG_MCAST_GROUP', `vrrp_mcast_group6 [${w.text}] should be link-local multicast.`, w);
  }
};

/** A keyword whose duplicate is an error: `what has already been specified - ignoring X`. */
function once(key: 'vmacPrefix' | 'vmacAddrPrefix', what: string): Check {
  return (ctx, draft, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const st = state(draft);
    if (st[key]) return err(ctx, `${what} has already been specified - ignoring ${w.text}`, w, 'CFG_GLOBAL_DUPLICATE');
    st[key] = true;
  };
}

export const globalRareKeywords: readonly KeywordDef<ConfigDraft>[] = [
  ...processKeywords,
  ...lvsGlobalKeywords,
  rare('vrrp_mcast_group6', mcastGroup6),
  rare('vrrp_garp_extra_if', garpExtraIf('vrrp_garp_extra_if')),
  rare('vrrp_vmac_garp_intvl', garpExtraIf('vrrp_vmac_garp_intvl')),
  globalBool('vrrp_notify_priority_changes'),
  rare('fifo_write_vrrp_states_on_reload'),
  rare('snmp_socket', (ctx, draft, k, args) => {
    if (args.length > 1) return err(ctx, 'Too many parameters specified for snmp_socket - ignoring', k);
    const w = args[0];
    if (w === undefined) return err(ctx, 'SNMP error : snmp socket name missing', k, 'CFG_GLOBAL_MISSING');
    if (w.text.length > PATH_MAX - 1) return err(ctx, 'SNMP error : snmp socket name too long - ignored', w);
    const st = state(draft);
    if (st.snmpSocket !== null) return err(ctx, `SNMP socket already set to ${st.snmpSocket} - ignoring`, w, 'CFG_GLOBAL_DUPLICATE');
    st.snmpSocket = w.text;
  }),
  ...['enable_traps', 'enable_snmp_vrrp', 'enable_snmp_keepalived', 'enable_snmp_rfc', 'enable_snmp_rfcv2', 'enable_snmp_rfcv3', 'enable_snmp_checker', 'enable_dbus'].map((n) => rare(n)),
  rare('dbus_service_name', (ctx, _d, k, args) => {
    if (args.length === 0) err(ctx, 'dbus_service_name missing - ignoring', k, 'CFG_GLOBAL_MISSING');
  }),
  rare('log_unknown_vrids'),
  rare('vmac_prefix', once('vmacPrefix', 'vmac prefix')),
  rare('vmac_addr_prefix', once('vmacAddrPrefix', 'vmac_addr prefix')),
  rare('reload_check_config'),
  rare('reload_time_file', (ctx, _d, k, args) => {
    if (args.length !== 1) err(ctx, 'reload_time_file invalid', k);
  }),
  rare('reload_repeat'),
  rare('reload_file'),
  rare('include_check', includeCheck),
  // keepalived -t stats (and may create) the directory; tsvrrpd does not touch it.
  rare('config_save_dir', (ctx, _d, k, args) => {
    requireArg(ctx, k, args, 0);
  }),
  rare('tmp_config_directory', (ctx, draft, k, args) => {
    const st = state(draft);
    if (st.tmpConfigDirectory) return err(ctx, `${k.text} already specified - ignoring`, k, 'CFG_GLOBAL_DUPLICATE');
    if (args.length === 0) return err(ctx, `${k.text} missing directory name`, k, 'CFG_GLOBAL_MISSING');
    st.tmpConfigDirectory = true;
  }),
  rare('data_use_instance', (ctx, _d, _k, args) => {
    // keepalived's message really says "date_use_instance".
    optionalBool(ctx, args, (bad) => `Invalid value '${bad}' for global date_use_instance specified`);
  }),
];
