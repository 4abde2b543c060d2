/**
 * The `global_defs { }` block: every keyword keepalived 2.2.7 installs there, with its value
 * syntax, ranges and messages. The ones tsvrrpd acts on (router id, email, VRRP protocol
 * defaults, GARP, FIFOs, script user...) fill GlobalDraft here; scripts and FIFOs are in
 * global-defs-scripts.ts, the recognised-but-not-implemented ones in global-defs-rare.ts (and
 * the -process/-lvs files it gathers); global-defs-root.ts has the top-level keywords
 * keepalived's global parser installs outside the block.
 * Handlers only record and report: defaults that depend on other settings (router id from the
 * host name, lower-priority GARP inheriting the master values) are applied by build.ts.
 * keepalived: core/global_parser.c init_global_keywords() and its handlers.
 */
import { block, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import { DEFAULT_GARP, type ConfigDraft, type GlobalDraft } from '../draft';
import { optionalBool, readDecimal, readInt, readUnsigned, requireArg, TIMER_PLACES, US_PER_SEC } from '../values';
import { isIpv4Multicast } from '../addresses';
import { reportNotImplemented } from './common';
import { parseInetAddress, smtpHost } from './global-defs-inet';
import { globalScriptKeywords } from './global-defs-scripts';
import { globalRareKeywords } from './global-defs-rare';
import { globalRootKeywords } from './global-defs-root';

export { globalRootKeywords };

const UINT_MAX = 4294967295;
const INT_MAX = 2147483647;
/** keepalived: seconds stored as TIMER_HZ units in an unsigned int (UINT_MAX / TIMER_HZ). */
const MAX_TIMER_SEC = Math.floor(UINT_MAX / US_PER_SEC);
/** keepalived SMTP_PORT_STR. */
const SMTP_PORT = 25;

type Handler = (ctx: KeywordContext, g: GlobalDraft, k: Word, args: readonly Word[]) => void;

/** A keyword whose handler works on GlobalDraft (the block's scope is the whole ConfigDraft). */
function gkw(name: string, handle: Handler): KeywordDef<ConfigDraft> {
  return { name, handle: (ctx, draft, k, args) => handle(ctx, draft.global, k, args) };
}

function err(ctx: KeywordContext, message: string, w?: Word, code = 'CFG_GLOBAL_VALUE'): void {
  ctx.report('GENERAL_ERROR', code, message, w);
}

/** The first argument as an unsigned number (missing: keepalived exits 2); `bad` on failure. */
function unsignedArg(ctx: KeywordContext, k: Word, args: readonly Word[], min: number, max: number, bad: (t: string) => string): number | null {
  const w = requireArg(ctx, k, args, 0);
  if (w === null) return null;
  const v = readUnsigned(ctx, w, min, max);
  if (v === null) err(ctx, bad(w.text), w);
  return v;
}

/**
 * keepalived read_decimal_unsigned_strvec(..., ignore_error = true) outside strict builds: a
 * number with trailing garbage is reported but, unlike the integer readers, still accepted when
 * the digits read so far are in range (`vrrp_startup_delay 2000abc` is 2000 us).
 */
function lenientDecimal(ctx: KeywordContext, w: Word, min: number, max: number): number | null {
  return readDecimal(ctx, w, min, max, TIMER_PLACES, true);
}

/** keepalived `<BOOL>` keyword setting a boolean (absent = true); null when invalid. */
function boolArg(ctx: KeywordContext, args: readonly Word[], message: (bad: string) => string): boolean | null {
  return optionalBool(ctx, args, message);
}

/** keepalived email_handler(): the value block's words are the recipients. */
const notificationEmail: Handler = (ctx, g, k, args) => {
  let lines = 0;
  ctx.readValueBlock(k, args, (words) => {
    lines++;
    g.notificationEmail = [...g.notificationEmail, ...words.map((w) => w.text)];
  });
  if (lines === 0) err(ctx, 'Warning - empty notification_email block', k, 'CFG_EMPTY_BLOCK');
};

/**
 * keepalived smtpserver_handler(): `smtp_server IP|NAME [PORT]`. An address is tried first
 * (unless the text has a '-' or '/'), then a name; each attempt reads the port, so a bad port
 * after an address is reported twice, as keepalived does. A failed line unsets the server.
 */
const smtpServer: Handler = (ctx, g, k, args) => {
  const host = requireArg(ctx, k, args, 0);
  if (host === null) return;
  const portWord = args[1];
  const port = (): number | null => (portWord ? readUnsigned(ctx, portWord, 1, 65535) : SMTP_PORT);
  let server: { host: string; port: number } | null = null;
  if (!/[-/]/.test(host.text)) {
    const p = port();
    const a = p === null ? null : parseInetAddress(host.text);
    if (p !== null && a !== null) server = { host: a.address, port: p };
  }
  if (server === null) {
    const p = port();
    const h = p === null ? null : smtpHost(host.text);
    if (p !== null && h !== null) server = { host: h, port: p };
  }
  g.smtpServer = server;
  if (server === null) err(ctx, `Invalid smtp server ${host.text} ${portWord?.text ?? String(SMTP_PORT)}`, host, 'CFG_SMTP_SERVER');
};

/** keepalived smtpto_handler(): seconds 0..4294; 0 becomes 1 with an error. */
const smtpConnectTimeout: Handler = (ctx, g, k, args) => {
  const v = unsignedArg(ctx, k, args, 0, MAX_TIMER_SEC, (t) => `smtp_connect_timeout '${t}' must be in [0, ${MAX_TIMER_SEC}] - ignoring`);
  if (v === null) return;
  if (v === 0) {
    // keepalived's message really spells it "conect".
    ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_ADJUSTED', 'smtp_conect_timeout must be greater than 0, setting to 1', args[0]);
  }
  g.smtpConnectTimeoutSec = Math.max(v, 1);
};

/** keepalived vrrp_mcast_group4_handler(). */
const mcastGroup4: Handler = (ctx, g, k, args) => {
  const w = requireArg(ctx, k, args, 0);
  if (w === null) return;
  const a = parseInetAddress(w.text);
  if (a === null) return err(ctx, `Can't parse vrrp_mcast_group4 [${w.text}]. Skipping`, w, 'CFG_MCAST_GROUP');
  if (a.family !== 4) return err(ctx, `vrrp_mcast_group4 [${w.text}] is not IPv4. Skipping`, w, 'CFG_MCAST_GROUP');
  if (!isIpv4Multicast(a.address)) return err(ctx, `vrrp_mcast_group4 [${w.text}] is not multicast. Skipping`, w, 'CFG_MCAST_GROUP');
  g.vrrpMcastGroup4 = a.address;
};

/** keepalived vrrp_garp_rep_handler() / vrrp_garp_refresh_rep_handler(): 0 becomes 1. */
function garpRepeat(name: string, set: (g: GlobalDraft, v: number) => void): Handler {
  return (ctx, g, k, args) => {
    const v = unsignedArg(ctx, k, args, 0, UINT_MAX, (t) => `${name} '${t}' invalid - ignoring`);
    if (v === null) return;
    if (v === 0) ctx.report('GENERAL_ERROR', 'CFG_GLOBAL_ADJUSTED', `${name} must be greater than 0, setting to 1`, args[0]);
    set(g, Math.max(v, 1));
  };
}

/** keepalived vrrp_min_garp_handler(): one GARP, no second burst, no refresh - but only for
 * the values still at their defaults when the line is read (later lines override it). */
const minGarp: Handler = (ctx, g, _k, args) => {
  const on = boolArg(ctx, args, () => 'Invalid value for vrrp_min_garp specified');
  if (on !== true) return;
  g.vrrpMinGarp = true;
  if (g.garp.masterRepeat === DEFAULT_GARP.masterRepeat) g.garp.masterRepeat = 1;
  if (g.garp.masterRefreshSec === DEFAULT_GARP.masterRefreshSec) g.garp.masterRefreshSec = 0;
  if (g.garp.masterRefreshRepeat === DEFAULT_GARP.masterRefreshRepeat) g.garp.masterRefreshRepeat = 0;
  if (g.garp.masterDelaySec === DEFAULT_GARP.masterDelaySec) g.garp.masterDelaySec = 0;
};

/** keepalived vrrp_garp_interval_handler() / vrrp_gna_interval_handler(): 0.000001..4294.967295 s. */
function pacing(name: string, field: 'garpIntervalUs' | 'gnaIntervalUs'): Handler {
  return (ctx, g, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = lenientDecimal(ctx, w, 1, UINT_MAX);
    if (v === null) err(ctx, `${name} '${w.text}' is invalid`, w);
    else g[field] = v;
    if (g[field] >= US_PER_SEC) ctx.report('NOTICE', 'CFG_LARGE_VALUE', `The ${name} is very large - ${w.text} seconds`, w);
  };
}

const coreKeywords: readonly KeywordDef<ConfigDraft>[] = [
  gkw('router_id', (ctx, g, k, args) => {
    if (args[0] === undefined) return err(ctx, 'routerid name missing - ignoring', k, 'CFG_GLOBAL_MISSING');
    g.routerId = args[0].text;
  }),
  gkw('notification_email', notificationEmail),
  gkw('notification_email_from', (ctx, g, k, args) => {
    if (args[0] === undefined) return err(ctx, 'emailfrom missing - ignoring', k, 'CFG_GLOBAL_MISSING');
    g.notificationEmailFrom = args[0].text;
  }),
  gkw('smtp_server', smtpServer),
  gkw('smtp_helo_name', (_ctx, g, _k, args) => {
    // keepalived: silently nothing without a name.
    if (args[0] !== undefined) g.smtpHeloName = args[0].text;
  }),
  gkw('smtp_connect_timeout', smtpConnectTimeout),
  gkw('smtp_alert', (ctx, g, _k, args) => {
    const b = boolArg(ctx, args, (bad) => `Invalid value '${bad}' for global smtp_alert specified`);
    if (b !== null) g.smtpAlert = b;
  }),
  gkw('smtp_alert_vrrp', (ctx, g, _k, args) => {
    const b = boolArg(ctx, args, (bad) => `Invalid value '${bad}' for global smtp_alert_vrrp specified`);
    if (b !== null) g.smtpAlertVrrp = b;
  }),
  gkw('no_email_faults', (_ctx, g) => {
    g.noEmailFaults = true;
  }),
  gkw('dynamic_interfaces', (ctx, g, _k, args) => {
    g.dynamicInterfaces = true;
    const opt = args[0];
    if (opt === undefined) return;
    if (opt.text === 'allow_if_changes') reportNotImplemented(ctx, opt, 'global_defs dynamic_interfaces');
    else err(ctx, `Unknown dynamic_interfaces option '${opt.text}'`, opt, 'CFG_GLOBAL_OPTION');
  }),
  gkw('default_interface', (ctx, g, k, args) => {
    if (args[0] === undefined) return err(ctx, 'default_interface requires interface name', k, 'CFG_GLOBAL_MISSING');
    g.defaultInterface = args[0].text;
  }),
  gkw('vrrp_version', (ctx, g, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = readInt(ctx, w, 2, 3);
    if (v === null) return err(ctx, 'VRRP Error: Version must be either 2 or 3', w);
    g.vrrpVersion = v === 3 ? 3 : 2;
  }),
  gkw('vrrp_mcast_group4', mcastGroup4),
  gkw('vrrp_garp_master_delay', (ctx, g, k, args) => {
    const v = unsignedArg(ctx, k, args, 0, MAX_TIMER_SEC, (t) => `vrrp_garp_master_delay '${t}' invalid - ignoring`);
    if (v === null) return;
    g.garp.masterDelaySec = v;
    g.garpMasterDelaySet = true;
  }),
  gkw(
    'vrrp_garp_master_repeat',
    garpRepeat('vrrp_garp_master_repeat', (g, v) => {
      g.garp.masterRepeat = v;
      g.garpMasterRepeatSet = true;
    }),
  ),
  gkw('vrrp_garp_master_refresh', (ctx, g, k, args) => {
    const v = unsignedArg(ctx, k, args, 0, UINT_MAX, (t) => `Invalid vrrp_garp_master_refresh '${t}' - ignoring`);
    // keepalived: an invalid refresh turns refreshing off rather than keeping the old value.
    g.garp.masterRefreshSec = v ?? 0;
    if (v !== null) g.garpMasterRefreshSet = true;
  }),
  gkw(
    'vrrp_garp_master_refresh_repeat',
    garpRepeat('vrrp_garp_master_refresh_repeat', (g, v) => {
      g.garp.masterRefreshRepeat = v;
    }),
  ),
  gkw('vrrp_garp_lower_prio_delay', (ctx, g, k, args) => {
    const v = unsignedArg(ctx, k, args, 0, MAX_TIMER_SEC, (t) => `vrrp_garp_lower_prio_delay '${t}' invalid - ignoring`);
    if (v === null) return;
    g.garp.lowerPrioDelaySec = v;
    g.garpLowerPrioDelaySet = true;
  }),
  gkw('vrrp_garp_lower_prio_repeat', (ctx, g, k, args) => {
    const v = unsignedArg(ctx, k, args, 0, INT_MAX, (t) => `Invalid vrrp_garp_lower_prio_repeat '${t}'`);
    if (v === null) return;
    g.garp.lowerPrioRepeat = v;
    g.garpLowerPrioRepeatSet = true;
  }),
  gkw('vrrp_down_timer_adverts', (ctx, g, k, args) => {
    const v = unsignedArg(ctx, k, args, 1, 100, (t) => `Invalid vrrp_down_timer_adverts [1:100] '${t}'`);
    if (v !== null) g.downTimerAdverts = v;
  }),
  gkw('vrrp_garp_interval', pacing('vrrp_garp_interval', 'garpIntervalUs')),
  gkw('vrrp_gna_interval', pacing('vrrp_gna_interval', 'gnaIntervalUs')),
  gkw('vrrp_min_garp', minGarp),
  gkw('vrrp_lower_prio_no_advert', (ctx, g, _k, args) => {
    const b = boolArg(ctx, args, () => 'Invalid value for vrrp_lower_prio_no_advert specified');
    if (b === null) return;
    g.lowerPrioNoAdvert = b;
    g.lowerPrioNoAdvertSet = true;
  }),
  gkw('vrrp_higher_prio_send_advert', (ctx, g, _k, args) => {
    const b = boolArg(ctx, args, () => 'Invalid value for vrrp_higher_prio_send_advert specified');
    if (b === null) return;
    g.higherPrioSendAdvert = b;
    g.higherPrioSendAdvertSet = true;
  }),
  // keepalived: these three are plain flags; any argument (even "no") is ignored.
  gkw('vrrp_check_unicast_src', (_ctx, g) => {
    g.checkUnicastSrc = true;
  }),
  gkw('vrrp_skip_check_adv_addr', (_ctx, g) => {
    g.skipCheckAdvAddr = true;
  }),
  gkw('vrrp_strict', (_ctx, g) => {
    g.strict = true;
  }),
  gkw('vrrp_startup_delay', (ctx, g, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = lenientDecimal(ctx, w, US_PER_SEC / 1000, UINT_MAX);
    if (v === null) err(ctx, `vrrp_startup_delay '${w.text}' is invalid`, w);
    else g.startupDelayUs = v;
    if (g.startupDelayUs >= 60 * US_PER_SEC) ctx.report('NOTICE', 'CFG_LARGE_VALUE', `The vrrp_startup_delay is very large - ${w.text} seconds`, w);
  }),
];

const globalDefsTable = table<ConfigDraft>(...coreKeywords, ...globalScriptKeywords, ...globalRareKeywords);

/**
 * `global_defs { ... }`. The handlers fill `draft.global`; the scope is the whole draft because
 * the FIFO scripts also join the script-security list (`draft.scriptCommands`).
 */
export const globalDefsBlock: KeywordDef<ConfigDraft> = block<ConfigDraft, ConfigDraft>('global_defs', (_ctx, draft) => draft, globalDefsTable);
