/**
 * The `vrrp_instance NAME { ... }` block: identity, addressing, election and tracking
 * keywords, with keepalived 2.2.7's value syntax, ranges and messages. Notification, GARP and
 * the rarer per-instance switches are in vrrp-instance-extra.ts. keepalived: vrrp_parser.c
 * vrrp_handler() and the vrrp_*_handler() functions it installs.
 */
import { block, kw, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import { newInstanceDraft, type ConfigDraft, type InstanceDraft } from '../draft';
import { parseAddress, isIpv4Multicast } from '../addresses';
import { readDecimal, readInt, readUnsigned, requireArg, TIMER_MAX_SEC, US_PER_SEC } from '../values';
import { parseAddressLine } from './ip-address';
import { parseRouteLine, parseRuleLine } from './ip-route';
import { addTrackRef } from './track-refs';
import { checkInterface, MAX_IFNAME_LEN } from './interfaces';
import { instanceExtraKeywords } from './vrrp-instance-extra';

export interface InstanceScope {
  readonly draft: ConfigDraft;
  readonly inst: InstanceDraft;
}

type Def = KeywordDef<InstanceScope>;

/** A keyword that needs exactly one argument; `fn` gets it. */
function one(name: string, fn: (ctx: KeywordContext, s: InstanceScope, w: Word, args: readonly Word[]) => void): Def {
  return kw(name, (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w) fn(ctx, s, w, args);
  });
}

/** A value block whose lines go to `fn` (keepalived alloc_value_block()). */
function valueBlock(name: string, fn: (ctx: KeywordContext, s: InstanceScope, words: readonly Word[]) => void): Def {
  return kw(name, (ctx, s, k, args) => ctx.readValueBlock(k, args, (words) => fn(ctx, s, words)));
}

/** Family bookkeeping for addresses that fix the instance's family (keepalived vrrp->family). */
function sameFamily(inst: InstanceDraft, family: 4 | 6): boolean {
  if (inst.family === null) {
    inst.family = family;
    return true;
  }
  return inst.family === family;
}

function srcIp(ctx: KeywordContext, s: InstanceScope, w: Word, unicast: boolean): void {
  const { inst } = s;
  if (unicast) inst.unicastConfigured = true;
  const a = parseAddress(w.text);
  if (!a) {
    ctx.report('GENERAL_ERROR', 'CFG_BAD_SRC_IP', `Configuration error: VRRP instance[${inst.name}] malformed src address[${w.text}]. Skipping...`, w);
    return;
  }
  if (!sameFamily(inst, a.family)) {
    ctx.report('GENERAL_ERROR', 'CFG_SRC_IP_FAMILY', `Configuration error: VRRP instance[${inst.name}] and src address[${w.text}] MUST be of the same family !!! Skipping...`, w);
    return;
  }
  if (unicast) inst.unicastSrcIp = a.address;
  else inst.mcastSrcIp = a.address;
}

/** keepalived vrrp_data.c alloc_vrrp_unicast_peer(): `ADDR [min_ttl N] [max_ttl N]`. */
function unicastPeer(ctx: KeywordContext, s: InstanceScope, words: readonly Word[]): void {
  const { inst } = s;
  const first = words[0] as Word;
  const a = parseAddress(first.text);
  if (!a) {
    ctx.report('GENERAL_ERROR', 'CFG_BAD_PEER', `Configuration error: VRRP instance[${inst.name}] malformed unicast peer address[${first.text}]. Skipping...`, first);
    return;
  }
  if (!sameFamily(inst, a.family)) {
    ctx.report('GENERAL_ERROR', 'CFG_PEER_FAMILY', `Configuration error: VRRP instance[${inst.name}] and unicast peer address[${first.text}] MUST be of the same family !!! Skipping...`, first);
    return;
  }
  let minTtl: number | null = null;
  let maxTtl: number | null = null;
  for (let i = 1; i < words.length; i += 2) {
    const opt = words[i] as Word;
    const val = words[i + 1];
    if (opt.text !== 'min_ttl' && opt.text !== 'max_ttl') {
      ctx.report('GENERAL_ERROR', 'CFG_PEER_OPTION', `(${inst.name}) unknown unicast_peer option ${opt.text}`, opt);
      continue;
    }
    if (val === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_PEER_OPTION_VALUE', `(${inst.name}) ${opt.text} is missing a value`, opt);
      break;
    }
    const v = readUnsigned(ctx, val, 0, 255);
    if (v === null) continue;
    if (opt.text === 'min_ttl') minTtl = v;
    else maxTtl = v;
  }
  if (minTtl !== null && maxTtl !== null && minTtl > maxTtl) {
    ctx.report('GENERAL_ERROR', 'CFG_PEER_TTL', `(${inst.name}) min_ttl ${minTtl} > max_ttl ${maxTtl} - all packets will be discarded`, first);
  }
  inst.unicastPeers.push({ address: a.address, minTtl, maxTtl, at: ctx.at(first) });
  if (minTtl !== null || maxTtl !== null) inst.checkUnicastSrc = true;
}

