/**
 * The LVS, checker and firewall keywords of global_defs: tsvrrpd runs no LVS and manages no
 * iptables/nftables rules, so these are checked like keepalived 2.2.7 (as Debian builds it:
 * nftables, no iptables) and reported as not implemented.
 * keepalived: core/global_parser.c lvs_timeouts(), lvs_syncd_handler(),
 * lvs_flush_on_stop_handler(), vrrp_iptables_handler(), vrrp_nftables_handler(),
 * ipvs_nftables_handler() and the nftables priority handlers.
 */
import type { KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { optionalBool, readInt, readUnsigned, requireArg } from '../values';
import { isIpv4Multicast, parseIpv6 } from '../addresses';
import { parseInetAddress } from './global-defs-inet';
import { INT_MAX, INT_MIN, UINT_MAX, err, globalBool, rare, state, type Check } from './global-defs-base';

/** keepalived LVS_MAX_TIMEOUT: 31 days. */
const LVS_MAX_TIMEOUT = 86400 * 31;
/** linux IP_VS_IFNAME_MAXLEN. */
const IP_VS_IFNAME_MAXLEN = 16;
/** NFT_TABLE_MAXNAMELEN with current kernel headers (NFT_NAME_MAXLEN). */
const NFT_TABLE_MAXNAMELEN = 256;

/** keepalived lvs_timeouts(): `tcp N`, `tcpfin N`, `udp N`, each 0..LVS_MAX_TIMEOUT. */
const lvsTimeouts: Check = (ctx, _d, k, args) => {
  if (args.length < 2) return err(ctx, 'lvs_timeouts requires at least one option', k, 'CFG_GLOBAL_MISSING');
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    if (w.text !== 'tcp' && w.text !== 'tcpfin' && w.text !== 'udp') {
      err(ctx, `Unknown option ${w.text} specified for lvs_timeouts`, w, 'CFG_GLOBAL_OPTION');
      continue;
    }
    const v = args[i + 1];
    if (v === undefined) {
      err(ctx, `No value specified for lvs_timeout ${w.text} - ignoring`, w, 'CFG_GLOBAL_MISSING');
      continue;
    }
    if (readUnsigned(ctx, v, 0, LVS_MAX_TIMEOUT) === null) err(ctx, `Invalid lvs_timeout ${w.text} (${v.text}) - ignoring`, v);
    i++;
  }
};

/** keepalived lvs_syncd_handler(): `lvs_sync_daemon IF [inst NAME] [id N] [maxlen N] ...`. */
const lvsSyncDaemon: Check = (ctx, draft, k, args) => {
  const st = state(draft);
  if (st.lvsSyncdIf !== null) {
    return err(ctx, `lvs_sync_daemon has already been specified as ${st.lvsSyncdIf} ${st.lvsSyncdInst ?? ''} - ignoring`, k, 'CFG_GLOBAL_DUPLICATE');
  }
  const ifw = args[0];
  if (ifw === undefined) return err(ctx, 'lvs_sync_daemon requires interface', k, 'CFG_GLOBAL_MISSING');
  if (ifw.text.length >= IP_VS_IFNAME_MAXLEN) return err(ctx, `lvs_sync_daemon interface name '${ifw.text}' too long - ignoring`, ifw);
  st.lvsSyncdIf = ifw.text;
  const numeric: Record<string, { min: number; max: number; bad: (v: string) => string }> = {
    id: { min: 0, max: 255, bad: (v) => `Invalid syncid (${v}) - defaulting to vrid` },
    maxlen: { min: 1, max: 65535 - 20 - 8, bad: (v) => `Invalid lvs_sync_daemon maxlen (${v}) - ignoring` },
    port: { min: 1, max: 65535, bad: (v) => `Invalid lvs_sync_daemon port (${v}) - ignoring` },
    ttl: { min: 1, max: 255, bad: (v) => `Invalid lvs_sync_daemon ttl (${v}) - ignoring` },
  };
  // Indices are keepalived's: the keyword is word 0, the interface word 1.
  for (let i = 2; i <= args.length; i++) {
    const w = args[i - 1] as Word;
    const opt = w.text;
    if (opt === 'inst') {
      if (st.lvsSyncdInst !== null) {
        err(ctx, `lvs_sync_daemon vrrp instance has already been specified as ${st.lvsSyncdInst} - ignoring`, w, 'CFG_GLOBAL_DUPLICATE');
      } else {
        const v = requireArg(ctx, k, args, i);
        if (v === null) return;
        st.lvsSyncdInst = v.text;
      }
      i++;
      continue;
    }
    const spec = numeric[opt];
    if (spec !== undefined || opt === 'group') {
      const v = args[i];
      if (v === undefined) {
        const tail = opt === 'id' ? ', defaulting to vrid' : ' - ignoring';
        err(ctx, `No value specified for lvs_sync_daemon ${opt}${tail}`, w, 'CFG_GLOBAL_MISSING');
        continue;
      }
      if (spec !== undefined) {
        if (readUnsigned(ctx, v, spec.min, spec.max) === null) err(ctx, spec.bad(v.text), v);
      } else {
        const a = parseInetAddress(v.text);
        if (a === null) err(ctx, `Invalid lvs_sync_daemon group (${v.text}) - ignoring`, v);
        else if (a.family === 4 ? !isIpv4Multicast(a.address) : ((parseIpv6(a.address)?.[0] ?? 0) >> 8) !== 0xff) {
          err(ctx, `lvs_sync_daemon group address ${v.text} is not multicast - ignoring`, v);
        }
      }
      i++;
      continue;
    }
    // keepalived: the old form `lvs_sync_daemon IF VRRP_INSTANCE [SYNC_ID]`.
    if (i === 2) {
      st.lvsSyncdInst = opt;
      continue;
    }
    if (i === 3) {
      if (readUnsigned(ctx, w, 0, 255) === null) err(ctx, `Invalid syncid (${opt}) - defaulting to vrid`, w);
      else err(ctx, 'Please use keyword "id" before lvs_sync_daemon SYNCID', w);
      continue;
    }
    err(ctx, `Unknown option ${opt} specified for lvs_sync_daemon`, w, 'CFG_GLOBAL_OPTION');
  }
};

