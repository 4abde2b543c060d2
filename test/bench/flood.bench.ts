/**
 * `npm run bench:flood` (root): the CPU a daemon spends under a packet flood, keepalived 2.2.7
 * and tsvrrpd in one run, the same flood for each. A pair on a bridge LAN in network
 * namespaces (A priority 150, the MASTER; B priority 100, the BACKUP; VRID 66, VIP 10.66.0.100,
 * advert_int 1, PASS), both hosts running the implementation measured, and a third host C
 * running test/integration/flooder.ts: BENCH_FLOOD_PPS (default 1 000) packets a second of
 * hostile IP protocol 112 (random, truncated, oversized, bad checksum, wrong password, foreign
 * VRIDs, TTL 64, version 3; a quarter unicast to A) for BENCH_FLOOD_SEC (default 30) s.
 *
 * For each daemon: its CPU time (all threads, schedstat) per 10 s over BENCH_QUIET_SEC
 * (default 10) of steady state before the flood and over the flood, on A and on B; whether the
 * MASTER changed (the VIP polled on both hosts every 100 ms, state lines in the logs); and the
 * number of log lines each wrote during the flood. Target: tsvrrpd's CPU in the flood no more
 * than keepalived's, on A and on B (ratio ≤ 1.0); never a MASTER change. Prints PASS or MISS;
 * never fails on a miss (non-zero only when it cannot run). BENCH_ONLY=keepalived|tsvrrpd runs
 * one; BENCH_WARMUP_SEC (default 10) settles each pair before it is measured.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { E2eLab, masterDownMs, vrrpInstance, SLACK, type Impl } from '../support/e2e-lab';
import { exited, killNamespacePids, sleep } from '../support/netns';
import { runBenchMain } from '../support/bench-main';
import { threadsCpuMs as cpuMs } from '../support/proc-stats';
import { floodSummary, flooderArgs } from '../integration/flooder';

function envInt(name: string, dflt: number): number {
  const n = Number(process.env[name] ?? dflt);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}
const FLOOD_PPS = envInt('BENCH_FLOOD_PPS', 1_000);
const FLOOD_SEC = envInt('BENCH_FLOOD_SEC', 30);
const QUIET_SEC = envInt('BENCH_QUIET_SEC', 10);
const WARMUP_SEC = envInt('BENCH_WARMUP_SEC', 10);
const IMPLS: readonly Impl[] = (['keepalived', 'tsvrrpd'] as const).filter((i) => process.env.BENCH_ONLY === undefined || process.env.BENCH_ONLY === i);

const NET = 66;
const IP = { a: `10.${NET}.0.1`, b: `10.${NET}.0.2`, c: `10.${NET}.0.3` } as const;
const VIP = `10.${NET}.0.100`;
const PREFIX = 'tsvfb';

interface Result {
  readonly impl: Impl;
  /** CPU ms per 10 s: quiet and in the flood, on A (MASTER) and B (BACKUP). */
  readonly quietA: number;
  readonly floodA: number;
  readonly quietB: number;
  readonly floodB: number;
  readonly masterChanges: number;
  readonly logLinesA: number;
  readonly logLinesB: number;
  readonly sent: string;
}

const labs: E2eLab[] = [];

