/**
 * Two tsvrrpd daemons, several instances each (network namespaces, two bridge LANs): VRIDs 51
 * and 52 on one interface with opposite priorities (A master of 51, B of 52; SIGTERM of A
 * moves only VRID 51, restart of A takes only 51 back), and the same VRID on two interfaces
 * (eth0 on br0, eth1 on br1; A master on eth0, B on eth1), which must not hear each other.
 * tshark on both bridges checks which adverts each LAN carries. Needs root, tshark and the
 * native addon; namespaces and processes are always cleaned up in after().
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exited, have, sh, sleep, startCapture, waitFor } from '../support/netns';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ID = process.pid;
const SW = `tsv-mi-sw-${ID}`;
type Node = 'a' | 'b';
type Dev = 'eth0' | 'eth1';
const NODES: Record<Node, { ns: string; ip: Record<Dev, string> }> = {
  a: { ns: `tsv-mi-a-${ID}`, ip: { eth0: '10.77.0.1', eth1: '10.78.0.1' } },
  b: { ns: `tsv-mi-b-${ID}`, ip: { eth0: '10.77.0.2', eth1: '10.78.0.2' } },
};
const BRIDGE: Record<Dev, string> = { eth0: 'br0', eth1: 'br1' };
/** RFC 3768 §6.1 Master_Down_Interval for advert_int 1 and priority 100, in ms, plus slack. */
const MDI_100 = (3 + 156 / 256) * 1000;
const SLACK = 3_000;
const addon = fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node'));
const skip = process.getuid?.() !== 0 ? 'needs root' : !have('tshark') ? 'needs tshark' : !addon ? 'needs the native addon (npm ci)' : false;

let dir = '';
const captures = new Map<Dev, ChildProcess>();
const procs = new Set<ChildProcess>();
const running = new Map<Node, ChildProcess>();
let scenario = '';

const logFile = (node: Node): string => path.join(dir, `${scenario}-${node}.log`);
const readLog = (node: Node): string => (fs.existsSync(logFile(node)) ? fs.readFileSync(logFile(node), 'utf8') : '');
const logs = (): string => (['a', 'b'] as const).map((n) => `--- tsvrrpd ${n.toUpperCase()} (${scenario}) ---\n${readLog(n)}`).join('\n');
function hasVip(node: Node, dev: Dev, vip: string): boolean {
  return spawnSync('ip', ['-n', NODES[node].ns, '-4', '-o', 'addr', 'show', 'dev', dev], { encoding: 'utf8' }).stdout.includes(` ${vip}/`);
}

/** Samples conditions in the background (while other waits run) and remembers every violation. */
class Monitor {
  private readonly violations: string[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly checks: ReadonlyArray<[string, () => boolean]>) {
    this.timer = setInterval(() => {
      for (const [what, cond] of this.checks) if (!cond()) this.violations.push(`${new Date().toISOString()} ${what}`);
    }, 50);
  }
  stop(): string[] {
    clearInterval(this.timer);
    for (const [what, cond] of this.checks) if (!cond()) this.violations.push(`${new Date().toISOString()} ${what}`);
    return this.violations;
  }
}

