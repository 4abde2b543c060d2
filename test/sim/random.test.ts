/**
 * Randomised runs of the real VrrpInstance on the simulated LAN (test/sim/lan.ts): for each
 * seed, 2–5 routers, one or two VRIDs, random priorities 1..254 (a quarter of them repeated,
 * so ties happen), random nopreempt flags, advert_int 1 or 2 s, wire delay/jitter, loss and
 * duplication; then a chaos phase of random partitions, lossy links, hard kills, graceful
 * shutdowns, restarts and tracker priority changes (PriorityChanged, effective priority
 * clamped to 1..254; a restart forgets it, as a new process would until its trackers report). At the end every partition is healed, loss and duplication stop,
 * every router that is down is started again, and the LAN stays quiet for
 * Master_Down_Interval (of priority 1, the longest) + one advert interval + twice the
 * worst wire delay. Then, for every VRID:
 *
 *   1. exactly one router is MASTER and every other one is BACKUP;
 *   2. the master M has the highest effective priority, except that nopreempt may keep a live
 *      lower master: precisely, every router R with effectivePriority(R) > effectivePriority(M)
 *      must have nopreempt set (a preempting higher router ignores M's adverts and takes over
 *      within its MDI, RFC 3768 §6.4.2). Equal priorities: any of them may be master, because a
 *      BACKUP accepts an advert of equal priority whatever its address (§6.4.2, keepalived
 *      vrrp_state_backup()); the source-address tie-break only decides between two MASTERs
 *      (§6.4.3) and is asserted exactly in scenarios.test.ts (#46, #51);
 *   3. the VIPs of the VRID are configured on exactly one host, the master (a hard kill leaves
 *      them behind; the restarted core must remove them, checklist D5/#64);
 *   4. no core ever asked for a deadline that is not a whole number of µs.
 *
 * No timing assertions: this is about convergence. A failing seed is printed with the command
 * that replays it alone, with its timeline: TSVRRPD_SIM_SEED=<n>. TSVRRPD_SIM_SEEDS=<count>
 * changes the number of seeds (default 1 000, seeds 1..count).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VrrpInstance } from '../../src/protocol/instance';
import { Lan, type ParamsInput, SEC_US, makeRng, mdiUs } from './lan';

interface RouterSpec {
  readonly name: string;
  readonly ip: string;
  readonly instances: ParamsInput[];
}

interface Outcome {
  readonly seed: number;
  readonly problems: string[];
  readonly lan: Lan;
  readonly specs: RouterSpec[];
}

function pick<T>(rng: () => number, xs: readonly T[]): T {
  const x = xs[Math.floor(rng() * xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
}

function int(rng: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Build and run one seed; `record` keeps the timeline (used to explain a failure). */
export function runSeed(seed: number, record: boolean): Outcome {
  const rng = makeRng(seed ^ 0x5eed1234);
  const n = int(rng, 2, 5);
  const vrids = rng() < 0.3 ? [51, 52] : [51];
  const adv = new Map(vrids.map((v) => [v, rng() < 0.2 ? 2 * SEC_US : SEC_US]));
  const octets = new Set<number>();
  while (octets.size < n) octets.add(int(rng, 1, 254));
  const used = new Map<number, number[]>(vrids.map((v) => [v, []]));
  const specs: RouterSpec[] = [...octets].map((o, i) => ({
    name: `R${i}`,
    ip: `10.77.0.${o}`,
    instances: vrids.map((vrid) => {
      const prev = used.get(vrid) ?? [];
      const p = prev.length > 0 && rng() < 0.25 ? pick(rng, prev) : int(rng, 1, 254);
      prev.push(p);
      return { vrid, basePriority: p, nopreempt: rng() < 0.3, advertIntUs: adv.get(vrid) ?? SEC_US };
    }),
  }));

  const delayUs = int(rng, 0, 500);
  const jitterUs = rng() < 0.5 ? 0 : int(rng, 0, 300);
  const lan = new Lan({
    factory: (p) => new VrrpInstance(p),
    seed,
    delayUs,
    jitterUs,
    dropProbability: rng() < 0.5 ? 0 : rng() * 0.1,
    duplicateProbability: rng() < 0.7 ? 0 : rng() * 0.05,
    record,
  });
  for (const s of specs) lan.addRouter(s.name, s.ip, s.instances);
  const names = specs.map((s) => s.name);
  for (const name of names) lan.start(name, int(rng, 0, 3 * SEC_US));

  // Chaos: each event decides what to do when it fires, from the state at that moment.
  const chaosEnd = int(rng, 20, 90) * SEC_US;
  const events = int(rng, 3, 30);
  for (let i = 0; i < events; i++) {
    const t = int(rng, 3 * SEC_US + 1, chaosEnd - 1);
    const kind = pick(rng, ['partition', 'partition', 'heal', 'kill', 'kill', 'shutdown', 'restart', 'restart', 'lossy', 'priority'] as const);
    const vrid = pick(rng, vrids);
    const delta = int(rng, -80, 80);
    const who = pick(rng, names);
    const other = pick(rng, names);
    const side = names.map(() => rng() < 0.5);
    const p = rng();
    lan.at(t, () => {
      switch (kind) {
        case 'partition': {
          const a = names.filter((_, j) => side[j]);
          if (a.length > 0 && a.length < names.length) lan.partition([a]);
          return;
        }
        case 'heal':
          lan.heal();
          return;
        case 'kill':
          lan.kill(who);
          return;
        case 'shutdown':
          lan.shutdown(who);
          return;
        case 'restart':
          if (lan.isUp(who)) lan.restart(who);
          else lan.start(who);
          return;
        case 'lossy':
          if (who !== other) lan.setDrop(who, other, 0.5 + p / 2);
          return;
        case 'priority':
          lan.signal(who, vrid, { type: 'PriorityChanged', trackerDelta: delta });
          return;
      }
    });
  }

  // Heal everything, bring everyone back, stay quiet.
  lan.at(chaosEnd, () => {
    lan.heal();
    lan.dropProbability = 0;
    lan.duplicateProbability = 0;
    for (const a of names) for (const b of names) if (a !== b) lan.setDrop(a, b, null);
    for (const name of names) if (!lan.isUp(name)) lan.start(name);
  });
  const quiet = Math.max(
    ...vrids.map((v) => {
      const a = adv.get(v) ?? SEC_US;
      // A tracker may have lowered anyone to 1: the longest Master_Down_Interval.
      return mdiUs(1, a) + a;
    }),
  ) + 2 * (delayUs + jitterUs) + 1;
  lan.runUntil(chaosEnd + quiet);

  return { seed, problems: check(lan, specs, vrids), lan, specs };
}

