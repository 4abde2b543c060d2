/**
 * `real_server ADDR [PORT] { ... }` inside a virtual_server: its keywords, the health checkers
 * nested in it, and the family check when the block closes. Checked with keepalived's
 * messages, never run. keepalived: check_parser.c rs_handler() and the real_server sub-level of
 * init_check_keywords(), rs_end_handler(); check_data.c alloc_rs().
 */
import { block, kw, table, type KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import { requireArg } from '../values';
import { boolKw, timerIn, UINT_MAX, unsignedIn, valueKw } from './checkers-common';
import { tcpCheck, pingCheck } from './checkers-simple';
import { udpCheck } from './checkers-udp';
import { dnsCheck } from './checkers-dns';
import { httpGetCheck, sslGetCheck } from './checkers-http';
import { smtpCheck } from './checkers-smtp';
import { miscCheck } from './checkers-misc';
import { fileCheck } from './checkers-file';
import { bfdCheck } from './checkers-bfd';
import { readForwarding } from './lvs-forwarding';
import { formatIp, portWord, stosockaddr } from './lvs-net';
import { readCheckNotify } from './lvs-scripts';
import type { RsScope } from './lvs-real-server-scope';
import type { RealServerDraft, VirtualServerDraft } from './lvs-state';
import type { ConfigDraft } from '../draft';

/** keepalived IPVS_WEIGHT_LIMIT (INT32_MAX). */
export const IPVS_WEIGHT_LIMIT = 2147483647;

function notifyKw(name: 'notify_up' | 'notify_down') {
  return kw<RsScope>(name, (ctx, s, k, args) => {
    const field = name === 'notify_up' ? 'notifyUp' : 'notifyDown';
    if (s.rs[field] !== null) {
      const w = requireArg(ctx, k, args, 0);
      if (w) ctx.report('GENERAL_ERROR', 'CFG_LVS_NOTIFY_DUP', `(${s.vs.vsgName ?? '(null)'}) ${name} script already specified - ignoring ${w.text}`, w);
      return;
    }
    s.rs[field] = readCheckNotify(ctx, s.draft, k, args, 'notify');
  });
}

const rsTable = table<RsScope>(
  valueKw<RsScope>('weight', unsignedIn(0, IPVS_WEIGHT_LIMIT), (t) => `Real server weight ${t} is outside range 0-${IPVS_WEIGHT_LIMIT}`, (s, v) => {
    s.rs.weight = v;
  }),
  kw('lvs_method', (ctx, s, k, args) => {
    const f = readForwarding(ctx, k, args, 'real');
    if (f !== null) s.rs.forwarding = f;
  }),
  valueKw<RsScope>('uthreshold', unsignedIn(0, UINT_MAX), (t) => `Invalid real_server uthreshold '${t}' - ignoring`),
  valueKw<RsScope>('lthreshold', unsignedIn(0, UINT_MAX), (t) => `Invalid real_server lthreshold '${t}' - ignoring`),
  boolKw<RsScope>('inhibit_on_failure', 'inhibit_on_failure', (s, v) => {
    s.rs.inhibit = v;
  }),
  notifyKw('notify_up'),
  notifyKw('notify_down'),
  boolKw<RsScope>('alpha', 'alpha'),
  valueKw<RsScope>('retry', unsignedIn(1, UINT_MAX), (t) => `retry value invalid - ${t}`),
  valueKw<RsScope>('delay_before_retry', timerIn(0, 0), (t) => `real server delay_before_retry '${t}' invalid - ignoring`),
  valueKw<RsScope>('warmup', timerIn(0, 0), (t) => `real server warmup '${t}' invalid - ignoring`),
  valueKw<RsScope>('connect_timeout', timerIn(1, UINT_MAX), (t) => `real server connect_timeout ${t} invalid - ignoring`),
  valueKw<RsScope>('delay_loop', timerIn(1, 0), (t) => `real server delay_loop '${t}' invalid - ignoring`),
  boolKw<RsScope>('smtp_alert', 'real_server smtp_alert'),
  kw('virtualhost', (ctx, _s, k, args) => {
    if (args.length === 0) ctx.report('GENERAL_ERROR', 'CFG_LVS_VIRTUALHOST', 'real server virtualhost missing', k);
  }),
  kw('snmp_name', (ctx, _s, k, args) => {
    if (args.length !== 1) ctx.report('GENERAL_ERROR', 'CFG_LVS_SNMP_NAME', 'real server snmp_name missing or extra parameters', k);
  }),
  miscCheck,
  smtpCheck,
  tcpCheck,
  pingCheck,
  udpCheck,
  httpGetCheck,
  sslGetCheck,
  dnsCheck,
  fileCheck,
  bfdCheck,
);

/** keepalived alloc_rs(): null (and the block skipped) when the address or port is bad. */
function openRealServer(ctx: KeywordContext, draft: ConfigDraft, vs: VirtualServerDraft, k: Word, args: readonly Word[]): RsScope | null {
  const ip = requireArg(ctx, k, args, 0);
  if (ip === null) return null;
  const addr = stosockaddr(ctx, ip.text, portWord(args[1]));
  if (addr === null) {
    ctx.report('GENERAL_ERROR', 'CFG_LVS_RS_ADDRESS', `Invalid real server ip address/port ${ip.text}/${args[1]?.text ?? '(null)'} - skipping`, ip);
    return null;
  }
  const rs: RealServerDraft = {
    at: ctx.at(k),
    addr,
    // keepalived alloc_rs(): the virtual server's method as set so far.
    forwarding: vs.forwarding,
    weight: null,
    inhibit: null,
    notifyUp: null,
    notifyDown: null,
    miscScripts: [],
    trackedBfds: [],
  };
  vs.rs.push(rs);
  return { draft, vs, rs };
}

/** keepalived rs_end_handler(): unless tunnelled, the real server fixes or must match the family. */
function closeRealServer(ctx: KeywordContext, s: RsScope): void {
  const { vs, rs } = s;
  if (rs.forwarding === 'TUN') return;
  if (vs.af === 0) {
    vs.af = rs.addr.family;
  } else if (vs.af !== rs.addr.family) {
    ctx.report(
      'GENERAL_ERROR',
      'CFG_LVS_RS_FAMILY',
      `Address family of virtual server and real server ${formatIp(rs.addr)} don't match - skipping real server.`,
    );
    vs.rs.splice(vs.rs.indexOf(rs), 1);
  }
}

export const realServerBlock = block<{ draft: ConfigDraft; vs: VirtualServerDraft }, RsScope>(
  'real_server',
  (ctx, s, k, args) => openRealServer(ctx, s.draft, s.vs, k, args),
  rsTable,
  closeRealServer,
);
