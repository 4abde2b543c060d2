/**
 * Fault 4, the interface deleted and re-created under the running daemon: A's eth0 (a veth
 * whose peer `swa` is a port of the bridge) is deleted — the instance must go to FAULT, B (100)
 * takes over (asserted) — then re-created with the same name and address (a new ifindex and
 * MAC, checked) and brought up: the instance leaves FAULT, and the pair converges to exactly one
 * MASTER, A (150, preempting), the VIP only on it (`ip addr` on both), within
 * Master_Down_Interval + 1 s of the link coming back; the daemon never exits, and no
 * "SendAdvert failed … ENODEV" (or any send failure) is logged once the new link has been up 1 s.
 * Run with tsvrrpd as A and keepalived 2.2.7 as B, then with the roles swapped (tsvrrpd the
 * BACKUP that takes over and yields again). Test 3 re-creates the BACKUP's eth0 instead (tsvrrpd
 * as B, keepalived the MASTER): B goes to FAULT and back to BACKUP, and must then keep hearing A
 * and stay BACKUP (no false takeover: the VIP only on A for Master_Down_Interval + 2 s).
 * Labs tsv-fi-<n>-*-<pid>, removed even on failure.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SLACK, ScenarioLabs, e2eSkipReason, entered, masterDownMs, note } from '../support/e2e-lab';
import type { E2eDaemon } from '../support/e2e-lab';
import { addBridgePort, sh, sleep } from '../support/netns';
import { Checks, PRIO_B, TSV_BACKUP, TSV_MASTER, alive, converge, holders, linkId, masterPair, pollUntil, rolesName, tsvLineMs } from './faults-common';
import type { Pair } from './faults-common';

const skip = e2eSkipReason(['tsvrrpd', 'keepalived']);
const labs = new ScenarioLabs('tsv-fi', 'tsvrrpd');

/** No tsvrrpd of the pair logged a send failure from 1 s after the re-created link was up. */
function noLateSendFailures(p: Pair, checks: Checks, upAt: number): void {
  for (const d of [p.a, p.b].filter((x): x is E2eDaemon => x.impl === 'tsvrrpd')) {
    const sendFails = d.lines(/SendAdvert failed/);
    const late = sendFails.filter((l) => tsvLineMs(l) > upAt + 1_000);
    note(`${d.name} logged ${sendFails.length} "SendAdvert failed" lines, ${late.length} of them from 1 s after the re-created link was up${sendFails[0] ? `; first: ${sendFails[0]}` : ''}`);
    checks.check(late.length === 0, `${d.name}: ${late.length} "SendAdvert failed" lines logged after the link was back, e.g.\n    ${late.slice(0, 3).join('\n    ')}`);
  }
}

/** Delete `node`'s eth0 and re-create it (same name and address, a new veth); the time it was re-created and the old and new ids. */
async function recreate(p: Pair, node: 'a' | 'b', between: () => Promise<void>): Promise<{ upAt: number }> {
  const old = linkId(p.lab, node, 'eth0');
  assert.ok(old !== null);
  const delAt = Date.now();
  sh(['ip', '-n', p.lab.ns(node), 'link', 'del', 'eth0']);
  await between();
  addBridgePort(p.lab.bridgeNs(), node, p.lab.ns(node), 'eth0', node === 'a' ? p.ipA : p.ipB);
  const upAt = Date.now();
  await p.lab.waitOperUp(node, 'eth0');
  const now = linkId(p.lab, node, 'eth0');
  assert.ok(now !== null);
  note(`${node.toUpperCase()}'s eth0 re-created ${upAt - delAt} ms after the deletion: ifindex ${old.ifindex} → ${now.ifindex}, MAC ${old.mac} → ${now.mac}`);
  assert.notEqual(now.ifindex, old.ifindex, 'the new eth0 has a new ifindex');
  assert.notEqual(now.mac, old.mac, 'the new eth0 has a new MAC');
  return { upAt };
}

/** Samples every 50 ms that neither daemon has exited; `stop()` ends it and returns what it saw. */
function watchExits(p: Pair): { stop(): string[] } {
  const exits: string[] = [];
  const timer = setInterval(() => {
    for (const d of [p.a, p.b]) if (!d.running && !exits.some((e) => e.startsWith(d.name))) exits.push(`${d.name} exited (code ${d.proc.exitCode}, signal ${d.proc.signalCode})`);
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return exits;
    },
  };
}

