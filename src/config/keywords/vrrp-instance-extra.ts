/**
 * The rest of `vrrp_instance`: notify scripts, SMTP alerts, GARP overrides, the per-instance
 * versions of global switches, and the keywords tsvrrpd recognises but does not act on (VMAC,
 * ipvlan, VRF, BFD, process tracking...). keepalived: vrrp_parser.c vrrp_notify_*_handler(),
 * vrrp_garp_*_handler() and friends.
 */
import { kw, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { InstanceScope } from './vrrp-instance';
import type { Notifications } from '../model';
import { optionalBool, parseBool, readUnsigned, requireArg } from '../values';
import { parseNotifyScript } from './notify';
import { notImplemented, reportNotImplemented } from './common';

type Def = KeywordDef<InstanceScope>;
type NotifySlot = 'master' | 'backup' | 'fault' | 'stop' | 'deleted' | 'generic' | 'masterRxLowerPri';

function notifyKeyword(name: string, slot: NotifySlot): Def {
  return kw(name, (ctx, { draft, inst }, k, args) => {
    const notify = inst.notify;
    if (slot === 'deleted' && args.length === 0) {
      // `notify_deleted` alone: report DELETED instead of FAULT (keepalived vrrp_notify_deleted_handler()).
      notify.deletedReported = true;
      return;
    }
    if (notify[slot] !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_NOTIFY_TWICE', `(${inst.name}) ${name} script already specified - ignoring ${args[0]?.text ?? ''}`, args[0]);
      return;
    }
    const cmd = parseNotifyScript(ctx, draft, k, args);
    if (cmd === null) return;
    (notify as { -readonly [K in keyof Notifications]: Notifications[K] })[slot] = cmd;
    if (slot === 'deleted') notify.deletedReported = true;
    inst.notifyExec = true;
  });
}

/** `garp_*` numeric overrides: read an unsigned, apply `set`, keepalived's message otherwise. */
function garpNumber(
  name: string,
  max: number,
  badMessage: (iname: string, text: string) => string,
  set: (s: InstanceScope, v: number, ctx: KeywordContext, w: Word) => void,
): Def {
  return kw(name, (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, max);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_GARP_VALUE', badMessage(s.inst.name, w.text), w);
      return;
    }
    set(s, v, ctx, w);
  });
}

/** `KEYWORD [<BOOL>]` switches; absent value means true. */
function boolSwitch(name: string, message: (iname: string, bad: string) => string, set: (s: InstanceScope, v: boolean) => void): Def {
  return kw(name, (ctx, s, _k, args) => {
    const v = optionalBool(ctx, args, (bad) => message(s.inst.name, bad));
    if (v !== null) set(s, v);
  });
}

const UINT_MAX = 4294967295;
const WHERE = 'vrrp_instance';

