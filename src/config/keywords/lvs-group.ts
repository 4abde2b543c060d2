/**
 * `virtual_server_group NAME { ADDR[-END|/MASK] [PORT] | fwmark N [inet|inet6] ... }`: each
 * entry checked like keepalived's alloc_vsg_entry() (ranges, masks, port rules and messages),
 * empty or unusable groups dropped. Recorded as "not run".
 * keepalived: check_parser.c vsg_handler(); check_data.c alloc_vsg_entry(); utils.c inet_stor().
 */
import { kw, type KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { readUnsigned, requireArg } from '../values';
import { UINT_MAX } from './checkers-common';
import { recordNotRun } from './common';
import { portWord, stosockaddr, type Sockaddr } from './lvs-net';
import { lvsState, type VsgDraft } from './lvs-state';

/** strtoul(): the value (Infinity for a negative one) and the index where it stopped. */
function strtoul(s: string, base: 10 | 16): { value: number; end: number } {
  const m = (base === 10 ? /^([ \t\n\v\f\r]*)([+-]?)([0-9]+)/ : /^([ \t\n\v\f\r]*)([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/).exec(s);
  if (!m) return { value: 0, end: 0 };
  const v = parseInt(m[3] as string, base);
  return { value: m[2] === '-' && v !== 0 ? Infinity : v, end: m[0].length };
}

/** keepalived's host-bits test and range end for ADDR/MASK; null when the bits are not clear. */
function maskEnd(addr: Sockaddr, mask: number): Sockaddr | null {
  const w = [...addr.words];
  if (addr.family === 4) {
    if (mask >= 32) return addr;
    const host = mask === 0 ? 0xffffffff : (2 ** (32 - mask) - 1) >>> 0;
    const v = (((w[0] as number) << 24) | ((w[1] as number) << 16) | ((w[2] as number) << 8) | (w[3] as number)) >>> 0;
    if ((v & host) >>> 0 !== 0) return null;
    const e = (v | host) >>> 0;
    return { ...addr, words: [e >>> 24, (e >>> 16) & 255, (e >>> 8) & 255, e & 255] };
  }
  if (mask >= 128) return addr;
  const i = Math.floor(mask / 16);
  const bits = (1 << (16 - (mask % 16))) - 1;
  if (((w[i] as number) & bits) !== 0) return null;
  w[i] = (w[i] as number) | bits;
  for (let j = i + 1; j < 8; j++) {
    if (w[j] !== 0) return null;
    w[j] = 0xffff;
  }
  return { ...addr, words: w };
}

function compareWords(a: Sockaddr, b: Sockaddr): number {
  for (let i = 0; i < a.words.length; i++) {
    const d = (a.words[i] as number) - (b.words[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** The end of ADDR-END / ADDR-N (or ADDR itself); null after reporting why the entry is dropped. */
function rangeEnd(ctx: KeywordContext, text: string, addr: Sockaddr, port: Word | null, at: Word): Sockaddr | null {
  const dash = text.indexOf('-');
  if (dash < 0) return addr;
  const endStr = text.slice(dash + 1);
  if (endStr.includes(addr.family === 4 ? '.' : ':')) {
    const end = stosockaddr(ctx, endStr, port);
    if (end === null) {
      ctx.report('GENERAL_ERROR', 'CFG_VSG_RANGE', `Invalid range end ${text} - skipping`, at);
      return null;
    }
    if (end.family !== addr.family) {
      ctx.report('GENERAL_ERROR', 'CFG_VSG_RANGE', `Range address families do not match ${text} - skipping`, at);
      return null;
    }
    if (compareWords(end, addr) < 0) {
      ctx.report('GENERAL_ERROR', 'CFG_VSG_RANGE', `Address range end is less than address range start - ${text} - skipping`, at);
      return null;
    }
    return end;
  }
  // keepalived inet_stor(): the last octet (decimal) or last 16-bit word (hex) of the range.
  const r = strtoul(endStr, addr.family === 6 ? 16 : 10);
  if (r.end !== endStr.length) {
    ctx.report('INVALID_NUMBER', 'CFG_VSG_RANGE', `Virtual server group range '${text}' has extra characters at end '${endStr.slice(r.end)}'`, at);
    return null;
  }
  if (r.value > (addr.family === 6 ? 0xffff : 255)) {
    ctx.report('INVALID_NUMBER', 'CFG_VSG_RANGE', `Virtual server group range '${text}' end '${endStr}' too large`, at);
    return null;
  }
  const words = [...addr.words];
  const last = words.length - 1;
  if ((words[last] as number) >= r.value) {
    ctx.report('GENERAL_ERROR', 'CFG_VSG_RANGE', `Address range end is not greater than address range start - ${text} - skipping`, at);
    return null;
  }
  words[last] = r.value;
  return { ...addr, words };
}

function fwmarkEntry(ctx: KeywordContext, vsg: VsgDraft, words: readonly Word[]): void {
  const k = words[0] as Word;
  const w = requireArg(ctx, k, words.slice(1), 0);
  if (w === null) return;
  const mark = readUnsigned(ctx, w, 0, UINT_MAX);
  if (mark === null) {
    ctx.report('GENERAL_ERROR', 'CFG_VSG_FWMARK', `(${vsg.name}): fwmark '${w.text}' must be in [0, ${UINT_MAX}] - ignoring`, w);
    return;
  }
  const fam = words[2];
  if (fam === undefined) vsg.fwmarkNoFamily = true;
  else if (fam.text === 'inet') vsg.haveIpv4 = true;
  else if (fam.text === 'inet6') vsg.haveIpv6 = true;
  else {
    ctx.report('GENERAL_ERROR', 'CFG_VSG_FWMARK', `(${vsg.name}): fwmark '${mark}' family ${fam.text} unknown - ignoring`, fam);
    return;
  }
  vsg.fwmarks++;
}

/** keepalived alloc_vsg_entry(). */
function vsgEntry(ctx: KeywordContext, vsg: VsgDraft, words: readonly Word[]): void {
  const a = words[0] as Word;
  if (a.text === 'fwmark') {
    fwmarkEntry(ctx, vsg, words);
    return;
  }
  const port = portWord(words[1]);
  const addr = stosockaddr(ctx, a.text, port);
  if (addr === null) {
    const p = port ? `/port/${port.text}` : '';
    ctx.report('GENERAL_ERROR', 'CFG_VSG_ADDRESS', `Invalid virtual server group IP address ${a.text} ${p} - skipping`, a);
    return;
  }
  let end: Sockaddr | null;
  const slash = a.text.indexOf('/');
  if (slash >= 0) {
    const maskText = a.text.slice(slash + 1);
    const m = strtoul(maskText, 10);
    if (m.end !== maskText.length || m.value === 0 || m.value > (addr.family === 4 ? 32 : 128)) {
      ctx.report('GENERAL_ERROR', 'CFG_VSG_MASK', `Invalid netmask - ${a.text} - skipping`, a);
      return;
    }
    end = maskEnd(addr, m.value);
    if (end === null) {
      ctx.report('GENERAL_ERROR', 'CFG_VSG_MASK', `Address mask bits not empty - ${a.text} - skipping`, a);
      return;
    }
  } else {
    end = rangeEnd(ctx, a.text, addr, port, a);
    if (end === null) return;
  }
  vsg.ranges.push({ start: addr, end });
  if (addr.family === 4) vsg.haveIpv4 = true;
  else vsg.haveIpv6 = true;
}

export const virtualServerGroupKeyword = kw<ConfigDraft>('virtual_server_group', (ctx, draft, k, args) => {
  recordNotRun(ctx, draft, k);
  const name = requireArg(ctx, k, args, 0);
  if (name === null || args.length > 1) {
    // keepalived builds the value block's words without the name, and then trips over its own
    // empty first word when there are more: a missing-parameter stop.
    if (name !== null) {
      ctx.report('MISSING_PARAMETER', 'CFG_MISSING_PARAMETER', '*** Configuration line starting `***MISSING ***` is missing a parameter at word position 1', k);
    }
    ctx.readValueBlock(k, [], () => undefined);
    return;
  }
  const vsg: VsgDraft = { name: name.text, at: ctx.at(k), haveIpv4: false, haveIpv6: false, fwmarkNoFamily: false, fwmarks: 0, ranges: [] };
  ctx.readValueBlock(k, [], (words) => vsgEntry(ctx, vsg, words));
  // keepalived reports the group's verdict on the line of its closing brace; the context does
  // not tell where that is, so it goes on the group's own line.
  let problem: string | null = null;
  if (vsg.fwmarks === 0 && vsg.ranges.length === 0) problem = `virtual server group ${vsg.name} has no entries - removing`;
  else if (vsg.haveIpv4 && vsg.haveIpv6 && vsg.fwmarkNoFamily)
    problem = `virtual server group ${vsg.name} cannot have IPv4, IPv6 and fwmark without family - removing`;
  if (problem !== null) {
    ctx.report('GENERAL_ERROR', 'CFG_VSG_UNUSABLE', problem, k);
    return;
  }
  lvsState(draft).groups.push(vsg);
});