/** keepalived vrrp_nftables_handler() / ipvs_nftables_handler(). */
function nftables(name: 'nftables' | 'nftables_ipvs'): Check {
  const what = name === 'nftables' ? 'nftables' : 'ipvs nftables';
  return (ctx, draft, k, args) => {
    const st = state(draft);
    const already = name === 'nftables' ? st.nftTable : st.ipvsNftTable;
    if (already) return err(ctx, `${what} already specified - ignoring`, k, 'CFG_GLOBAL_DUPLICATE');
    const w = args[0];
    if (w !== undefined && w.text.length >= NFT_TABLE_MAXNAMELEN) return err(ctx, `${what} table name too long - ignoring`, w);
    if (name === 'nftables') st.nftTable = true;
    else st.ipvsNftTable = true;
  };
}

/** keepalived nftables_priority / nftables_ipvs_priority: any 32-bit integer. */
function nftPriority(what: string): Check {
  return (ctx, _d, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w && readInt(ctx, w, INT_MIN, INT_MAX) === null) {
      ctx.report('INVALID_NUMBER', 'CFG_GLOBAL_VALUE', `invalid ${what} chain priority '${w.text}'`, w);
    }
  };
}

export const lvsGlobalKeywords: readonly KeywordDef<ConfigDraft>[] = [
  globalBool('smtp_alert_checker'),
  rare('checker_log_all_failures', (ctx, _d, _k, args) => {
    optionalBool(ctx, args, () => 'Invalid value for checker_log_all_failures specified');
  }),
  rare('disable_local_igmp'),
  rare('lvs_timeouts', lvsTimeouts),
  rare('lvs_flush'),
  ...['lvs_flush_on_stop', 'lvs_flush_onstop'].map((name) =>
    rare(name, (ctx, _d, _k, args) => {
      const w = args[0];
      if (w !== undefined && w.text !== 'VS') err(ctx, `Unknown lvs_flush_on_stop type ${w.text}`, w, 'CFG_GLOBAL_OPTION');
    }),
  ),
  rare('lvs_sync_daemon', lvsSyncDaemon),
  // keepalived 2.2.7 as Debian builds it (nftables, no iptables): vrrp_iptables is refused,
  // and vrrp_ipsets is not even installed; both get the iptables message here.
  ...['vrrp_iptables', 'vrrp_ipsets'].map((name) =>
    rare(name, (ctx, draft, k) => {
      err(ctx, "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option", k, 'CFG_GLOBAL_UNSUPPORTED');
      state(draft).nftTable = true;
    }),
  ),
  rare('nftables', nftables('nftables')),
  rare('nftables_priority', nftPriority('nftables')),
  rare('nftables_ifindex'),
  rare('nftables_ipvs', nftables('nftables_ipvs')),
  rare('nftables_ipvs_priority', nftPriority('ipvs nftables')),
  rare('nftables_ipvs_start_fwmark', (ctx, _d, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w && readUnsigned(ctx, w, 1, UINT_MAX) === null) {
      ctx.report('INVALID_NUMBER', 'CFG_GLOBAL_VALUE', `invalid ipvs nftables start_fwmark priority '${w.text}'`, w);
    }
  }),
  rare('nftables_counters'),
  globalBool('rs_init_notifies'),
  globalBool('no_checker_emails'),
];