interface Inst {
  name: string;
  dev: Dev;
  vrid: number;
  vip: string;
  prio: Record<Node, number>;
}
function writeConf(node: Node, insts: readonly Inst[]): string {
  const file = path.join(dir, `${scenario}-${node}.conf`);
  fs.writeFileSync(
    file,
    insts
      .map(
        (i) =>
          `vrrp_instance ${i.name} {\n state BACKUP\n interface ${i.dev}\n virtual_router_id ${i.vrid}\n priority ${i.prio[node]}\n advert_int 1\n` +
          ` authentication {\n  auth_type PASS\n  auth_pass s3cr3t\n }\n virtual_ipaddress {\n  ${i.vip}/24\n }\n}\n`,
      )
      .join(''),
  );
  return file;
}
const initCount = (node: Node): number => (readLog(node).match(/Entering BACKUP STATE \(init\)/g) ?? []).length;
async function start(node: Node, insts: readonly Inst[]): Promise<void> {
  const before = initCount(node);
  const err = fs.openSync(logFile(node), 'a');
  const p = spawn('ip', ['netns', 'exec', NODES[node].ns, ...tsvrrpdNode(), '-n', '-l', '-G', '-D', '-f', writeConf(node, insts), '-p', path.join(dir, `${node}.pid`)], {
    stdio: ['ignore', 'ignore', err],
  });
  fs.closeSync(err);
  procs.add(p);
  running.set(node, p);
  await waitFor(`${node} to start all ${insts.length} instances in BACKUP`, () => initCount(node) >= before + insts.length, 10_000);
}
async function stop(node: Node): Promise<void> {
  const p = running.get(node);
  assert.ok(p);
  p.kill('SIGTERM');
  await exited(p);
  assert.equal(p.exitCode, 0, `${node} exits 0 after SIGTERM`);
  running.delete(node);
}

