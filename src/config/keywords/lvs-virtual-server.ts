/**
 * `virtual_server ADDR PORT | fwmark N | group NAME { ... }`: keepalived's virtual server
 * keywords (scheduler, forwarding, persistence, quorum, sorry server...), its real servers,
 * and the family rules when the block closes. Checked with keepalived's messages and recorded
 * as "not run". keepalived: check_parser.c vs_handler() .. vs_weight_handler(),
 * vs_end_handler(); check_data.c alloc_vs(), alloc_ssvr().
 */
import { block, kw, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { readUnsigned, requireArg } from '../values';
import { boolKw, timerIn, UINT_MAX, unsignedIn, valueKw } from './checkers-common';
import { recordNotRun } from './common';
import { readForwarding } from './lvs-forwarding';
import { formatIp, inetAtonExact, portWord, stosockaddr } from './lvs-net';
import { IPVS_WEIGHT_LIMIT, realServerBlock } from './lvs-real-server';
import { readCheckNotify } from './lvs-scripts';
import { IPVS_SVC_PERSISTENT_TIMEOUT, lvsState, type ServiceType, type VirtualServerDraft } from './lvs-state';

interface VsScope {
  readonly draft: ConfigDraft;
  readonly vs: VirtualServerDraft;
}

/** keepalived's lvs_schedulers[]. */
const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos'];
/** keepalived LVS_MAX_TIMEOUT (seconds); IPVS_SVC_PERSISTENT_TIMEOUT is in lvs-state.ts. */
const LVS_MAX_TIMEOUT = 86400 * 31;
/** Linux IP_VS_PENAME_MAXLEN. */
const PENAME_MAXLEN = 16;

/** keepalived lbflags_handler(): scheduler flags; sh-/mh- flags only mean something for sh/mh. */
function lbFlag(name: string): KeywordDef<VsScope> {
  return kw(name, (ctx, s, k) => {
    if (name === 'ops') s.vs.ops = true;
    else if (name.startsWith('flag-') || s.vs.sched === 'sh' || s.vs.sched === 'mh') return;
    else ctx.report('GENERAL_ERROR', 'CFG_LVS_SCHED_FLAG', `${name} only applies to sh scheduler - ignoring`, k);
  });
}

function quorumNotify(name: 'quorum_up' | 'quorum_down'): KeywordDef<VsScope> {
  return kw(name, (ctx, s, k, args) => {
    const field = name === 'quorum_up' ? 'notifyQuorumUp' : 'notifyQuorumDown';
    if (s.vs[field] !== null) {
      const w = requireArg(ctx, k, args, 0);
      if (w) ctx.report('GENERAL_ERROR', 'CFG_LVS_NOTIFY_DUP', `(${s.vs.vsgName ?? '(null)'}) ${name} script already specified - ignoring ${w.text}`, w);
      return;
    }
    s.vs[field] = readCheckNotify(ctx, s.draft, k, args, 'quorum');
  });
}

function persistenceGranularity(ctx: KeywordContext, s: VsScope, k: Word, args: readonly Word[]): void {
  const w = requireArg(ctx, k, args, 0);
  if (w === null) return;
  const vs = s.vs;
  const af = vs.af !== 0 ? vs.af : w.text.includes('.') ? 4 : 6;
  if (af === 6) {
    if (readUnsigned(ctx, w, 1, 128) === null) {
      ctx.report('GENERAL_ERROR', 'CFG_LVS_GRANULARITY', `Invalid IPv6 persistence_granularity specified - ${w.text}`, w);
      return;
    }
  } else if (!inetAtonExact(w.text)) {
    ctx.report('GENERAL_ERROR', 'CFG_LVS_GRANULARITY', `Invalid IPv4 persistence_granularity specified - ${w.text}`, w);
    return;
  }
  if (vs.af === 0) vs.af = af;
  if (vs.persistenceTimeout === 0) vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
}

function sorryServer(ctx: KeywordContext, s: VsScope, k: Word, args: readonly Word[]): void {
  const ip = requireArg(ctx, k, args, 0);
  if (ip === null) return;
  const addr = stosockaddr(ctx, ip.text, portWord(args[1]));
  if (addr === null) {
    ctx.report('GENERAL_ERROR', 'CFG_LVS_SORRY_ADDRESS', `Invalid sorry server IP address ${ip.text} - skipping`, ip);
    return;
  }
  s.vs.sorry = { addr, forwarding: s.vs.forwarding, inhibit: false };
}

const vsTable = table<VsScope>(
  kw('ip_family', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const af = w.text === 'inet' ? 4 : w.text === 'inet6' ? 6 : 0;
    if (af === 0) ctx.report('GENERAL_ERROR', 'CFG_LVS_FAMILY', `unknown address family ${w.text}`, w);
    else if (s.vs.af !== 0 && s.vs.af !== af)
      ctx.report('GENERAL_ERROR', 'CFG_LVS_FAMILY', `Virtual server specified family ${w.text} conflicts with server family`, w);
    else s.vs.af = af;
  }),
  valueKw<VsScope>('retry', unsignedIn(1, UINT_MAX), (t) => `retry value invalid - ${t}`),
  valueKw<VsScope>('delay_before_retry', timerIn(0, 0), (t) => `virtual server delay before retry '${t}' invalid - ignoring`),
  valueKw<VsScope>('warmup', timerIn(0, 0), (t) => `virtual server warmup '${t}' invalid - ignoring`),
  valueKw<VsScope>('connect_timeout', timerIn(1, UINT_MAX), (t) => `virtual server connect_timeout ${t} invalid - ignoring`),
  valueKw<VsScope>('delay_loop', timerIn(1, 0), (t) => `virtual server delay loop '${t}' invalid - ignoring`),
  kw('inhibit_on_failure', (_ctx, s) => {
    s.vs.inhibit = true;
  }),
  ...['lb_algo', 'lvs_sched'].map((name) =>
    kw<VsScope>(name, (ctx, s, k, args) => {
      const w = requireArg(ctx, k, args, 0);
      if (w === null) return;
      if (!SCHEDULERS.includes(w.text)) ctx.report('GENERAL_ERROR', 'CFG_LVS_SCHEDULER', `Invalid lvs_scheduler '${w.text}' - ignoring`, w);
      else s.vs.sched = w.text;
    }),
  ),
  ...['hashed', 'ops', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'].map(lbFlag),
  ...['lb_kind', 'lvs_method'].map((name) =>
    kw<VsScope>(name, (ctx, s, k, args) => {
      const f = readForwarding(ctx, k, args, 'virtual');
      if (f !== null) s.vs.forwarding = f;
    }),
  ),
  kw('persistence_engine', (ctx, _s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w && w.text.length > PENAME_MAXLEN)
      ctx.report('GENERAL_ERROR', 'CFG_LVS_PERSISTENCE', `persistence_name too long, truncating - ${w.text}`, w);
  }),
  kw('persistence_timeout', (ctx, s, _k, args) => {
    const w = args[0];
    if (w === undefined) {
      s.vs.persistenceTimeout = IPVS_SVC_PERSISTENT_TIMEOUT;
      return;
    }
    const v = readUnsigned(ctx, w, 1, LVS_MAX_TIMEOUT);
    if (v === null) ctx.report('GENERAL_ERROR', 'CFG_LVS_PERSISTENCE', 'persistence_timeout invalid', w);
    else s.vs.persistenceTimeout = v;
  }),
  kw('persistence_granularity', persistenceGranularity),
  kw('protocol', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const p = w.text.toLowerCase();
    if (p === 'tcp' || p === 'udp' || p === 'sctp') s.vs.serviceType = p as ServiceType;
    else ctx.report('GENERAL_ERROR', 'CFG_LVS_PROTOCOL', `Unknown protocol ${w.text} - ignoring`, w);
  }),
  kw('ha_suspend', (_ctx, s) => {
    s.vs.haSuspend = true;
  }),
  boolKw<VsScope>('smtp_alert', 'virtual_server smtp_alert'),
  kw('virtualhost', (ctx, _s, k, args) => {
    if (args.length === 0) ctx.report('GENERAL_ERROR', 'CFG_LVS_VIRTUALHOST', 'virtual server virtualhost missing', k);
  }),
  kw('snmp_name', (ctx, _s, k, args) => {
    if (args.length !== 1) ctx.report('GENERAL_ERROR', 'CFG_LVS_SNMP_NAME', 'virtual server snmp_name missing or extra parameters', k);
  }),
  kw('alpha', () => undefined),
  kw('omega', () => undefined),
  quorumNotify('quorum_up'),
  quorumNotify('quorum_down'),
  kw('quorum', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    const v = readUnsigned(ctx, w, 1, UINT_MAX);
    if (v === null) ctx.report('GENERAL_ERROR', 'CFG_LVS_QUORUM', `Quorum ${w.text} must be in [1, ${UINT_MAX}]. Setting to 1.`, w);
    s.vs.quorum = v ?? 1;
  }),
  valueKw<VsScope>('hysteresis', unsignedIn(0, UINT_MAX), (t) => `Hysteresis ${t} must be in [0, ${UINT_MAX}] - ignoring`, (s, v) => {
    s.vs.hysteresis = v;
  }),
  valueKw<VsScope>('weight', unsignedIn(1, IPVS_WEIGHT_LIMIT), (t) => `Virtual server weight ${t} is outside range 1-${IPVS_WEIGHT_LIMIT}`, (s, v) => {
    s.vs.weight = v;
  }),
  kw('sorry_server', sorryServer),
  kw('sorry_server_inhibit', (ctx, s, k) => {
    if (s.vs.sorry) s.vs.sorry.inhibit = true;
    else ctx.report('GENERAL_ERROR', 'CFG_LVS_SORRY', 'Ignoring sorry_server inhibit used before or without sorry_server', k);
  }),
  kw('sorry_server_lvs_method', (ctx, s, k, args) => {
    if (s.vs.sorry === null) {
      ctx.report('GENERAL_ERROR', 'CFG_LVS_SORRY', 'sorry_server forwarding used without sorry_server', k);
      return;
    }
    const f = readForwarding(ctx, k, args, 'sorry');
    if (f !== null) s.vs.sorry.forwarding = f;
  }),
  realServerBlock,
);

