/**
 * The simulator's own tests (test/sim/lan.ts), against a scripted fake core so that they prove
 * the harness and not the VRRP state machine: event ordering, timer re-arming, the wire (delay,
 * jitter, loss, duplication, partitions, demux), kill/shutdown/restart, VIP tracking,
 * determinism. One smoke test runs the real VrrpInstance through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAdvert } from '../../src/protocol/advert';
import { VrrpInstance } from '../../src/protocol/instance';
import type { Action, Event, InstanceParams, ReceivedPacket, VrrpCore, VrrpState } from '../../src/protocol/types';
import { Lan, formatEntry, inetChecksum, ipToU32, makeRng, mdiUs, skewUs, SEC_US } from './lan';

interface Seen {
  readonly tUs: number;
  readonly type: Event['type'];
  readonly packet?: ReceivedPacket;
}

/**
 * A fake core: on Startup it arms a deadline `periodUs` away; on every deadline it sends an
 * advert at its priority and re-arms. `script` may override the answer to any event.
 */
class FakeCore implements VrrpCore {
  state: VrrpState = 'INIT';
  readonly effectivePriority: number;
  readonly seen: Seen[] = [];
  deadline: number | null = null;
  constructor(
    readonly params: InstanceParams,
    readonly periodUs = SEC_US,
    readonly script?: (core: FakeCore, e: Event, now: number) => Action[] | undefined,
  ) {
    this.effectivePriority = params.basePriority;
  }
  handle(event: Event, nowUs: number): Action[] {
    this.seen.push(event.type === 'AdvertReceived' ? { tUs: nowUs, type: event.type, packet: event.packet } : { tUs: nowUs, type: event.type });
    const scripted = this.script?.(this, event, nowUs);
    if (scripted) return scripted;
    switch (event.type) {
      case 'Startup':
        this.state = 'BACKUP';
        this.deadline = nowUs + this.periodUs;
        return [{ type: 'RemoveVips' }];
      case 'DeadlineReached':
        this.state = 'MASTER';
        this.deadline = nowUs + this.periodUs;
        return [{ type: 'SendAdvert', priority: this.effectivePriority }, { type: 'AddVips' }];
      case 'Shutdown':
        this.state = 'STOP';
        this.deadline = null;
        return [{ type: 'SendAdvert', priority: 0 }, { type: 'RemoveVips' }];
      default:
        return [];
    }
  }
  nextDeadlineUs(): number | null {
    return this.deadline;
  }
}

function fakeLan(opts: { seed?: number; delayUs?: number; jitterUs?: number; dropProbability?: number; duplicateProbability?: number; periodUs?: number; demux?: 'vrid' | 'all' } = {}) {
  const cores: FakeCore[] = [];
  const lan = new Lan({
    ...opts,
    factory: (p) => {
      const c = new FakeCore(p, opts.periodUs ?? SEC_US);
      cores.push(c);
      return c;
    },
  });
  return { lan, cores, coreOf: (r: string, vrid = 51) => lan.core(r, vrid) as FakeCore };
}

test('sim: oracle timer arithmetic matches RFC 3768 §6.1 numbers (independent of timers.ts)', () => {
  assert.equal(skewUs(100), 609_375);
  assert.equal(mdiUs(100), 3_609_375);
  assert.equal(mdiUs(150), 3_414_062);
  assert.equal(mdiUs(1), 3_996_093);
  assert.equal(mdiUs(254), 3_007_812);
  assert.equal(mdiUs(100, 2 * SEC_US), 6_609_375);
  assert.equal(ipToU32('10.0.0.9') > ipToU32('9.255.255.255'), true);
  assert.equal(ipToU32('255.255.255.255'), 0xffffffff);
});

test('sim: PRNG is deterministic per seed and spreads over [0,1)', () => {
  const a = makeRng(42);
  const b = makeRng(42);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, makeRng(43)));
});