async function measure(impl: Impl): Promise<Result> {
  const lab = new E2eLab(`${PREFIX}-${impl[0] as string}`, impl);
  labs.push(lab);
  await lab.build(IP);
  const a = lab.start('a', 'a', vrrpInstance({ vrid: NET, prio: 150, vips: [VIP] }));
  await a.waitStarted();
  const b = lab.start('b', 'b', vrrpInstance({ vrid: NET, prio: 100, vips: [VIP] }));
  await b.waitStarted();
  await lab.waitFor('A to become master', () => lab.hasVip('a', VIP) && !lab.hasVip('b', VIP), masterDownMs(150) + SLACK);
  await sleep(WARMUP_SEC * 1_000);
  const pa = a.vrrpPid() ?? -1;
  const pb = b.vrrpPid() ?? -1;
  const states = (): number => a.count(/Entering (MASTER|BACKUP|FAULT) STATE/i) + b.count(/Entering (MASTER|BACKUP|FAULT) STATE/i);
  const states0 = states();
  const q0 = { a: cpuMs(pa), b: cpuMs(pb), at: Date.now() };
  await sleep(QUIET_SEC * 1_000);
  const q1 = { a: cpuMs(pa), b: cpuMs(pb), at: Date.now() };
  const lines0 = { a: a.log().split('\n').length, b: b.log().split('\n').length };
  const flooder = lab.spawnIn('c', 'flooder', [
    process.execPath,
    ...flooderArgs({ iface: 'eth0', src: IP.c, unicast: IP.a, target: { vrid: NET, vip: VIP, password: 's3cr3t' }, pps: FLOOD_PPS, seconds: FLOOD_SEC, seed: NET }),
  ]);
  const done = exited(flooder);
  let finished = false;
  void done.then(() => (finished = true));
  let wrongHolder = 0;
  while (!finished && Date.now() - q1.at < (FLOOD_SEC + 15) * 1_000) {
    if (!lab.hasVip('a', VIP) || lab.hasVip('b', VIP)) wrongHolder += 1;
    await sleep(100);
  }
  const code = await done;
  const f1 = { a: cpuMs(pa), b: cpuMs(pb), at: Date.now() };
  const summary = floodSummary(fs.readFileSync(path.join(lab.dir, 'flooder.log'), 'utf8'));
  if (code !== 0 || summary === null) throw new Error(`the flooder failed (exit ${code}): ${fs.readFileSync(path.join(lab.dir, 'flooder.log'), 'utf8')}`);
  const per10s = (x0: number, x1: number, t0: number, t1: number): number => ((x1 - x0) / (t1 - t0)) * 10_000;
  const r: Result = {
    impl,
    quietA: per10s(q0.a, q1.a, q0.at, q1.at),
    floodA: per10s(q1.a, f1.a, q1.at, f1.at),
    quietB: per10s(q0.b, q1.b, q0.at, q1.at),
    floodB: per10s(q1.b, f1.b, q1.at, f1.at),
    masterChanges: states() - states0 + (wrongHolder > 0 ? 1 : 0),
    logLinesA: a.log().split('\n').length - lines0.a,
    logLinesB: b.log().split('\n').length - lines0.b,
    sent: `${summary.sent} packets at ${summary.pps} pps${Object.keys(summary.refused).length > 0 ? ` (refused: ${JSON.stringify(summary.refused)})` : ''}`,
  };
  await lab.stopAll(); // gracefully: a daemon run with --cpu-prof writes its profile on exit
  await lab.cleanup();
  labs.splice(labs.indexOf(lab), 1);
  return r;
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces)');
  if (spawnSync('keepalived', ['--version']).error !== undefined && IMPLS.includes('keepalived')) throw new Error('needs keepalived (scripts/setup.sh)');
  console.log(`bench:flood — ${FLOOD_PPS} pps of hostile VRRP for ${FLOOD_SEC} s from a third host; CPU per 10 s (all threads), quiet over ${QUIET_SEC} s before it`);
  const results: Result[] = [];
  for (const impl of IMPLS) {
    const r = await measure(impl);
    results.push(r);
    console.log(`  ${impl}: flooder sent ${r.sent}`);
  }
  const f = (x: number): string => x.toFixed(0).padStart(7);
  console.log('  impl        A quiet  A flood  B quiet  B flood  (ms CPU / 10 s)  MASTER changes  log lines in the flood A/B');
  for (const r of results) console.log(`  ${r.impl.padEnd(10)} ${f(r.quietA)}  ${f(r.floodA)}  ${f(r.quietB)}  ${f(r.floodB)}                   ${String(r.masterChanges).padStart(3)}             ${r.logLinesA}/${r.logLinesB}`);
  const k = results.find((r) => r.impl === 'keepalived');
  const t = results.find((r) => r.impl === 'tsvrrpd');
  if (k !== undefined && t !== undefined) {
    for (const [host, tv, kv] of [
      ['A (MASTER)', t.floodA, k.floodA],
      ['B (BACKUP)', t.floodB, k.floodB],
    ] as const) {
      const ratio = tv / kv;
      console.log(`  ${ratio <= 1 ? 'PASS' : 'MISS'} CPU in the flood on ${host}: tsvrrpd/keepalived = ${ratio.toFixed(2)} (target ≤ 1.0)`);
    }
  }
  for (const r of results) console.log(`  ${r.masterChanges === 0 ? 'PASS' : 'MISS'} ${r.impl}: the MASTER never changed`);
  return 0;
}

/** Ctrl-C or a failure: whatever of our namespaces is left, its processes killed, then deleted. */
function cleanupSync(): void {
  const mine = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((ns) => ns.startsWith(`${PREFIX}-`) && ns.endsWith(`-${process.pid}`));
  for (const ns of mine) {
    killNamespacePids(ns);
    spawnSync('ip', ['netns', 'del', ns]);
  }
  for (const lab of labs) fs.rmSync(lab.dir, { recursive: true, force: true });
}

runBenchMain('bench:flood', main, cleanupSync);