function newVs(ctx: KeywordContext, k: Word, fields: Pick<VirtualServerDraft, 'vsgName' | 'fwmark' | 'addr'>): VirtualServerDraft {
  return {
    at: ctx.at(k),
    ...fields,
    af: fields.addr?.family ?? 0,
    serviceType: null,
    sched: '',
    ops: false,
    forwarding: null,
    persistenceTimeout: 0,
    haSuspend: false,
    inhibit: false,
    quorum: 1,
    hysteresis: 0,
    weight: 1,
    notifyQuorumUp: null,
    notifyQuorumDown: null,
    rs: [],
    sorry: null,
  };
}

/** keepalived alloc_vs(): null (block skipped) when the address, port or fwmark is bad. */
function allocVs(ctx: KeywordContext, k: Word, args: readonly Word[]): VirtualServerDraft | null {
  const p1 = requireArg(ctx, k, args, 0);
  if (p1 === null) return null;
  if (p1.text === 'group' || p1.text === 'fwmark') {
    // keepalived 2.2.7 crashes on a missing name/mark here; we report the missing word.
    const p2 = requireArg(ctx, k, args, 1);
    if (p2 === null) return null;
    if (p1.text === 'group') return newVs(ctx, k, { vsgName: p2.text, fwmark: 0, addr: null });
    const mark = readUnsigned(ctx, p2, 0, UINT_MAX);
    if (mark === null) {
      ctx.report('GENERAL_ERROR', 'CFG_LVS_VS_FWMARK', `virtual server fwmark '${p2.text}' must be in [0, ${UINT_MAX}] - ignoring`, p2);
      return null;
    }
    return newVs(ctx, k, { vsgName: null, fwmark: mark, addr: null });
  }
  const port = portWord(args[1]);
  const addr = stosockaddr(ctx, p1.text, port);
  if (addr === null) {
    const pt = port ? `/port ${p1.text}/${port.text}` : ` ${p1.text}`;
    ctx.report('GENERAL_ERROR', 'CFG_LVS_VS_ADDRESS', `Invalid virtual server IP address${pt} - skipping`, p1);
    return null;
  }
  return newVs(ctx, k, { vsgName: null, fwmark: 0, addr });
}

/** keepalived vs_end_handler(): a non-tunnelled sorry server fixes or must match the family. */
function closeVs(ctx: KeywordContext, s: VsScope): void {
  const vs = s.vs;
  const sorry = vs.sorry;
  if (sorry && sorry.forwarding !== 'TUN') {
    if (vs.af === 0) vs.af = sorry.addr.family;
    else if (vs.af !== sorry.addr.family) {
      ctx.report(
        'GENERAL_ERROR',
        'CFG_LVS_SORRY_FAMILY',
        `Address family of virtual server and sorry server ${formatIp(sorry.addr)} don't match - skipping sorry server.`,
      );
      vs.sorry = null;
    }
  }
}

export const virtualServerBlock = block<ConfigDraft, VsScope>(
  'virtual_server',
  (ctx, draft, k, args) => {
    recordNotRun(ctx, draft, k);
    const vs = allocVs(ctx, k, args);
    if (vs === null) return null;
    lvsState(draft).virtualServers.push(vs);
    return { draft, vs };
  },
  vsTable,
  closeVs,
);