async function startCaptures(): Promise<void> {
  for (const dev of ['eth0', 'eth1'] as const) {
    const t = await startCapture(SW, BRIDGE[dev], 'vrrp', path.join(dir, `${scenario}-${dev}.pcapng`));
    procs.add(t);
    captures.set(dev, t);
  }
  await sleep(300);
}
interface WireAdvert {
  time: number;
  src: string;
  vrid: number;
  prio: number;
  vips: string;
}
async function stopCaptures(): Promise<Record<Dev, WireAdvert[]>> {
  await sleep(1_000); // let dumpcap write the last frames
  for (const t of captures.values()) t.kill('SIGINT');
  for (const t of captures.values()) await exited(t);
  captures.clear();
  const read = (dev: Dev): WireAdvert[] =>
    spawnSync('tshark', ['-r', path.join(dir, `${scenario}-${dev}.pcapng`), '-Y', 'vrrp', '-T', 'fields', '-E', 'separator=;', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'vrrp.virt_rtr_id', '-e', 'vrrp.prio', '-e', 'vrrp.ip_addr'], {
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => {
        const [time, src, vrid, prio, vips] = l.split(';');
        return { time: Number(time), src: src ?? '', vrid: Number(vrid), prio: Number(prio), vips: vips ?? '' };
      });
  return { eth0: read('eth0'), eth1: read('eth1') };
}
function assertNoComplaints(): void {
  for (const n of ['a', 'b'] as const) {
    const bad = readLog(n)
      .split('\n')
      .filter((l) => /invalid|mismatch|not present in|failed|error/i.test(l));
    assert.deepEqual(bad, [], `tsvrrpd ${n.toUpperCase()} logged problems:\n${bad.join('\n')}`);
  }
}

before(() => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-mi-'));
  for (const ns of [SW, NODES.a.ns, NODES.b.ns]) {
    spawnSync('ip', ['netns', 'del', ns]);
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  for (const dev of ['eth0', 'eth1'] as const) {
    sh(['ip', '-n', SW, 'link', 'add', BRIDGE[dev], 'type', 'bridge', 'mcast_snooping', '0']);
    sh(['ip', '-n', SW, 'link', 'set', BRIDGE[dev], 'up']);
    for (const [name, n] of Object.entries(NODES)) {
      const port = `sw${name}${dev.slice(-1)}`;
      sh(['ip', '-n', SW, 'link', 'add', port, 'type', 'veth', 'peer', 'name', dev, 'netns', n.ns]);
      sh(['ip', '-n', SW, 'link', 'set', port, 'master', BRIDGE[dev], 'up']);
      sh(['ip', '-n', n.ns, 'addr', 'add', `${n.ip[dev]}/24`, 'dev', dev]);
      sh(['ip', '-n', n.ns, 'link', 'set', dev, 'up']);
    }
  }
});

after(async () => {
  if (skip) return;
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill([...captures.values()].includes(p) ? 'SIGINT' : 'SIGKILL');
  for (const p of procs) await exited(p);
  for (const ns of [SW, NODES.a.ns, NODES.b.ns]) spawnSync('ip', ['netns', 'del', ns]);
  if (dir && !process.env.TSV_KEEP_LOGS) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * `moving` has A as master (A 150, B 100), `staying` has B (A 100, B 150). Both daemons start;
 * SIGTERM of A must move only `moving` to B; restarting A must take only `moving` back.
 */
async function oppositeMasters(moving: Inst, staying: Inst): Promise<Record<Dev, WireAdvert[]>> {
  const insts = [moving, staying];
  const all: Array<[Node, Inst]> = [
    ['a', moving],
    ['b', moving],
    ['a', staying],
    ['b', staying],
  ];
  const holds = (n: Node, i: Inst): boolean => hasVip(n, i.dev, i.vip);
  /** No VIP of these instances anywhere except as listed. */
  const only = (expected: Array<[Node, Inst]>): boolean => all.every(([n, i]) => holds(n, i) === expected.some(([en, ei]) => en === n && ei === i));
  await startCaptures();
  await Promise.all([start('a', insts), start('b', insts)]);
  // Started together, either daemon may be master of an instance briefly before it is preempted.
  await waitFor(
    `A to hold ${moving.name} and B ${staying.name}`,
    () =>
      only([
        ['a', moving],
        ['b', staying],
      ]),
    MDI_100 + SLACK,
  );
  await sleep(1_000);
  assert.ok(
    only([
      ['a', moving],
      ['b', staying],
    ]),
    `settled: A holds only ${moving.vip}, B only ${staying.vip}\n${logs()}`,
  );
  const settledAt = Date.now() / 1000;

  // From here on, B must keep `staying` and A must never take it.
  const monitor = new Monitor([
    [`B holds ${staying.vip} on ${staying.dev}`, () => holds('b', staying)],
    [`A does not hold ${staying.vip}`, () => !holds('a', staying)],
  ]);
  const bLogBefore = readLog('b').length;
  try {
    await stop('a');
    assert.equal(holds('a', moving), false, 'SIGTERM removes A’s VIP');
    await waitFor(`B to take ${moving.name} after A stopped`, () => holds('b', moving), 1_000 + SLACK);
    await sleep(1_000);
    assert.ok(
      only([
        ['b', moving],
        ['b', staying],
      ]),
      `after A stopped: B holds both VIPs, A none\n${logs()}`,
    );

    await start('a', insts);
    await waitFor(`restarted A to preempt ${moving.name}`, () => holds('a', moving) && !holds('b', moving), MDI_100 + SLACK);
    await sleep(1_000);
    assert.ok(
      only([
        ['a', moving],
        ['b', staying],
      ]),
      `after A restarted: A holds only ${moving.vip}, B only ${staying.vip}\n${logs()}`,
    );
  } finally {
    const violations = monitor.stop();
    assert.deepEqual(violations, [], `${staying.name} must stay on B throughout\n${logs()}`);
  }
  const bLater = readLog('b').slice(bLogBefore);
  assert.doesNotMatch(bLater, new RegExp(`\\(${staying.name}\\) Entering`), `B's ${staying.name} never changed state while A stopped and restarted`);
  assert.match(bLater, new RegExp(`\\(${moving.name}\\) Entering MASTER STATE`), `B's ${moving.name} became master when A stopped`);
  assert.match(bLater, new RegExp(`\\(${moving.name}\\) Entering BACKUP STATE`), `B's ${moving.name} went back to BACKUP on preemption`);
  // Stop B first (backup of `moving`), then A; each master sends one priority 0.
  await stop('b');
  await stop('a');
  assertNoComplaints();
  const wire = await stopCaptures();
  // After the settled point only B advertises `staying`, at its priority 150 (or 0 when it stops).
  const dev = staying.dev;
  const late = wire[dev].filter((w) => w.time > settledAt && w.vrid === staying.vrid && w.vips === staying.vip);
  assert.ok(late.length >= 5, `B advertised ${staying.name} on ${dev} (${late.length})`);
  assert.deepEqual([...new Set(late.map((w) => `${w.src}/${w.prio}`))].sort(), [`${NODES.b.ip[dev]}/0`, `${NODES.b.ip[dev]}/150`], `only B advertises ${staying.name}`);
  return wire;
}

test('several VRIDs on one interface, opposite masters: killing A moves only VRID 51', { skip, timeout: 40_000 }, async () => {
  scenario = 'vrids';
  const vr51: Inst = { name: 'VI_51', dev: 'eth0', vrid: 51, vip: '10.77.0.100', prio: { a: 150, b: 100 } };
  const vr52: Inst = { name: 'VI_52', dev: 'eth0', vrid: 52, vip: '10.77.0.101', prio: { a: 100, b: 150 } };
  const wire = await oppositeMasters(vr51, vr52);
  assert.equal(wire.eth1.length, 0, 'nothing is advertised on eth1');
  for (const w of wire.eth0) {
    assert.ok([51, 52].includes(w.vrid), `VRID ${w.vrid}`);
    assert.equal(w.vips, w.vrid === 51 ? vr51.vip : vr52.vip, `VRID ${w.vrid} advertises its own VIP`);
  }
  const from = (src: string, vrid: number): number[] => [...new Set(wire.eth0.filter((w) => w.src === src && w.vrid === vrid).map((w) => w.prio))].sort((x, y) => x - y);
  assert.deepEqual(from(NODES.a.ip.eth0, 51), [0, 150], 'A advertises VRID 51 at 150, and 0 on each stop');
  assert.ok(from(NODES.b.ip.eth0, 51).includes(100), 'B advertised VRID 51 at 100 while A was stopped');
  assert.deepEqual(
    wire.eth0.filter((w) => w.src === NODES.a.ip.eth0 && w.prio === 0).map((w) => w.vrid),
    [51, 51],
    'A sent one priority-0 advert per stop, for VRID 51 only (it was never master of 52 when stopped)',
  );
  // io/page-release.ts: before its instances start, each daemon gave back node's start-up code pages.
  for (const n of ['a', 'b'] as const) assert.match(readLog(n), /released the start-up's code pages: MADV_PAGEOUT over [1-9][\d.]* MiB of file mappings/, `${n}: start-up pages released`);
});

test('instances on two interfaces (same VRID on eth0 and eth1), opposite masters: killing A moves only the eth0 instance', { skip, timeout: 40_000 }, async () => {
  scenario = 'ifaces';
  const e0: Inst = { name: 'VI_E0', dev: 'eth0', vrid: 51, vip: '10.77.0.100', prio: { a: 150, b: 100 } };
  const e1: Inst = { name: 'VI_E1', dev: 'eth1', vrid: 51, vip: '10.78.0.100', prio: { a: 100, b: 150 } };
  const wire = await oppositeMasters(e0, e1);
  // Each LAN carries only its own subnet's adverts with its own VIP: the instances never cross.
  for (const [dev, inst] of [
    ['eth0', e0],
    ['eth1', e1],
  ] as const) {
    assert.ok(wire[dev].length >= 5, `adverts on ${BRIDGE[dev]} (${wire[dev].length})`);
    for (const w of wire[dev]) {
      assert.ok([NODES.a.ip[dev], NODES.b.ip[dev]].includes(w.src), `${BRIDGE[dev]}: source ${w.src} is on ${dev}'s subnet`);
      assert.equal(w.vips, inst.vip, `${BRIDGE[dev]}: advert carries ${inst.vip}`);
    }
  }
  // Both daemons' eth1 instances logged nothing about eth0's adverts (same VRID, other VIP).
  for (const n of ['a', 'b'] as const) {
    assert.doesNotMatch(readLog(n), /\(VI_E1\) .*10\.77\.0\./, `${n}: VI_E1 never saw an eth0 advert`);
    assert.doesNotMatch(readLog(n), /\(VI_E0\) .*10\.78\.0\./, `${n}: VI_E0 never saw an eth1 advert`);
  }
});
