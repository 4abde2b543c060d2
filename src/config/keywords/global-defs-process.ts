/**
 * The process and system knobs of global_defs, recognised and checked but not acted on by
 * tsvrrpd (it does not rename, renice or pin itself): process names, nice and real-time
 * priorities, CPU affinity, RLIMIT_RTTIME, netlink and receive buffer sizes, umask, random seed.
 * keepalived: core/global_parser.c save_process_name(), get_priority(),
 * get_realtime_priority(), get_cpu_affinity(), get_rt_rlimit(), get_netlink_rcv_bufs_size(),
 * vrrp_rx_bufs_policy_handler(), umask_handler(), random_seed_handler().
 */
import type { KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import { readInt, readUnsigned, requireArg } from '../values';
import { INT_MAX, INT_MIN, UINT_MAX, err, globalBool, rare, state, type Check } from './global-defs-base';

/** sched_get_priority_min/max(SCHED_RR) on Linux. */
const RT_PRIO_MIN = 1;
const RT_PRIO_MAX = 99;
/** keepalived TASK_COMM_LEN - 1. */
const PROCESS_NAME_MAX = 15;

/** keepalived save_process_name(). */
function processName(name: string, deprecated = false): KeywordDef<ConfigDraft> {
  return rare(name, (ctx, _d, k, args) => {
    if (deprecated) ctx.report('NOTICE', 'CFG_DEPRECATED', `'${name}' is deprecated - please use 'checker_process_name'`, k);
    const w = requireArg(ctx, k, args, 0);
    if (w && w.text.length > PROCESS_NAME_MAX) {
      err(ctx, `Process name ${w.text} more than ${PROCESS_NAME_MAX} characters, truncating`, w);
    }
  });
}

/** keepalived get_priority(): nice value -20..19. */
function processPriority(name: string, process: string): KeywordDef<ConfigDraft> {
  return rare(name, (ctx, _d, k, args) => {
    const w = args[0];
    if (w === undefined) return err(ctx, `No ${process} process priority specified`, k, 'CFG_GLOBAL_MISSING');
    if (readInt(ctx, w, -20, 19) === null) err(ctx, `Invalid ${process} process priority specified`, w);
  });
}

/** keepalived get_realtime_priority(): clamped to SCHED_RR's range with an error. */
function realtimePriority(name: string, process: string): KeywordDef<ConfigDraft> {
  return rare(name, (ctx, _d, k, args) => {
    const w = args[0];
    if (w === undefined) return err(ctx, `No ${process} process real-time priority specified`, k, 'CFG_GLOBAL_MISSING');
    const v = readInt(ctx, w, INT_MIN, INT_MAX);
    if (v === null) return err(ctx, `${process} process real-time priority '${w.text}' invalid`, w);
    if (v < RT_PRIO_MIN) err(ctx, `${process} process real-time priority ${v} less than minimum ${RT_PRIO_MIN} - setting to minimum`, w);
    else if (v > RT_PRIO_MAX) err(ctx, `${process} process real-time priority ${v} greater than maximum ${RT_PRIO_MAX} - setting to maximum`, w);
  });
}

/**
 * keepalived get_cpu_affinity(). keepalived bounds the ids by the CPUs online, which the
 * config check does not know; only the form (non-negative integers) is checked here.
 */
function cpuAffinity(name: string, process: string): KeywordDef<ConfigDraft> {
  return rare(name, (ctx, _d, k, args) => {
    if (args.length === 0) return err(ctx, `No ${process} cpu_id set specified`, k, 'CFG_GLOBAL_MISSING');
    for (const w of args) {
      if (readInt(ctx, w, 0, INT_MAX) === null) {
        const lead = /^\s*[+-]?[0-9]+/.exec(w.text);
        return err(ctx, `Invalid cpu_id:${lead ? Number(lead[0]) : 0} specified for ${process} process`, w);
      }
    }
  });
}

/** keepalived get_rt_rlimit(); `*_rlimit_rtime` is the deprecated spelling. */
function rtRlimit(name: string, process: string): KeywordDef<ConfigDraft> {
  return rare(name, (ctx, _d, k, args) => {
    if (name.endsWith('_rtime')) {
      ctx.report('NOTICE', 'CFG_DEPRECATED', `Keyword '${name}' is deprecated - please use '${name.slice(0, -5)}rttime'`, k);
    }
    const w = requireArg(ctx, k, args, 0);
    if (w && readUnsigned(ctx, w, 1, UINT_MAX) === null) err(ctx, `Invalid ${process} real-time limit - ${w.text}`, w);
  });
}

/** keepalived get_netlink_rcv_bufs_size(). */
function rcvBufs(name: string): KeywordDef<ConfigDraft> {
  const type = name.replace(/_rcv_bufs$/, '');
  return rare(name, (ctx, _d, k, args) => {
    const w = args[0];
    if (w === undefined) return err(ctx, `${type}_rcv_bufs size missing`, k, 'CFG_GLOBAL_MISSING');
    if (readUnsigned(ctx, w, 0, UINT_MAX) === null) err(ctx, `${type}_rcv_bufs size (${w.text}) invalid`, w);
  });
}

/** keepalived umask_handler(): an octal/hex/decimal number, or `IRUSR|IWGRP|...`. */
const umaskCheck: Check = (ctx, _d, k, args) => {
  const first = requireArg(ctx, k, args, 0);
  if (first === null) return;
  if (/^[0-9]/.test(first.text)) {
    if (args.length !== 1) return err(ctx, 'Extra parameter(s) to umask option', k);
    const t = first.text;
    const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(t);
    const v = m ? Number(t.startsWith('0x') || t.startsWith('0X') ? t : t.startsWith('0') && t.length > 1 ? `0o${t.slice(1)}` : t) : NaN;
    if (!m || v > 0o777 || (v & ~0o777) !== 0) err(ctx, `invalid umask value ${t}`, first);
    return;
  }
  const bits = ['IRUSR', 'IWUSR', 'IXUSR', 'IRGRP', 'IWGRP', 'IXGRP', 'IROTH', 'IWOTH', 'IXOTH'];
  let needOr = false;
  for (const w of args) {
    let p = 0;
    while (p < w.text.length) {
      if (needOr) {
        if (w.text[p] !== '|') return err(ctx, `Invalid umask syntax ${w.text}`, w);
        needOr = false;
        p++;
        continue;
      }
      if (!bits.includes(w.text.slice(p, p + 5))) return err(ctx, `Unknown umask bit ${w.text.slice(p)}`, w);
      p += 5;
      needOr = true;
    }
  }
  if (!needOr) err(ctx, 'umask missing bit value', k);
};

/** keepalived vrrp_rx_bufs_policy_handler(); flags accumulate over lines like keepalived's. */
const rxBufsPolicy: Check = (ctx, draft, k, args) => {
  const MTU = 1;
  const ADVERT = 2;
  const SIZE = 4;
  if (args.length === 0) return err(ctx, 'vrrp_rx_bufs_policy missing', k, 'CFG_GLOBAL_MISSING');
  const st = state(draft);
  for (const w of args) {
    const up = w.text.toUpperCase();
    if (up === 'MTU') st.rxBufsPolicy |= MTU;
    else if (up === 'ADVERT') st.rxBufsPolicy |= ADVERT;
    // keepalived reads the size from the first word whatever word it is looking at.
    else if (readUnsigned(ctx, args[0] as Word, 0, UINT_MAX) === null) err(ctx, `Invalid vrrp_rx_bufs_policy ${w.text}`, w);
    else st.rxBufsPolicy |= SIZE;
  }
  if (st.rxBufsPolicy & SIZE && st.rxBufsPolicy & (MTU | ADVERT)) {
    err(ctx, 'Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy', k);
    st.rxBufsPolicy &= ~(MTU | ADVERT);
  } else if (st.rxBufsPolicy & MTU && st.rxBufsPolicy & ADVERT) {
    err(ctx, 'Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT', k);
    st.rxBufsPolicy &= ~ADVERT;
  }
};


const PROCESSES: readonly string[] = ['vrrp', 'checker', 'bfd'];

export const processKeywords: readonly KeywordDef<ConfigDraft>[] = [
  rare('process_names'),
  processName('process_name'),
  processName('vrrp_process_name'),
  processName('checker_process_name'),
  processName('lvs_process_name', true),
  processName('bfd_process_name'),
  rare('max_auto_priority', (ctx, _d, _k, args) => {
    const w = args[0];
    if (w !== undefined && readInt(ctx, w, -1, RT_PRIO_MAX) === null) {
      err(ctx, `max_auto_priority '${w.text}' must be in [0, ${RT_PRIO_MAX}] (or -1 to disable) - ignoring`, w);
    }
  }),
  rare('min_auto_priority_delay', (ctx, _d, k, args) => {
    const w = args[0];
    if (w === undefined) return err(ctx, 'min_auto_priority_delay requires delay time', k, 'CFG_GLOBAL_MISSING');
    if (readInt(ctx, w, 1, 10000000) === null) err(ctx, `min_auto_priority_delay '${w.text}' must be in [1, 10000000] - ignoring`, w);
  }),
  ...PROCESSES.flatMap((process) => [
    processPriority(`${process}_priority`, process),
    rare(`${process}_no_swap`),
    realtimePriority(`${process}_rt_priority`, process),
    cpuAffinity(`${process}_cpu_affinity`, process),
    rtRlimit(`${process}_rlimit_rttime`, process),
    rtRlimit(`${process}_rlimit_rtime`, process),
  ]),
  ...['vrrp_netlink_cmd_rcv_bufs', 'vrrp_netlink_monitor_rcv_bufs', 'process_monitor_rcv_bufs', 'lvs_netlink_cmd_rcv_bufs', 'lvs_netlink_monitor_rcv_bufs'].flatMap((n) => [
    rcvBufs(n),
    globalBool(`${n}_force`),
  ]),
  rare('vrrp_rx_bufs_policy', rxBufsPolicy),
  rare('vrrp_rx_bufs_multiplier', (ctx, _d, k, args) => {
    const w = args[0];
    if (args.length !== 1 || w === undefined) return err(ctx, 'Invalid vrrp_rx_bufs_multiplier', k);
    if (readUnsigned(ctx, w, 1, UINT_MAX) === null) err(ctx, `Invalid vrrp_rx_bufs_multiplier ${w.text}`, w);
  }),
  rare('umask', umaskCheck),
  rare('random_seed', (ctx, _d, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w && readUnsigned(ctx, w, 0, UINT_MAX) === null) err(ctx, `random_seed ${w.text} invalid`, w);
  }),
];