function vip(excluded: boolean) {
  return (ctx: KeywordContext, s: InstanceScope, words: readonly Word[]): void => {
    const addr = parseAddressLine(ctx, s.draft, words, false);
    if (!addr) return;
    if (!excluded) {
      // keepalived vrrp_data.c alloc_vrrp_vip(): every VIP must match the instance family.
      if (!sameFamily(s.inst, addr.family)) {
        ctx.report('GENERAL_ERROR', 'CFG_VIP_FAMILY', `(${s.inst.name}): address family must match VRRP instance [${(words[0] as Word).text}] - ignoring`, words[0]);
        return;
      }
      s.inst.virtualIpaddress.push(addr);
    } else {
      s.inst.virtualIpaddressExcluded.push(addr);
    }
  };
}

const authenticationKeywords = table<InstanceScope>(
  one('auth_type', (ctx, { inst }, w) => {
    inst.auth ??= { type: null, password: null, at: ctx.at(w) };
    if (w.text === 'PASS' || w.text === 'AH') inst.auth.type = w.text;
    else ctx.report('GENERAL_ERROR', 'CFG_AUTH_TYPE', `(${inst.name}) unknown authentication type '${w.text}'`, w);
  }),
  one('auth_pass', (ctx, { inst }, w) => {
    inst.auth ??= { type: null, password: null, at: ctx.at(w) };
    let pass = w.text;
    // RFC 2338 §5.3.10: the password field is 8 octets; keepalived truncates longer ones.
    if (pass.length > 8) {
      ctx.report('GENERAL_ERROR', 'CFG_AUTH_PASS_TRUNCATED', 'Truncating auth_pass to 8 characters', w);
      pass = pass.slice(0, 8);
    }
    inst.auth.password = pass;
  }),
);

