/**
 * `npm run bench:core`: 1 000 VrrpInstance cores exchanging adverts on the simulated LAN
 * (test/sim/lan.ts) for one simulated hour: 500 virtual routers, each a pair of instances on
 * two routers with opposite priorities (each router masters half of them, like the checklist's
 * dual-master deployment S3), 250 VRIDs per LAN. Every advert goes through the real codec, the
 * real validation and the real state machine. Reports the wall time of the run against a 10 s
 * target, then, from a second, profiled (hrtime around every handle()) and shorter run, the
 * cost of handle() per advert received and per timer. Prints PASS or MISS; never fails on a
 * miss (the exit code is non-zero only when the bench itself cannot run).
 *
 * Knobs: BENCH_INSTANCES (default 1000, even), BENCH_SIM_SEC (simulated seconds, 3600),
 * BENCH_PROFILE_SEC (simulated seconds of the profiled run, 600; 0 = skip).
 */
import { performance } from 'node:perf_hooks';
import { VrrpInstance } from '../../src/protocol/instance';
import { Lan, SEC_US } from '../sim/lan';

const TARGET_MS = 10_000;
const VRIDS_PER_LAN = 250;

function envInt(name: string, dflt: number): number {
  const n = Number(process.env[name] ?? dflt);
  return Number.isInteger(n) && n >= 0 ? n : dflt;
}

/** LANs holding `instances` cores: two routers per LAN, one instance per VRID on each. */
function build(instances: number, profile: boolean): Lan[] {
  const pairs = Math.ceil(instances / 2);
  const lans: Lan[] = [];
  for (let first = 0; first < pairs; first += VRIDS_PER_LAN) {
    const n = Math.min(VRIDS_PER_LAN, pairs - first);
    const lan = new Lan({ factory: (p) => new VrrpInstance(p), record: false, profile, seed: lans.length + 1 });
    const a = [];
    const b = [];
    for (let v = 1; v <= n; v++) {
      const vips = [`10.${lans.length}.${v}.1`, `10.${lans.length}.${v}.2`];
      a.push({ vrid: v, basePriority: v % 2 === 0 ? 150 : 100, vips });
      b.push({ vrid: v, basePriority: v % 2 === 0 ? 100 : 150, vips });
    }
    lan.addRouter('A', `10.${lans.length}.0.1`, a);
    lan.addRouter('B', `10.${lans.length}.0.2`, b);
    // Like one daemon per host: every instance of a router starts at once.
    lan.start('A', lans.length * 1_000);
    lan.start('B', lans.length * 1_000 + 500);
    lans.push(lan);
  }
  return lans;
}

interface RunResult {
  readonly wallMs: number;
  readonly advertsSent: number;
  readonly received: number;
  readonly timers: number;
  readonly recvNs: number;
  readonly timerNs: number;
  readonly encodeNs: number;
  readonly masters: number;
  readonly vrids: number;
}

function run(instances: number, simSec: number, profile: boolean): RunResult {
  const lans = build(instances, profile);
  const t0 = performance.now();
  for (const lan of lans) lan.runUntil(simSec * SEC_US);
  const wallMs = performance.now() - t0;
  let advertsSent = 0;
  let received = 0;
  let timers = 0;
  let recvNs = 0;
  let timerNs = 0;
  let encodeNs = 0;
  let masters = 0;
  let vrids = 0;
  for (const lan of lans) {
    advertsSent += lan.stats.advertsSent;
    received += lan.stats.handleCalls.AdvertReceived;
    timers += lan.stats.handleCalls.DeadlineReached;
    recvNs += lan.stats.handleNs.AdvertReceived;
    timerNs += lan.stats.handleNs.DeadlineReached;
    encodeNs += lan.stats.encodeNs;
    for (let v = 1; v <= VRIDS_PER_LAN; v++) {
      try {
        if (lan.masters(v).length === 1) masters++;
        vrids++;
      } catch {
        break; // this LAN has fewer VRIDs
      }
    }
  }
  return { wallMs, advertsSent, received, timers, recvNs, timerNs, encodeNs, masters, vrids };
}

function main(): void {
  const instances = envInt('BENCH_INSTANCES', 1000);
  const simSec = envInt('BENCH_SIM_SEC', 3600);
  const profileSec = envInt('BENCH_PROFILE_SEC', 600);
  console.log(`bench:core: ${instances} instances (${Math.ceil(instances / 2)} virtual routers × 2), ${simSec} simulated s, advert_int 1 s`);

  const r = run(instances, simSec, false);
  const perAdvertUs = (r.wallMs * 1000) / Math.max(1, r.advertsSent);
  console.log(
    `run: ${(r.wallMs / 1000).toFixed(2)} s wall; ${r.advertsSent} adverts sent, ${r.received} received, ${r.timers} timers; ` +
      `${perAdvertUs.toFixed(2)} µs wall per advert (encode + deliver + handle on both sides)`,
  );
  if (r.masters !== r.vrids) console.log(`WARNING: ${r.vrids - r.masters} of ${r.vrids} VRIDs do not have exactly one master`);

  if (profileSec > 0) {
    const p = run(instances, profileSec, true);
    const recv = p.recvNs / Math.max(1, p.received);
    const timer = p.timerNs / Math.max(1, p.timers);
    const enc = p.encodeNs / Math.max(1, p.advertsSent);
    const share = (ns: number): string => `${((ns / 1e6 / p.wallMs) * 100).toFixed(0)} %`;
    console.log(
      `profiled ${profileSec} s run (hrtime around each call; shares of its ${(p.wallMs / 1000).toFixed(2)} s wall):\n` +
        `  handle(AdvertReceived) ${(recv / 1000).toFixed(2)} µs per advert (validate + decode + state machine), ${share(p.recvNs)}\n` +
        `  handle(DeadlineReached) ${(timer / 1000).toFixed(2)} µs per timer, ${share(p.timerNs)}\n` +
        `  encodeAdvert() ${(enc / 1000).toFixed(2)} µs per advert sent, ${share(p.encodeNs)}\n` +
        `  simulator (queue, delivery) and timing overhead: the rest, ${share(p.wallMs * 1e6 - p.recvNs - p.timerNs - p.encodeNs)}`,
    );
  }
  console.log(`heap: ${(process.memoryUsage().heapUsed / (1024 * 1024)).toFixed(1)} MB used`);
  console.log(`${r.wallMs <= TARGET_MS ? 'PASS' : 'MISS'}: ${(r.wallMs / 1000).toFixed(2)} s against the ${TARGET_MS / 1000} s target`);
}

if (require.main === module) main();