test('sim: Startup at the chosen time, DeadlineReached exactly at nextDeadlineUs() with now = deadline', () => {
  const { lan, coreOf } = fakeLan({ periodUs: 1_234_567 });
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.start('A', 500);
  lan.runUntil(5_000_000);
  const seen = coreOf('A').seen;
  assert.deepEqual(
    seen.map((s) => [s.type, s.tUs]),
    [
      ['Startup', 500],
      ['DeadlineReached', 500 + 1_234_567],
      ['DeadlineReached', 500 + 2 * 1_234_567],
      ['DeadlineReached', 500 + 3 * 1_234_567],
      ['DeadlineReached', 500 + 4 * 1_234_567],
    ],
  );
  assert.equal(lan.nowUs, 5_000_000);
  assert.deepEqual(lan.anomalies, []);
});

test('sim: the single timer is re-armed after every handle(); a moved or cleared deadline cancels the old one', () => {
  const lan = new Lan({
    factory: (p) =>
      new FakeCore(p, SEC_US, (c, e, now) => {
        // A received advert pushes the deadline out by 10 s; a second one clears it.
        if (e.type !== 'AdvertReceived') return undefined;
        c.deadline = c.seen.filter((s) => s.type === 'AdvertReceived').length === 1 ? now + 10 * SEC_US : null;
        return [];
      }),
  });
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.start('A', 0);
  const advert = lan.core('A', 51) as FakeCore;
  const pkt = {
    payload: Uint8Array.of(0x21, 51, 100, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    srcIp: '10.77.0.9', dstIp: '224.0.0.18', ttl: 255, ipTotalLength: 36, ipHeaderLength: 20,
  };
  lan.inject('A', pkt, 400_000);
  lan.runUntil(20 * SEC_US);
  // The deadline at 1 s was superseded by 10.4 s, which fired, then re-armed 1 s later...
  assert.deepEqual(advert.seen.filter((s) => s.type === 'DeadlineReached').slice(0, 2).map((s) => s.tUs), [10_400_000, 11_400_000]);
  lan.inject('A', pkt, 20 * SEC_US);
  const before = advert.seen.length;
  lan.runUntil(60 * SEC_US);
  // ...and a null deadline means no more DeadlineReached at all.
  assert.deepEqual(advert.seen.slice(before).map((s) => s.type), ['AdvertReceived']);
});

test('sim: events at one instant run in (time, sequence) order; queued work never goes back in time', () => {
  const { lan } = fakeLan();
  const order: string[] = [];
  lan.at(100, () => order.push('a'));
  lan.at(50, () => order.push('b'));
  lan.at(100, () => order.push('c'));
  lan.at(100, () => lan.at(100, () => order.push('e')));
  lan.at(100, () => order.push('d'));
  lan.runUntil(100);
  assert.deepEqual(order, ['b', 'a', 'c', 'd', 'e']);
  assert.throws(() => lan.at(99, () => undefined), /past/);
  assert.throws(() => lan.runUntil(99), /past/);
});

test('sim: SendAdvert becomes a real VRRPv2 packet: src = sender address, 224.0.0.18, TTL 255, exact lengths, good checksum', () => {
  const { lan, coreOf } = fakeLan();
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51, basePriority: 150, vips: ['10.77.0.100', '10.77.0.101'] }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51 }]);
  lan.start('A', 0);
  lan.start('B', 10 * SEC_US);
  lan.runUntil(10 * SEC_US + 1);
  const got = coreOf('B').seen.find((s) => s.type === 'AdvertReceived');
  assert.ok(got?.packet);
  const p = got.packet;
  assert.equal(p.srcIp, '10.77.0.1');
  assert.equal(p.dstIp, '224.0.0.18');
  assert.equal(p.ttl, 255);
  assert.equal(p.ipHeaderLength, 20);
  assert.equal(p.payload.length, 8 + 2 * 4 + 8);
  assert.equal(p.ipTotalLength, 20 + 24);
  assert.equal(inetChecksum(p.payload), 0);
  const d = decodeAdvert(p.payload);
  assert.ok(d.ok);
  assert.equal(d.advert.version, 2);
  assert.equal(d.advert.type, 1);
  assert.equal(d.advert.vrid, 51);
  assert.equal(d.advert.priority, 150);
  assert.equal(d.advert.adverIntSec, 1);
  assert.equal(d.advert.authType, 1);
  assert.deepEqual(d.advert.addresses, ['10.77.0.100', '10.77.0.101']);
  assert.deepEqual([...d.advert.authData], [0x73, 0x33, 0x63, 0x72, 0x33, 0x74, 0, 0]);
  // B was down at A's first nine adverts: nothing queued for a down router is delivered.
  assert.equal(coreOf('B').seen.filter((s) => s.type === 'AdvertReceived').length, 1);
  assert.ok(lan.stats.copiesToDeadRouter >= 9);
});