const coreKeywords: readonly Def[] = [
  one('state', (ctx, { inst }, w) => {
    if (w.text === 'MASTER') inst.state = 'MASTER';
    else if (w.text === 'BACKUP') {
      if (inst.state === 'MASTER') ctx.report('GENERAL_ERROR', 'CFG_STATE_TWICE', `(${inst.name}) state previously set as MASTER - ignoring BACKUP`, w);
      else inst.state = 'BACKUP';
    } else {
      ctx.report('GENERAL_ERROR', 'CFG_UNKNOWN_STATE', `(${inst.name}) unknown state '${w.text}', defaulting to BACKUP`, w);
      inst.state = 'BACKUP';
    }
  }),
  one('interface', (ctx, { draft, inst }, w) => {
    if (w.text.length > MAX_IFNAME_LEN) {
      ctx.report('GENERAL_ERROR', 'CFG_IFNAME_TOO_LONG', `Interface name '${w.text}' too long - ignoring`, w);
      return;
    }
    inst.interfaceAt = ctx.at(w);
    if (!checkInterface(ctx, draft, w, `WARNING - interface ${w.text} for vrrp_instance ${inst.name} doesn't exist`)) {
      inst.interface = null;
      return;
    }
    if (ctx.host.interface(w.text)?.loopback) {
      ctx.report('GENERAL_ERROR', 'CFG_LOOPBACK', `(${inst.name}) cannot use a loopback interface (${w.text}) for vrrp - ignoring`, w);
      inst.interface = null;
      return;
    }
    inst.interface = w.text;
  }),
  one('virtual_router_id', (ctx, { inst }, w) => {
    const v = readUnsigned(ctx, w, 1, 255);
    if (v === null) ctx.report('GENERAL_ERROR', 'CFG_VRID_RANGE', `(${inst.name}): VRID '${w.text}' not valid - must be between 1 & 255`, w);
    else inst.vrid = v;
  }),
  one('priority', (ctx, { inst }, w) => {
    const v = readUnsigned(ctx, w, 1, 255);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_PRIORITY_RANGE', `(${inst.name}) Priority not valid! must be between 1 & 255. Using default 100`, w);
      inst.priority = 100;
    } else {
      inst.priority = v;
    }
  }),
  one('advert_int', (ctx, { inst }, w) => {
    // Read in µs with keepalived's bounds (0.01 s .. 255 s); v2 rounding happens in build.ts.
    const v = readDecimal(ctx, w, 10_000, 255 * US_PER_SEC, 6, true);
    if (v === null || v <= 0) {
      ctx.report('GENERAL_ERROR', 'CFG_ADVERT_INT', `(${inst.name}) Advert interval (${w.text}) not valid! Must be > 0 - ignoring`, w);
      return;
    }
    inst.advertIntUs = v;
    inst.advertIntAt = ctx.at(w);
  }),
  one('version', (ctx, { inst }, w) => {
    const v = readInt(ctx, w, 2, 3);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_VERSION', `(${inst.name}): Version must be either 2 or 3`, w);
      return;
    }
    // keepalived vrrp_version_handler(): a second version, or v2 on IPv6, is ignored.
    if ((inst.version !== null && inst.version !== v) || (v === 2 && inst.family === 6)) {
      ctx.report('GENERAL_ERROR', 'CFG_VERSION_CONFLICT', `(${inst.name}) vrrp_version ${v} conflicts with configured or deduced version ${inst.version ?? 0}; ignoring.`, w);
      return;
    }
    inst.version = v === 2 ? 2 : 3;
  }),
  one('mcast_src_ip', (ctx, s, w) => srcIp(ctx, s, w, false)),
  one('unicast_src_ip', (ctx, s, w) => srcIp(ctx, s, w, true)),
  one('mcast_dst_ip', (ctx, { inst }, w) => {
    const a = parseAddress(w.text);
    if (!a) {
      ctx.report('GENERAL_ERROR', 'CFG_MCAST_DST', `(${inst.name}) malformed mcast dest address ${w.text}. Skipping...`, w);
      return;
    }
    if (!sameFamily(inst, a.family)) {
      ctx.report('GENERAL_ERROR', 'CFG_MCAST_DST_FAMILY', `(${inst.name}) mcast dest address ${w.text} MUST match VRRP instance family. Skipping...`, w);
      return;
    }
    const multicast = a.family === 4 ? isIpv4Multicast(a.address) : a.address.startsWith('ff02:');
    if (!multicast) {
      ctx.report('GENERAL_ERROR', 'CFG_MCAST_DST_NOT_MC', `(${inst.name}) mcast_dst_ip ${w.text} not${a.family === 6 ? ' link-local' : ''} multicast. Skipping...`, w);
      return;
    }
    inst.mcastDstIp = a.address;
  }),
  kw('unicast_peer', (ctx, s, k, args) => {
    s.inst.unicastConfigured = true;
    ctx.readValueBlock(k, args, (words) => unicastPeer(ctx, s, words));
  }),
  one('unicast_ttl', (ctx, { inst }, w) => {
    const v = readUnsigned(ctx, w, 0, 255);
    if (v === null) ctx.report('GENERAL_ERROR', 'CFG_UNICAST_TTL', `(${inst.name}): TTL '${w.text}' not valid - must be between 0 & 255`, w);
    else inst.unicastTtl = v;
  }),
  kw('unicast_fault_no_peer', (_ctx, { inst }) => {
    inst.unicastConfigured = true;
    inst.unicastFaultNoPeer = true;
  }),
  kw('check_unicast_src', (_ctx, { inst }) => {
    inst.unicastConfigured = true;
    inst.checkUnicastSrc = true;
  }),
  kw('nopreempt', (ctx, { inst }, k) => {
    inst.nopreempt = true;
    inst.nopreemptAt = ctx.at(k);
  }),
  kw('preempt', (_ctx, { inst }) => {
    inst.nopreempt = false;
  }),
  one('preempt_delay', (ctx, { inst }, w) => {
    const v = readDecimal(ctx, w, 0, TIMER_MAX_SEC * US_PER_SEC, 6, true);
    if (v === null) {
      ctx.report('GENERAL_ERROR', 'CFG_PREEMPT_DELAY', `(${inst.name}) Preempt_delay not valid! must be between 0-${TIMER_MAX_SEC}`, w);
      inst.preemptDelayUs = 0;
    } else {
      inst.preemptDelayUs = v;
      inst.preemptDelayAt = ctx.at(w);
    }
  }),
  block<InstanceScope, InstanceScope>('authentication', (_ctx, s) => s, authenticationKeywords),
  valueBlock('virtual_ipaddress', vip(false)),
  valueBlock('virtual_ipaddress_excluded', vip(true)),
  valueBlock('virtual_routes', (ctx, s, words) => {
    const r = parseRouteLine(ctx, s.draft, words);
    if (r) s.inst.virtualRoutes.push(r);
  }),
  valueBlock('virtual_rules', (ctx, s, words) => {
    const r = parseRuleLine(ctx, s.draft, words);
    if (r) s.inst.virtualRules.push(r);
  }),
  valueBlock('track_script', (ctx, s, words) => addTrackRef(ctx, s.draft, s.inst.name, 'script', words, s.inst.trackScripts)),
  valueBlock('track_interface', (ctx, s, words) => addTrackRef(ctx, s.draft, s.inst.name, 'interface', words, s.inst.trackInterfaces)),
  valueBlock('track_file', (ctx, s, words) => addTrackRef(ctx, s.draft, s.inst.name, 'file', words, s.inst.trackFiles)),
  kw('dont_track_primary', (_ctx, { inst }) => {
    inst.dontTrackPrimary = true;
  }),
  one('down_timer_adverts', (ctx, { inst }, w) => {
    const v = readUnsigned(ctx, w, 1, 100);
    if (v === null) ctx.report('GENERAL_ERROR', 'CFG_DOWN_TIMER_ADVERTS', `(${inst.name}): Invalid down_timer_adverts [1:100] '${w.text}'`, w);
    else inst.downTimerAdverts = v;
  }),
];

