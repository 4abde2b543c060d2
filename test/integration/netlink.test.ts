/**
 * The rtnetlink adapter (src/io/netlink.ts) on the real kernel: in a network namespace with a
 * veth pair (eth0 <-> peer0), a probe process (netlink-probe.ts, run with `ip netns exec`)
 * drives NetlinkAddressManager and NetlinkLinkWatcher, and `ip` checks what the kernel holds.
 * Needs root (namespaces); the namespace is deleted even when a test fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const NS = `tsv-nl-${process.pid}`;
const PROBE = path.join(__dirname, 'netlink-probe.js');
const skip = process.getuid?.() === 0 ? false : 'needs root for network namespaces';
const EVENT_DEADLINE_MS = 1000;

function sh(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `ip -4 -o addr show dev eth0` inside the namespace. */
function kernelAddrs(): string {
  return sh('-n', NS, '-4', '-o', 'addr', 'show', 'dev', 'eth0');
}

type Result = { ok: boolean; code?: string; name?: string; value?: unknown };

function manager(...ops: unknown[]): Result[] {
  const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, PROBE, 'manager', JSON.stringify(ops)], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Result[];
}

const VIP = { address: '10.0.0.100', prefixLength: 24, ifname: 'eth0', broadcast: '10.0.0.255', scope: 'global', label: 'eth0:vip' };

before(() => {
  if (skip) return;
  spawnSync('ip', ['netns', 'del', NS]);
  sh('netns', 'add', NS);
  sh('-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0');
  for (const i of ['lo', 'eth0', 'peer0']) sh('-n', NS, 'link', 'set', i, 'up');
  sh('-n', NS, 'addr', 'add', '10.0.0.1/24', 'dev', 'eth0');
});

after(() => {
  if (!skip) spawnSync('ip', ['netns', 'del', NS]);
});