test('sim: golden vector — the harness advert at priority 100 is checklist §6.4 byte for byte', () => {
  const { lan, coreOf } = fakeLan();
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51 }]);
  lan.addRouter('X', '10.77.0.9', [{ vrid: 51 }]);
  lan.start('B', 0);
  lan.start('X', 0);
  lan.runUntil(SEC_US);
  const p = coreOf('X').seen.find((s) => s.type === 'AdvertReceived')?.packet;
  assert.ok(p);
  const hex = Buffer.from(p.payload).toString('hex');
  assert.equal(hex, '213364010101' + '64ff' + '0a4d0064' + '7333637233740000');
});

test('sim: fixed delay and bounded jitter; sender never hears itself', () => {
  const { lan, coreOf } = fakeLan({ delayUs: 250, jitterUs: 100, seed: 7 });
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51 }]);
  lan.start('A', 0);
  lan.start('B', 300_000);
  lan.runUntil(50 * SEC_US);
  const rx = coreOf('B').seen.filter((s) => s.type === 'AdvertReceived' && s.packet?.srcIp === '10.77.0.1');
  assert.ok(rx.length >= 48);
  const offsets = rx.map((s) => s.tUs % SEC_US);
  assert.ok(offsets.every((o) => o >= 250 && o <= 350), offsets.join(','));
  assert.ok(new Set(offsets).size > 5, 'jitter varies');
  assert.equal(coreOf('A').seen.filter((s) => s.packet?.srcIp === '10.77.0.1').length, 0);
});

test('sim: per-link loss probability is honoured (statistically) and one-way', () => {
  const { lan, coreOf } = fakeLan({ seed: 3 });
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51 }]);
  lan.addRouter('C', '10.77.0.3', [{ vrid: 51 }]);
  lan.setDrop('A', 'B', 0.3);
  lan.setDrop('A', 'C', 1);
  for (const r of ['A', 'B', 'C']) lan.start(r, 0);
  lan.runUntil(2000 * SEC_US);
  const fromA = (r: string) => coreOf(r).seen.filter((s) => s.packet?.srcIp === '10.77.0.1').length;
  const b = fromA('B');
  assert.ok(b > 1300 && b < 1500, `B heard ${b}/2000`);
  assert.equal(fromA('C'), 0);
  // The reverse direction is untouched.
  assert.equal(coreOf('A').seen.filter((s) => s.packet?.srcIp === '10.77.0.3').length, 2000);
});

test('sim: duplication delivers a second copy 1 µs after the first', () => {
  const { lan, coreOf } = fakeLan({ seed: 5, duplicateProbability: 0.5 });
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51 }]);
  lan.start('A', 0);
  lan.start('B', 1);
  lan.runUntil(1000 * SEC_US);
  const times = coreOf('B').seen.filter((s) => s.packet?.srcIp === '10.77.0.1').map((s) => s.tUs);
  const dups = times.filter((t, i) => i > 0 && t === (times[i - 1] ?? -10) + 1).length;
  assert.ok(dups > 400 && dups < 600, `dups ${dups}`);
  assert.equal(times.length, 1000 + dups);
});

