/**
 * CoarseWheel (src/runtime/coarse-wheel.ts): a client is called no earlier than asked and at
 * most a slot later, clients of one slot together and slots in order, a stale entry (the
 * client left or re-joined elsewhere) is ignored, one client that throws does not stop the
 * others, and a driver's long takeover wait uses the wheel instead of a timer of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoarseWheel, type WheelClient } from '../../../src/runtime/coarse-wheel';
import { MachineDriver, type Machine } from '../../../src/runtime/driver';
import type { Event } from '../../../src/protocol/types';
import type { GroupAction } from '../../../src/protocol/sync-group';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Recorder implements WheelClient {
  slot: number | null = null;
  readonly calls: number[] = [];
  constructor(
    private readonly at: () => number,
    private readonly fail = false,
  ) {}
  onWheel(slot: number): void {
    if (slot !== this.slot) return;
    this.calls.push(this.at());
    if (this.fail) throw new Error('client bug');
  }
}

test('called no earlier than asked and at most one slot later; the clients of one slot together; a throwing client does not stop the rest', async () => {
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const wheel = new CoarseWheel(now, 20);
  const a = new Recorder(now, true);
  const b = new Recorder(now);
  const c = new Recorder(now);
  a.slot = wheel.add(a, 30);
  b.slot = wheel.add(b, 35);
  c.slot = wheel.add(c, 70);
  assert.equal(a.slot, b.slot, '30 and 35 ms end in one 20 ms slot');
  assert.equal(wheel.size, 3);
  await sleep(150);
  assert.equal(a.calls.length, 1);
  assert.equal(b.calls.length, 1, 'after a client that threw');
  assert.equal(c.calls.length, 1);
  assert.ok((a.calls[0] ?? 0) >= 30 && (b.calls[0] ?? 0) >= 35 && (c.calls[0] ?? 0) >= 70, JSON.stringify([a.calls, b.calls, c.calls]));
  assert.ok((b.calls[0] ?? 0) < 35 + 20 + 15, `at most a slot late (+ timer slack): ${b.calls[0]}`);
  assert.ok((c.calls[0] ?? 0) > (b.calls[0] ?? 0));
  assert.equal(wheel.size, 0);
});

test('a stale entry is ignored: the client re-joined a later slot or left', async () => {
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const wheel = new CoarseWheel(now, 10);
  const moved = new Recorder(now);
  const left = new Recorder(now);
  moved.slot = wheel.add(moved, 10);
  moved.slot = wheel.add(moved, 60);
  left.slot = wheel.add(left, 10);
  left.slot = null;
  await sleep(40);
  assert.deepEqual(moved.calls, [], 'not at its first slot');
  assert.deepEqual(left.calls, []);
  await sleep(80);
  assert.equal(moved.calls.length, 1);
  assert.ok((moved.calls[0] ?? 0) >= 60);
  assert.deepEqual(left.calls, []);
});

class WaitingBackup implements Machine {
  deadline: number | null = null;
  readonly handled: string[] = [];
  readonly awaitsTakeover = true;
  /** The clock's time when DeadlineReached was handled. */
  firedAtUs: number | null = null;
  constructor(private readonly clock: { nowUs(): number } = { nowUs: () => 0 }) {}
  handle(event: Event): GroupAction[] {
    this.handled.push(event.type);
    if (event.type === 'DeadlineReached') this.firedAtUs = this.clock.nowUs();
    if (event.type === 'DeadlineReached') this.deadline = null;
    return [];
  }
  nextDeadlineUs(): number | null {
    return this.deadline;
  }
}

test('MachineDriver: a takeover deadline seconds away waits on the wheel, not on a timer of its own; adverts pushing it back cost nothing', async () => {
  const clock = { t: 0, nowUs(): number { return this.t; } };
  const wheel = new CoarseWheel(() => performance.now(), 64);
  const m = new WaitingBackup();
  const realSet = globalThis.setTimeout;
  const own: number[] = [];
  const d = new MachineDriver(m, () => undefined, clock, () => undefined, { wheel });
  try {
    globalThis.setTimeout = ((fn: () => void, ms?: number) => (own.push(ms ?? 0), realSet(fn, ms))) as typeof setTimeout;
    m.deadline = 3_609_375;
    await d.post({ type: 'Startup' });
    for (let i = 1; i <= 5; i++) {
      m.deadline = 3_609_375 + i * 1_000_000;
      await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1');
    }
    assert.equal(wheel.size, 1, 'one wheel entry for the wait');
    assert.ok(own.length <= 1, `only the wheel's own timer: ${own.join(',')}`);
  } finally {
    globalThis.setTimeout = realSet;
    d.stop();
  }
  // Stopped: the entry is stale, nothing fires.
  assert.deepEqual(m.handled, ['Startup', 'PriorityChanged', 'PriorityChanged', 'PriorityChanged', 'PriorityChanged', 'PriorityChanged']);
});

test('MachineDriver: near the deadline the wheel hands over to the precise timer, which fires the takeover', async () => {
  const t0 = performance.now();
  const clock = { nowUs: (): number => Math.floor((performance.now() - t0) * 1000) };
  const wheel = new CoarseWheel(() => performance.now(), 20);
  const m = new WaitingBackup(clock);
  const d = new MachineDriver(m, () => undefined, clock, () => undefined, { wheel });
  m.deadline = 150_000; // 150 ms: more than 3 slots of 20 ms, so the wheel first
  await d.post({ type: 'Startup' });
  assert.equal(wheel.size, 1);
  for (let i = 0; i < 100 && !m.handled.includes('DeadlineReached'); i++) await sleep(5);
  assert.ok(m.handled.includes('DeadlineReached'));
  const at = m.firedAtUs ?? 0;
  assert.ok(at >= 150_000 && at < 150_000 + 20_000, `at the deadline, never before it: ${at} µs`);
  d.stop();
});