function instanceKeywords() {
  return table<InstanceScope>(...coreKeywords, ...instanceExtraKeywords);
}

/** The instance names of each draft, for the duplicate check (a scan per instance was O(n²)). */
const instanceNames = new WeakMap<ConfigDraft, Set<string>>();

/** keepalived vrrp_handler(): `vrrp_instance NAME {`. */
export const vrrpInstanceBlock = block<ConfigDraft, InstanceScope>(
  'vrrp_instance',
  (ctx, draft, k, args) => {
    if (args.length !== 1) {
      ctx.report('GENERAL_ERROR', 'CFG_INSTANCE_NAME', 'vrrp_instance must have a name', k);
      return null;
    }
    const name = (args[0] as Word).text;
    let names = instanceNames.get(draft);
    if (names === undefined) instanceNames.set(draft, (names = new Set(draft.instances.map((i) => i.name))));
    if (names.has(name)) {
      ctx.report('GENERAL_ERROR', 'CFG_INSTANCE_DUPLICATE', `vrrp instance ${name} already defined`, args[0]);
      return null;
    }
    const inst = newInstanceDraft(name, ctx.at(args[0]), draft.global);
    draft.instances.push(inst);
    names.add(name);
    return { draft, inst };
  },
  instanceKeywords,
  (ctx, { inst }) => {
    // keepalived vrrp_end_handler()
    if (inst.unicastPeers.length === 0 && inst.unicastTtl !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_UNICAST_TTL_NO_PEERS', `(${inst.name}): Cannot use unicast_ttl without unicast peers - resetting`);
      inst.unicastTtl = null;
    }
  },
);