function check(lan: Lan, specs: RouterSpec[], vrids: number[]): string[] {
  const problems: string[] = [];
  for (const vrid of vrids) {
    const masters = lan.masters(vrid);
    if (masters.length !== 1) {
      problems.push(`VRID ${vrid}: ${masters.length} masters [${masters.join(', ')}]`);
      continue;
    }
    const m = masters[0] as string;
    const mPrio = lan.core(m, vrid).effectivePriority;
    for (const s of specs) {
      if (s.name === m) continue;
      const st = lan.stateOf(s.name, vrid);
      if (st !== 'BACKUP') problems.push(`VRID ${vrid}: ${s.name} is ${st}, not BACKUP`);
      const prio = lan.core(s.name, vrid).effectivePriority;
      const nopreempt = lan.paramsOf(s.name, vrid).nopreempt;
      if (prio > mPrio && !nopreempt) {
        problems.push(`VRID ${vrid}: master ${m} (prio ${mPrio}) but ${s.name} (prio ${prio}, preempt) is BACKUP`);
      }
    }
    const holders = lan.vipHolders(vrid);
    if (holders.length !== 1 || holders[0] !== m) problems.push(`VRID ${vrid}: VIP on [${holders.join(', ')}], master ${m}`);
  }
  for (const a of lan.anomalies) problems.push(`anomaly at ${a.tUs} ${a.router}/${a.vrid}: ${a.message}`);
  return problems;
}

function describe(o: Outcome): string {
  const routers = o.specs
    .map((s) => `${s.name} ${s.ip} ` + s.instances.map((i) => `vrid ${i.vrid} prio ${i.basePriority}${i.nopreempt ? ' nopreempt' : ''} adv ${(i.advertIntUs ?? SEC_US) / SEC_US}s`).join('; '))
    .join('\n  ');
  return (
    `seed ${o.seed}: ${o.problems.length === 0 ? 'invariants hold' : o.problems.join('; ')}\n  ${routers}\n` +
    `  replay: TSVRRPD_SIM_SEED=${o.seed} node --test dist/test/sim/random.test.js`
  );
}

const only = process.env.TSVRRPD_SIM_SEED;
const count = Number(process.env.TSVRRPD_SIM_SEEDS ?? 1000);

if (only !== undefined) {
  test(`random LAN, replay of seed ${only}`, () => {
    const o = runSeed(Number(only), true);
    console.log(describe(o));
    console.log(o.lan.dump(400));
    assert.deepEqual(o.problems, []);
  });
} else {
  test(`random LAN: ${count} seeds of 2–5 routers converge to one rightful master per VRID, VIP on it only`, () => {
    const failures: string[] = [];
    let masterships = 0;
    for (let seed = 1; seed <= count; seed++) {
      const o = runSeed(seed, false);
      masterships += o.lan.stats.handleCalls.AdvertReceived;
      if (o.problems.length > 0) failures.push(describe(o));
    }
    assert.ok(masterships > 0);
    assert.equal(failures.length, 0, `${failures.length} of ${count} seeds failed:\n${failures.slice(0, 10).join('\n')}`);
  });
}