describe('fault: the MASTER interface deleted and re-created', { concurrency: 1 }, () => {
  for (const [i, roles] of [TSV_MASTER, TSV_BACKUP].entries()) {
    it(`${i + 1}. ${rolesName(roles)}: A's eth0 deleted → FAULT, B takes over; re-created → one MASTER (A), no ENODEV loop`, { skip, timeout: 60_000 }, async (t) => {
      const p = await masterPair(labs, t, i + 1, 65 + i, roles);
      const checks = new Checks(p);
      const watch = watchExits(p);
      t.after(() => watch.stop());
      const aFaults = entered(p.a, 'FAULT');
      const aBackups = entered(p.a, 'BACKUP');
      const bMasters = entered(p.b, 'MASTER');
      const { upAt } = await recreate(p, 'a', async () => {
        const delAt = Date.now();
        const faultMs = await pollUntil(() => entered(p.a, 'FAULT') > aFaults, SLACK);
        const tookMs = await pollUntil(() => holders(p) === 'b', masterDownMs(PRIO_B) + SLACK);
        note(`deleted: A in FAULT after ${faultMs ?? 'never'} ms, VIP only on B after ${tookMs ?? 'never'} ms (Master_Down_Interval ${masterDownMs(PRIO_B).toFixed(0)} ms)`);
        assert.ok(tookMs !== null, `B took over once A's eth0 was deleted (VIP held by ${holders(p)}) after ${Date.now() - delAt} ms\n${p.b.tail()}`);
        assert.ok(entered(p.b, 'MASTER') > bMasters, 'B logged entering MASTER');
        checks.check(faultMs !== null, `A's instance went to FAULT when its interface was deleted (${p.a.lines(/\(VI_1\)/).slice(-3).join(' | ')})`);
      });
      const backMs = await pollUntil(() => entered(p.a, 'BACKUP') > aBackups, SLACK);
      checks.check(backMs !== null, `A's instance left FAULT (entered BACKUP) once eth0 was back (last: ${p.a.lines(/\(VI_1\)/).pop()})`);
      const bound = masterDownMs(PRIO_B) + 1_000;
      await converge(p, checks, { winner: 'a', t0: upAt, boundMs: bound, windowMs: bound + SLACK, holdMs: 3_000, what: 're-created' });
      for (const d of [p.a, p.b]) {
        const s = alive(d);
        checks.check(s.ok, s.why);
      }
      const exits = watch.stop();
      checks.check(exits.length === 0, `the daemons never exited: ${exits.join('; ')}`);
      noLateSendFailures(p, checks, upAt);
      checks.done();
    });
  }
});

describe('fault: the BACKUP interface deleted and re-created', () => {
  it(`3. ${rolesName(TSV_BACKUP)}: B's eth0 deleted → FAULT; re-created → BACKUP again, keeps hearing A, no false takeover`, { skip, timeout: 60_000 }, async (t) => {
    const p = await masterPair(labs, t, 3, 67, TSV_BACKUP);
    const checks = new Checks(p);
    const watch = watchExits(p);
    t.after(() => watch.stop());
    const bFaults = entered(p.b, 'FAULT');
    const bBackups = entered(p.b, 'BACKUP');
    const bMasters = entered(p.b, 'MASTER');
    const { upAt } = await recreate(p, 'b', async () => {
      const faultMs = await pollUntil(() => entered(p.b, 'FAULT') > bFaults, SLACK);
      note(`deleted: B in FAULT after ${faultMs ?? 'never'} ms`);
      assert.ok(faultMs !== null, `B's instance went to FAULT when its interface was deleted\n${p.b.tail()}`);
      await sleep(1_000);
    });
    const backMs = await pollUntil(() => entered(p.b, 'BACKUP') > bBackups, SLACK);
    note(`re-created: B back in BACKUP after ${backMs ?? 'never'} ms`);
    assert.ok(backMs !== null, `B's instance left FAULT (entered BACKUP) once eth0 was back\n${p.b.tail()}`);
    // A keeps advertising every second: B must hear it on the new interface and never take over.
    const holdMs = masterDownMs(PRIO_B) + 2_000;
    const end = Date.now() + holdMs;
    let broke = '';
    while (Date.now() < end && broke === '') {
      if (holders(p) !== 'a') broke = `VIP held by ${holders(p)} at +${Date.now() - upAt} ms`;
      await sleep(20);
    }
    await sleep(200);
    const fromB = p.cap.find({ src: p.ipB, vrid: p.vrid }, upAt);
    note(`after the re-creation: ${broke === '' ? `VIP only on A for ${holdMs} ms` : broke}; B sent ${fromB.length} adverts, entered MASTER ${entered(p.b, 'MASTER') - bMasters} times`);
    checks.check(broke === '', `B stayed BACKUP, the VIP only on A, for ${holdMs} ms after the re-creation (${broke})`);
    checks.check(fromB.length === 0, `B sent no adverts after the re-creation (${fromB.length}, priorities ${[...new Set(fromB.map((x) => x.prio))].join(',')})`);
    checks.check(entered(p.b, 'MASTER') === bMasters, `B never entered MASTER (${entered(p.b, 'MASTER') - bMasters} times)`);
    const s = alive(p.b);
    checks.check(s.ok, s.why);
    const exits = watch.stop();
    checks.check(exits.length === 0, `the daemons never exited: ${exits.join('; ')}`);
    noLateSendFailures(p, checks, upAt);
    checks.done();
  });
});