describe('NetlinkAddressManager', { skip }, () => {
  test('1 000 adds and then 1 000 removes at once all complete (requests are paced: the netlink package aborted the process above ~256 in flight)', () => {
    const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, PROBE, 'burst', '1000'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `the probe died (${r.status} ${r.signal ?? ''}): ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), { added: 1000, removed: 1000, failed: [] });
    assert.doesNotMatch(kernelAddrs(), /10\.1\./);
  });

  test('add puts the VIP on with its prefix, broadcast, label and scope; twice is success', () => {
    const results = manager({ op: 'add', spec: VIP }, { op: 'add', spec: VIP });
    assert.deepEqual(results, [{ ok: true }, { ok: true }]);
    assert.match(kernelAddrs(), /inet 10\.0\.0\.100\/24 brd 10\.0\.0\.255 scope global secondary eth0:vip/);
    // A fresh process (cold ifindex cache) sees EEXIST too, and that is still success.
    assert.deepEqual(manager({ op: 'add', spec: VIP }), [{ ok: true }]);
    assert.equal(kernelAddrs().match(/10\.0\.0\.100\//g)?.length, 1);
  });

  test('scope link and no broadcast are sent as given', () => {
    const spec = { address: '192.168.77.1', prefixLength: 32, ifname: 'eth0', scope: 'link', broadcast: null, label: null };
    assert.deepEqual(manager({ op: 'add', spec }), [{ ok: true }]);
    assert.match(kernelAddrs(), /inet 192\.168\.77\.1\/32 scope link eth0\\/);
  });

  test('list returns the IPv4 addresses of the interface, primaries first, in kernel order', () => {
    const [r] = manager({ op: 'list', ifname: 'eth0' });
    // The kernel keeps primaries ahead of secondaries, narrower scopes first (scope link
    // 192.168.77.1 ahead of global 10.0.0.1); `ip` prints the same list in the same order.
    const shown = [...kernelAddrs().matchAll(/inet ([0-9.]+)\/([0-9]+)/g)].map((m) => ({ address: m[1], prefixLength: Number(m[2]) }));
    assert.deepEqual(shown.map((a) => a.address), ['192.168.77.1', '10.0.0.1', '10.0.0.100']);
    assert.deepEqual(r, { ok: true, value: shown });
  });

  test('remove takes it off; twice, and from a missing interface, is success', () => {
    const results = manager({ op: 'remove', spec: VIP }, { op: 'remove', spec: VIP }, { op: 'remove', spec: { ...VIP, ifname: 'nope0' } });
    assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }]);
    assert.doesNotMatch(kernelAddrs(), /10\.0\.0\.100/);
    // The label is not part of the match: an address added without it is removed too.
    sh('-n', NS, 'addr', 'add', '10.0.0.100/24', 'dev', 'eth0');
    assert.deepEqual(manager({ op: 'remove', spec: VIP }), [{ ok: true }]);
    assert.doesNotMatch(kernelAddrs(), /10\.0\.0\.100/);
  });

  test('errors are TsvrrpdIoError with an errno code: ENODEV for a missing interface, EINVAL from the kernel', () => {
    const results = manager(
      { op: 'add', spec: { ...VIP, ifname: 'nope0' } },
      { op: 'add', spec: { ...VIP, prefixLength: 33 } },
      { op: 'list', ifname: 'nope0' },
    );
    assert.deepEqual(
      results.map((r) => [r.ok, r.name, r.code]),
      [
        [false, 'TsvrrpdIoError', 'ENODEV'],
        [false, 'TsvrrpdIoError', 'EINVAL'],
        [false, 'TsvrrpdIoError', 'ENODEV'],
      ],
    );
  });
});

describe('NetlinkAddressManager with a stale ifindex cache', { skip }, () => {
  const recreate = [
    { op: 'ip', args: ['link', 'del', 'eth0'] },
    { op: 'ip', args: ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0'] },
    { op: 'ip', args: ['link', 'set', 'eth0', 'up'] },
    { op: 'ip', args: ['link', 'set', 'peer0', 'up'] },
    { op: 'ip', args: ['addr', 'add', '10.0.0.1/24', 'dev', 'eth0'] },
  ];
  const allOk = (results: Result[]): void => assert.deepEqual(results.map((r) => (r.ok ? true : r)), Array<boolean>(results.length).fill(true));

  test('add to an interface re-created under the same name (kernel ENODEV on the old index) re-resolves it', () => {
    allOk(manager({ op: 'add', spec: VIP }, ...recreate, { op: 'add', spec: VIP }));
    assert.match(kernelAddrs(), /inet 10\.0\.0\.100\/24 brd 10\.0\.0\.255 scope global secondary eth0:vip/);
  });

  test('remove from a re-created interface re-resolves it rather than calling ENODEV done', () => {
    allOk(manager({ op: 'list', ifname: 'eth0' }, ...recreate, { op: 'ip', args: ['addr', 'add', '10.0.0.100/24', 'dev', 'eth0'] }, { op: 'remove', spec: VIP }));
    assert.doesNotMatch(kernelAddrs(), /10\.0\.0\.100/);
    assert.match(kernelAddrs(), /inet 10\.0\.0\.1\/24/);
  });
});

describe('NetlinkLinkWatcher', { skip }, () => {
  let probe: ChildProcessWithoutNullStreams | null = null;
  const lines: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();

  /** Resolve with (and consume) the first probe line matching `pred`. */
  function waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const take = (): boolean => {
        const i = lines.findIndex(pred);
        if (i < 0) return false;
        const [hit] = lines.splice(i, 1);
        resolve(hit ?? {});
        return true;
      };
      if (take()) return;
      const waiter = (): void => {
        if (!take()) return;
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no ${what} within ${timeoutMs} ms; saw ${JSON.stringify(lines)}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  }

  async function isUp(ifname: string): Promise<unknown> {
    probe?.stdin.write(`isUp ${ifname}\n`);
    const r = await waitFor((l) => l.isUp === ifname, 3000, `isUp ${ifname}`);
    return r.up;
  }

  /** Run `ip` and wait for the event; returns the event. */
  async function expectEventLine(action: string[], event: Record<string, unknown>): Promise<Record<string, unknown>> {
    sh('-n', NS, ...action);
    const matches = (got: unknown): boolean => typeof got === 'object' && got !== null && Object.entries(event).every(([k, v]) => (got as Record<string, unknown>)[k] === v);
    const line = await waitFor((l) => matches(l.event), EVENT_DEADLINE_MS, JSON.stringify(event));
    return line.event as Record<string, unknown>;
  }

  /** Run `ip` and wait for the event; returns how long it took. */
  async function expectEvent(action: string[], event: Record<string, unknown>): Promise<number> {
    const t0 = Date.now();
    await expectEventLine(action, event);
    return Date.now() - t0;
  }

  before(async () => {
    // `throwing`: the probe's first listener throws on every event (a bug in a listener must
    // not abort the process from the netlink package's native callback, nor starve the others).
    probe = spawn('ip', ['netns', 'exec', NS, process.execPath, PROBE, 'watch', 'throwing']);
    readline.createInterface({ input: probe.stdout }).on('line', (line) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
      for (const w of [...waiters]) w();
    });
    await waitFor((l) => l.ready === true, 10_000, 'watcher ready');
  });

  after(() => {
    probe?.stdin.end();
    probe?.kill();
  });

  test('isUp reads IFF_UP and IFF_RUNNING; a missing interface is not up', async () => {
    assert.equal(await isUp('eth0'), true);
    assert.equal(await isUp('nope0'), false);
  });

  test('link down and up are reported within 1 s, and isUp follows', async () => {
    await expectEvent(['link', 'set', 'eth0', 'down'], { type: 'link', ifname: 'eth0', up: false });
    assert.equal(await isUp('eth0'), false);
    await expectEvent(['link', 'set', 'eth0', 'up'], { type: 'link', ifname: 'eth0', up: true });
    assert.equal(await isUp('eth0'), true);
  });

  test('the peer losing carrier takes eth0 down (IFF_RUNNING), and back', async () => {
    await expectEvent(['link', 'set', 'peer0', 'down'], { type: 'link', ifname: 'eth0', up: false });
    assert.equal(await isUp('eth0'), false);
    await expectEvent(['link', 'set', 'peer0', 'up'], { type: 'link', ifname: 'eth0', up: true });
  });

  test('IPv4 address added and deleted with `ip addr` are reported within 1 s', async () => {
    await expectEvent(['addr', 'add', '10.0.0.200/24', 'dev', 'eth0'], { type: 'address-added', ifname: 'eth0', address: '10.0.0.200' });
    await expectEvent(['addr', 'del', '10.0.0.200/24', 'dev', 'eth0'], { type: 'address-deleted', ifname: 'eth0', address: '10.0.0.200' });
  });

  test('link events carry the interface index; a re-created interface comes up with a new one', async () => {
    const first = await expectEventLine(['link', 'set', 'eth0', 'down'], { type: 'link', ifname: 'eth0', up: false });
    sh('-n', NS, 'link', 'set', 'eth0', 'up');
    await waitFor((l) => (l.event as { up?: boolean } | undefined)?.up === true, EVENT_DEADLINE_MS, 'eth0 up');
    assert.equal(typeof first.ifindex, 'number');
    sh('-n', NS, 'link', 'add', 'tmp0', 'type', 'veth', 'peer', 'name', 'tmp1');
    sh('-n', NS, 'link', 'set', 'tmp1', 'up');
    const a = await expectEventLine(['link', 'set', 'tmp0', 'up'], { type: 'link', ifname: 'tmp0', up: true });
    await expectEventLine(['link', 'del', 'tmp0'], { type: 'link', ifname: 'tmp0', up: false });
    sh('-n', NS, 'link', 'add', 'tmp0', 'type', 'veth', 'peer', 'name', 'tmp1');
    sh('-n', NS, 'link', 'set', 'tmp1', 'up');
    const b = await expectEventLine(['link', 'set', 'tmp0', 'up'], { type: 'link', ifname: 'tmp0', up: true });
    sh('-n', NS, 'link', 'del', 'tmp0');
    assert.notEqual(a.ifindex, b.ifindex);
  });

  test("a listener that throws is reported as a fault; the watcher's other listeners still hear every event", async () => {
    const fault = await waitFor((l) => typeof l.fault === 'string', EVENT_DEADLINE_MS, 'a fault line');
    assert.match(String(fault.fault), /^internal error in a listener of (link|address-added|address-deleted) events \(\w+\): Error: listener bug$/);
    assert.equal(await isUp('eth0'), true, 'the probe is alive and answers');
  });

  test('a link change that is not an up/down transition is quiet', async () => {
    await new Promise((r) => setTimeout(r, 100));
    lines.length = 0; // peer0's own events from the carrier test, and the fault lines
    sh('-n', NS, 'link', 'set', 'eth0', 'mtu', '1400');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(lines, []);
  });
});