test('sim: partitions and cuts stop delivery between groups; heal restores it', () => {
  const { lan, coreOf } = fakeLan();
  for (const [n, ip] of [['A', '10.77.0.1'], ['B', '10.77.0.2'], ['C', '10.77.0.3'], ['D', '10.77.0.4']] as const) {
    lan.addRouter(n, ip, [{ vrid: 51 }]);
    lan.start(n, 0);
  }
  lan.partition([['A', 'B']], 500_000); // C and D form the other side
  lan.heal(10_500_000);
  lan.cut('A', 'D', true, 20_500_000);
  lan.runUntil(30_500_000);
  const heard = (r: string, fromIp: string, a: number, b: number) =>
    coreOf(r).seen.filter((s) => s.packet?.srcIp === fromIp && s.tUs > a && s.tUs < b).length;
  assert.equal(heard('B', '10.77.0.1', 0, 10_500_000), 10);
  assert.equal(heard('C', '10.77.0.1', 500_000, 10_500_000), 0);
  assert.equal(heard('D', '10.77.0.3', 500_000, 10_500_000), 10);
  assert.equal(heard('A', '10.77.0.4', 500_000, 10_500_000), 0);
  assert.equal(heard('C', '10.77.0.1', 10_500_000, 20_500_000), 10);
  assert.equal(heard('D', '10.77.0.1', 20_500_000, 30_500_000), 0);
  assert.equal(heard('A', '10.77.0.4', 20_500_000, 30_500_000), 10);
  assert.equal(lan.canHear('D', 'A'), false);
  assert.equal(lan.canHear('A', 'D'), true);
});

test('sim: demux by VRID like the driver; foreign VRIDs never reach a core unless demux = all', () => {
  const { lan, coreOf } = fakeLan();
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }, { vrid: 52 }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 52 }]);
  lan.start('A', 0);
  lan.start('B', 0);
  lan.runUntil(3 * SEC_US);
  assert.deepEqual(coreOf('B', 52).seen.filter((s) => s.packet).map((s) => s.packet?.payload[1]), [52, 52, 52]);
  assert.equal(lan.stats.copiesUnclaimed, 3); // A's VRID 51 adverts reach B, which has no 51
  const all = fakeLan({ demux: 'all' });
  all.lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  all.lan.addRouter('B', '10.77.0.2', [{ vrid: 52 }]);
  all.lan.start('A', 0);
  all.lan.start('B', 0);
  all.lan.runUntil(2 * SEC_US);
  assert.deepEqual(all.coreOf('B', 52).seen.filter((s) => s.packet).map((s) => s.packet?.payload[1]), [51, 51]);
});

test('sim: hard kill stops timers and reception but leaves the VIP on the host; restart builds a fresh core', () => {
  const { lan, coreOf } = fakeLan();
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51 }]);
  lan.start('A', 0);
  lan.runUntil(1_500_000);
  assert.deepEqual(lan.vipHolders(51), ['A']);
  const old = coreOf('A');
  lan.kill('A');
  assert.equal(lan.stateOf('A', 51), 'DOWN');
  lan.start('B', 1_600_000);
  lan.runUntil(9 * SEC_US);
  assert.equal(old.seen.filter((s) => s.tUs > 1_500_000).length, 0, 'a killed core is never called again');
  assert.deepEqual(lan.vipHolders(51), ['A', 'B'], 'the stale VIP stays after SIGKILL (D5)');
  assert.equal(lan.actions({ router: 'A', fromUs: 1_500_001 }).length, 0, 'no Shutdown actions on a kill');
  lan.restart('A');
  const fresh = coreOf('A');
  assert.notEqual(fresh, old);
  assert.deepEqual(fresh.seen.map((s) => s.type), ['Startup']);
  assert.deepEqual(lan.vipHolders(51), ['B'], 'the fake core removes VIPs at Startup');
  lan.runUntil(12 * SEC_US);
  assert.ok(fresh.seen.some((s) => s.type === 'AdvertReceived'));
});

