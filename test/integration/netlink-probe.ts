/**
 * Test helper for test/integration/netlink.test.ts, run inside a network namespace with
 * `ip netns exec NS node dist/test/integration/netlink-probe.js <mode>` (Node cannot setns):
 *
 *   manager '<JSON ops>'  run [{op:'add'|'remove', spec} | {op:'list', ifname} | {op:'ip', args}]
 *                         in order on one NetlinkAddressManager (`ip` runs `ip ARGS` in between,
 *                         e.g. to re-create an interface); print one JSON array of results.
 *   burst N               add N addresses (10.1.x.y/16 on eth0) at once, then remove them at once,
 *                         on one NetlinkAddressManager; print {"added":k,"removed":k,"failed":[...]}.
 *   watch [throwing]      open a NetlinkLinkWatcher; print JSON lines: {"ready":true}, then
 *                         {"event":...} per LinkEvent and {"isUp":IF,"up":bool} per stdin line
 *                         `isUp IF`; close and exit when stdin ends. `throwing`: a first
 *                         listener throws on every event, and faults print {"fault":...}.
 *
 * Errors are printed as {ok:false, name, code, operation}: the parent asserts on `code`.
 */
import { spawnSync } from 'node:child_process';
import * as readline from 'node:readline';
import { NetlinkAddressManager, NetlinkLinkWatcher } from '../../src/io/netlink';
import { TsvrrpdIoError } from '../../src/io/errors';
import { setFaultSink } from '../../src/io/faults';
import type { AddressSpec } from '../../src/io/ports';

type Op = { op: 'add' | 'remove'; spec: AddressSpec } | { op: 'list'; ifname: string } | { op: 'ip'; args: string[] };

function failure(err: unknown): Record<string, unknown> {
  if (err instanceof TsvrrpdIoError) return { ok: false, name: err.name, code: err.code, operation: err.operation };
  return { ok: false, name: err instanceof Error ? err.name : typeof err, message: String(err) };
}

async function manager(ops: Op[]): Promise<void> {
  const m = new NetlinkAddressManager({ requestTimeoutMs: 3000 });
  const results: Record<string, unknown>[] = [];
  for (const o of ops) {
    try {
      if (o.op === 'ip') results.push({ ok: spawnSync('ip', o.args).status === 0 });
      else if (o.op === 'list') results.push({ ok: true, value: await m.list(o.ifname) });
      else if (o.op === 'add') results.push({ ok: true, value: await m.add(o.spec) });
      else results.push({ ok: true, value: await m.remove(o.spec) });
    } catch (err) {
      results.push(failure(err));
    }
  }
  m.close();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

async function watch(throwing: boolean): Promise<void> {
  const w = await NetlinkLinkWatcher.open({ ref: true, requestTimeoutMs: 3000 });
  const say = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
  if (throwing) {
    setFaultSink((line) => say({ fault: line.split('\n', 1)[0] }));
    w.onEvent(() => {
      throw new Error('listener bug');
    });
  }
  w.onEvent((event) => say({ event }));
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [cmd, ifname] = line.trim().split(/\s+/);
    if (cmd === 'isUp' && ifname !== undefined) {
      w.isUp(ifname).then(
        (up) => say({ isUp: ifname, up }),
        (err: unknown) => say({ isUp: ifname, ...failure(err) }),
      );
    }
  });
  rl.on('close', () => w.close());
  say({ ready: true });
}

/** Many requests at once, as a start-up with hundreds of instances issues them. */
async function burst(n: number): Promise<void> {
  const m = new NetlinkAddressManager({ requestTimeoutMs: 10_000 });
  const specs: AddressSpec[] = Array.from({ length: n }, (_, i) => ({ address: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, prefixLength: 16, ifname: 'eth0' }));
  const failed: string[] = [];
  const count = async (op: (s: AddressSpec) => Promise<void>): Promise<number> =>
    (await Promise.allSettled(specs.map(op))).filter((r, i) => r.status === 'fulfilled' || (failed.push(`${specs[i]?.address}: ${String(r.reason)}`), false)).length;
  const added = await count((s) => m.add(s));
  const removed = await count((s) => m.remove(s));
  m.close();
  process.stdout.write(`${JSON.stringify({ added, removed, failed: failed.slice(0, 5) })}\n`);
}

const [mode, arg] = process.argv.slice(2);
const run =
  mode === 'manager' ? manager(JSON.parse(arg ?? '[]') as Op[]) : mode === 'watch' ? watch(arg === 'throwing') : mode === 'burst' ? burst(Number(arg)) : Promise.reject(new Error(`unknown mode ${mode}`));
run.catch((err: unknown) => {
  process.stdout.write(`${JSON.stringify({ fatal: failure(err) })}\n`);
  process.exitCode = 1;
});