export const instanceExtraKeywords: readonly Def[] = [
  notifyKeyword('notify_master', 'master'),
  notifyKeyword('notify_backup', 'backup'),
  notifyKeyword('notify_fault', 'fault'),
  notifyKeyword('notify_stop', 'stop'),
  notifyKeyword('notify_deleted', 'deleted'),
  notifyKeyword('notify', 'generic'),
  notifyKeyword('notify_master_rx_lower_pri', 'masterRxLowerPri'),
  kw('smtp_alert', (ctx, { inst }, _k, args) => {
    const w = args[0];
    if (w === undefined) {
      inst.smtpAlert = true;
      return;
    }
    const v = parseBool(w.text);
    if (v === null) ctx.report('GENERAL_ERROR', 'CFG_SMTP_ALERT', `Invalid vrrp_instance smtp_alert parameter ${w.text}`, w);
    else inst.smtpAlert = v;
  }),
  kw('notify_priority_changes', (ctx, { inst }, k, args) => {
    const w = args[0];
    if (w !== undefined && parseBool(w.text) === null) {
      ctx.report('GENERAL_ERROR', 'CFG_NOTIFY_PRIO', `(${inst.name}) Invalid value '${w.text}' for notify_priority_changes specified`, w);
      return;
    }
    reportNotImplemented(ctx, k, WHERE);
  }),
  garpNumber('garp_master_delay', Math.floor(UINT_MAX / 1e6), (n, t) => `(${n}): garp_master_delay '${t}' invalid - ignoring`, ({ inst }, v) => {
    inst.garp.masterDelaySec = v;
  }),
  kw('garp_master_refresh', (ctx, { inst }, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (!w) return;
    const v = readUnsigned(ctx, w, 0, UINT_MAX);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_GARP_VALUE', `(${inst.name}): Invalid garp_master_refresh '${w.text}' - ignoring`, w);
      inst.garp.masterRefreshSec = 0;
    } else {
      inst.garp.masterRefreshSec = v;
    }
  }),
  garpNumber('garp_master_repeat', UINT_MAX, (n, t) => `(${n}): garp_master_repeat '${t}' invalid - ignoring`, ({ inst }, v, ctx, w) => {
    if (v === 0) ctx.report('GENERAL_ERROR', 'CFG_GARP_ZERO', `(${inst.name}): garp_master_repeat must be greater than 0, setting to 1`, w);
    inst.garp.masterRepeat = Math.max(v, 1);
  }),
  garpNumber('garp_master_refresh_repeat', UINT_MAX, (n, t) => `(${n}): garp_master_refresh_repeat '${t}' invalid - ignoring`, ({ inst }, v, ctx, w) => {
    if (v === 0) ctx.report('GENERAL_ERROR', 'CFG_GARP_ZERO', `(${inst.name}): garp_master_refresh_repeat must be greater than 0, setting to 1`, w);
    inst.garp.masterRefreshRepeat = Math.max(v, 1);
  }),
  garpNumber('garp_lower_prio_delay', Math.floor(UINT_MAX / 1e6), (n, t) => `(${n}): garp_lower_prio_delay '${t}' invalid - ignoring`, ({ inst }, v) => {
    inst.garp.lowerPrioDelaySec = v;
    inst.garpLowerPrioDelaySet = true;
  }),
  garpNumber('garp_lower_prio_repeat', 2147483647, (n, t) => `(${n}): Invalid garp_lower_prio_repeat '${t}'`, ({ inst }, v) => {
    inst.garp.lowerPrioRepeat = v;
    inst.garpLowerPrioRepeatSet = true;
  }),
  boolSwitch('lower_prio_no_advert', (n, b) => `(${n}) invalid lower_prio_no_advert ${b} specified`, ({ inst }, v) => {
    inst.lowerPrioNoAdvert = v;
  }),
  boolSwitch('higher_prio_send_advert', (n, b) => `(${n}) invalid higher_prio_send_advert ${b} specified`, ({ inst }, v) => {
    inst.higherPrioSendAdvert = v;
  }),
  kw('skip_check_adv_addr', (ctx, { inst }, _k, args) => {
    // keepalived sets the flag for any valid boolean, even "off" (vrrp_skip_check_adv_addr_handler()).
    const v = optionalBool(ctx, args, (b) => `(${inst.name}) invalid skip_check_adv_addr ${b} specified`);
    if (v !== null) inst.skipCheckAdvAddr = true;
  }),
  boolSwitch('strict_mode', (n, b) => `(${n}) invalid strict_mode ${b} specified`, ({ inst }, v) => {
    inst.strictMode = v;
  }),
  kw('accept', (_ctx, { inst }) => {
    inst.accept = true;
  }),
  kw('no_accept', (_ctx, { inst }) => {
    inst.accept = false;
  }),
  kw('promote_secondaries', (_ctx, { inst }) => {
    inst.promoteSecondaries = true;
  }),
  kw('debug', (ctx, { inst }, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (!w) return;
    if (readUnsigned(ctx, w, 0, 4) === null) {
      ctx.report('GENERAL_ERROR', 'CFG_DEBUG', `(${inst.name}) Debug value '${w.text}' not valid; must be between 0-4`, w);
    }
    reportNotImplemented(ctx, k, WHERE);
  }),
  kw('kernel_rx_buf_size', (ctx, { inst }, k, args) => {
    const w = args[0];
    if (args.length !== 1 || w === undefined || readUnsigned(ctx, w, 0, UINT_MAX) === null) {
      ctx.report('GENERAL_ERROR', 'CFG_RX_BUF', `(${inst.name}) invalid kernel_rx_buf_size specified`, w ?? k);
      return;
    }
    reportNotImplemented(ctx, k, WHERE);
  }),
  kw('linkbeat_use_polling', (ctx, { inst }, k) => {
    ctx.report('GENERAL_ERROR', 'CFG_LINKBEAT_DEPRECATED', `(${inst.name}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block`, k);
  }),
  kw('lvs_sync_daemon_interface', (ctx, { inst }, k, args) => {
    if (!requireArg(ctx, k, args, 0)) return;
    ctx.report('GENERAL_ERROR', 'CFG_LVS_SYNCD_DEPRECATED', `(${inst.name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.`, k);
    ctx.report('GENERAL_ERROR', 'CFG_LVS_SYNCD_DEPRECATED', '      Please use global lvs_sync_daemon', k);
  }),
  kw('use_vmac', (ctx, { inst }, k) => {
    inst.useVmac = true;
    reportNotImplemented(ctx, k, WHERE);
  }),
  notImplemented('use_vmac_addr', WHERE),
  notImplemented('vmac_xmit_base', WHERE),
  notImplemented('use_ipvlan', WHERE),
  notImplemented('native_ipv6', WHERE),
  notImplemented('vrf', WHERE),
  notImplemented('track_src_ip', WHERE),
  notImplemented('old_unicast_checksum', WHERE),
  notImplemented('track_process', WHERE, { valueBlock: true }),
  notImplemented('track_bfd', WHERE, { valueBlock: true }),
  kw('garp_extra_if', (ctx, _s, k) => reportNotImplemented(ctx, k, WHERE)),
  kw('vmac_garp_intvl', (ctx, _s, k) => {
    ctx.report('DEPRECATED', 'CFG_DEPRECATED', 'Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"', k);
    reportNotImplemented(ctx, k, WHERE);
  }),
];