test('sim: graceful shutdown runs the Shutdown actions (prio-0 advert reaches peers), then the router is down', () => {
  const { lan, coreOf } = fakeLan();
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51 }]);
  lan.start('A', 0);
  lan.start('B', 0);
  lan.shutdown('A', 2_500_000);
  lan.runUntil(5 * SEC_US);
  const last = coreOf('B').seen.filter((s) => s.packet?.srcIp === '10.77.0.1').at(-1);
  assert.equal(last?.tUs, 2_500_000);
  assert.equal(last.packet?.payload[2], 0);
  assert.equal(lan.holdsVip('A', 51), false);
  assert.deepEqual(lan.adverts({ router: 'A' }).map((a) => a.priority), [100, 100, 0]);
  assert.equal(lan.stateOf('A', 51), 'DOWN');
});

test('sim: an overdue deadline is delivered now and counted; a fractional one is an anomaly; a livelock is caught', () => {
  const lan = new Lan({
    maxEventsPerInstant: 1000,
    factory: (p) =>
      new FakeCore(p, SEC_US, (c, e, now) => {
        if (e.type === 'Startup') {
          c.deadline = now - 5;
          return [];
        }
        if (e.type === 'PriorityChanged') {
          c.deadline = now + 0.5;
          return [];
        }
        if (e.type === 'DeadlineReached') {
          c.deadline = now; // asks for "now" forever
          return [];
        }
        return undefined;
      }),
  });
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51 }]);
  lan.start('A');
  assert.equal(lan.stats.overdueDeadlines, 1);
  assert.equal(lan.nextEventUs(), 0);
  lan.signal('A', 51, { type: 'PriorityChanged', trackerDelta: 1 });
  assert.equal(lan.anomalies.length, 1);
  assert.match(lan.anomalies[0]?.message ?? '', /non-integer deadline 0.5/);
  assert.throws(() => lan.runUntil(200), /livelock/);
});

test('sim: the same seed gives the same timeline; another seed differs', () => {
  const run = (seed: number) => {
    const { lan } = fakeLan({ seed, jitterUs: 5000, dropProbability: 0.2, duplicateProbability: 0.1 });
    for (const [n, ip] of [['A', '10.77.0.1'], ['B', '10.77.0.2'], ['C', '10.77.0.3']] as const) {
      lan.addRouter(n, ip, [{ vrid: 51 }]);
      lan.start(n, Math.floor(lan.random() * SEC_US));
    }
    lan.kill('B', 7 * SEC_US);
    lan.restart('B', 9 * SEC_US);
    lan.runUntil(30 * SEC_US);
    return lan.timeline.map(formatEntry).join('\n');
  };
  assert.equal(run(11), run(11));
  assert.notEqual(run(11), run(12));
});

test('sim: the real VrrpInstance runs on the LAN (smoke: one master, the VIP on it)', () => {
  const lan = new Lan({ factory: (p) => new VrrpInstance(p) });
  lan.addRouter('A', '10.77.0.1', [{ vrid: 51, basePriority: 150 }]);
  lan.addRouter('B', '10.77.0.2', [{ vrid: 51, basePriority: 100 }]);
  lan.start('A', 0);
  lan.start('B', 0);
  lan.runUntil(10 * SEC_US);
  assert.deepEqual(lan.masters(51), ['A'], lan.dump());
  assert.equal(lan.stateOf('B', 51), 'BACKUP');
  assert.deepEqual(lan.vipHolders(51), ['A']);
  assert.deepEqual(lan.anomalies, []);
});
