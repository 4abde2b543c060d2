/**
 * The machines a driver runs (src/runtime/machines.ts: a lone instance, a sync group) and the
 * driver loop (src/runtime/driver.ts MachineDriver): routing of events to members, actions
 * tagged with their scope and name, awaitsTakeover, serialised post(), timers re-armed from
 * nextDeadlineUs() with "now" clamped to the deadline (ARCHITECTURE §1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { VrrpInstance } from '../../../src/protocol/instance';
import type { GroupAction } from '../../../src/protocol/sync-group';
import type { Event, InstanceParams } from '../../../src/protocol/types';
import { LoneInstanceMachine, SyncGroupMachine } from '../../../src/runtime/machines';
import { MachineDriver, type Machine } from '../../../src/runtime/driver';
import { advertFrom } from '../../support/adverts';
import { core, labParams, MDI_100 } from '../../support/instance-harness';

const MDI_150 = 3_414_062;

/** "VI_1:Notify(BACKUP,100)", "group G:Notify(BACKUP,0)"; logs and counters left out. */
function view(actions: readonly GroupAction[]): string[] {
  return actions.flatMap((a) => core([a.action]).map((s) => `${a.scope === 'group' ? 'group ' : ''}${a.name}:${s}`));
}

function vi1(p: Partial<InstanceParams> = {}): VrrpInstance {
  return new VrrpInstance(labParams(p));
}

function vi2(p: Partial<InstanceParams> = {}): VrrpInstance {
  return new VrrpInstance(labParams({ name: 'VI_2', vrid: 52, basePriority: 150, vips: ['10.77.1.100'], ...p }));
}

// ---- LoneInstanceMachine ----

test('LoneInstanceMachine: Startup actions are tagged scope instance with the instance name', () => {
  const m = new LoneInstanceMachine(vi1());
  const actions = m.handle({ type: 'Startup' }, null, 0);
  assert.ok(actions.length > 0);
  assert.ok(actions.every((a) => a.scope === 'instance' && a.name === 'VI_1'));
  assert.deepEqual(view(actions), ['VI_1:RemoveVips', 'VI_1:Notify(BACKUP,100)']);
  assert.equal(m.nextDeadlineUs(), MDI_100);
  assert.deepEqual(m.members.map((i) => i.name), ['VI_1']);
});

test('LoneInstanceMachine.awaitsTakeover: true only while BACKUP (RFC 3768 §6.4.2 Master_Down_Timer)', () => {
  const m = new LoneInstanceMachine(vi1());
  assert.equal(m.awaitsTakeover, false, 'INIT');
  m.handle({ type: 'Startup' }, null, 0);
  assert.equal(m.awaitsTakeover, true, 'BACKUP');
  const actions = m.handle({ type: 'DeadlineReached' }, null, MDI_100);
  assert.ok(view(actions).includes('VI_1:Notify(MASTER,100)'));
  assert.equal(m.awaitsTakeover, false, 'MASTER');
  m.handle({ type: 'FaultChanged', faulted: true, reason: 'eth0 down' }, 'VI_1', MDI_100 + 1);
  assert.equal(m.instance.state, 'FAULT');
  assert.equal(m.awaitsTakeover, false, 'FAULT');
});

test('LoneInstanceMachine: a member event is handed to the instance (§6.4.2 higher-priority advert resets the timer)', () => {
  const m = new LoneInstanceMachine(vi1());
  m.handle({ type: 'Startup' }, null, 0);
  const actions = m.handle(advertFrom('10.77.0.1', 200), 'VI_1', 1_000_000);
  assert.ok(actions.every((a) => a.scope === 'instance' && a.name === 'VI_1'));
  assert.equal(m.nextDeadlineUs(), 1_000_000 + MDI_100);
});

// ---- SyncGroupMachine ----

test('SyncGroupMachine: Startup starts every member and the group reports BACKUP with priority 0 (keepalived vrrp_init_state())', () => {
  const m = new SyncGroupMachine('G', [vi1(), vi2()]);
  assert.deepEqual(view(m.handle({ type: 'Startup' }, null, 0)), [
    'VI_1:RemoveVips',
    'VI_1:Notify(BACKUP,100)',
    'VI_2:RemoveVips',
    'VI_2:Notify(BACKUP,150)',
    'group G:Notify(BACKUP,0)',
  ]);
  assert.equal(m.group.state, 'BACKUP');
  assert.equal(m.nextDeadlineUs(), MDI_150);
  assert.equal(m.awaitsTakeover, true);
});

test('SyncGroupMachine: a member event goes to the named member only, the group follows (keepalived vrrp_sync_fault())', () => {
  const [a, b] = [vi1(), vi2()];
  const m = new SyncGroupMachine('G', [a, b]);
  m.handle({ type: 'Startup' }, null, 0);
  m.handle({ type: 'PriorityChanged', trackerDelta: -50 }, 'VI_2', 10);
  assert.equal(b.effectivePriority, 100);
  assert.equal(a.effectivePriority, 100, 'VI_1 keeps its own priority');
  const actions = m.handle({ type: 'FaultChanged', faulted: true, reason: 'eth1 down' }, 'VI_2', 20);
  const v = view(actions);
  assert.equal(v[0]?.startsWith('VI_2:'), true, v.join(','));
  assert.ok(v.includes('VI_2:Notify(FAULT,100)'));
  assert.ok(v.includes('VI_1:Notify(FAULT,100)'));
  assert.equal(v.at(-1), 'group G:Notify(FAULT,0)');
  assert.equal(a.state, 'FAULT');
  assert.equal(b.state, 'FAULT');
  assert.equal(m.awaitsTakeover, false);
});

test('SyncGroupMachine: a member event without a member name is dropped, an unknown member is an error', () => {
  const [a, b] = [vi1(), vi2()];
  const m = new SyncGroupMachine('G', [a, b]);
  m.handle({ type: 'Startup' }, null, 0);
  assert.deepEqual(m.handle({ type: 'FaultChanged', faulted: true, reason: 'x' }, null, 5), []);
  assert.equal(a.state, 'BACKUP');
  assert.equal(b.state, 'BACKUP');
  assert.throws(() => m.handle({ type: 'PriorityChanged', trackerDelta: 1 }, 'VI_9', 5), RangeError);
});

test('SyncGroupMachine: DeadlineReached is a group event; members become MASTER together when all want to (keepalived vrrp_sync_master())', () => {
  const m = new SyncGroupMachine('G', [vi1(), vi2()]);
  m.handle({ type: 'Startup' }, null, 0);
  assert.deepEqual(view(m.handle({ type: 'DeadlineReached' }, 'VI_1', MDI_150)), [], 'VI_2 is held until VI_1 wants MASTER too');
  assert.equal(m.awaitsTakeover, true);
  const v = view(m.handle({ type: 'DeadlineReached' }, null, MDI_100));
  assert.ok(v.includes('VI_1:Notify(MASTER,100)'));
  assert.ok(v.includes('VI_2:Notify(MASTER,150)'));
  assert.equal(v.at(-1), 'group G:Notify(MASTER,0)');
  assert.equal(m.awaitsTakeover, false, 'no member is BACKUP');
});

test('SyncGroupMachine: Shutdown stops the members, then the group reports STOP (keepalived notify_shutdown())', () => {
  const m = new SyncGroupMachine('G', [vi1(), vi2()]);
  m.handle({ type: 'Startup' }, null, 0);
  const v = view(m.handle({ type: 'Shutdown' }, 'VI_2', 10));
  assert.ok(v.includes('VI_1:Notify(STOP,100)'));
  assert.ok(v.includes('VI_2:Notify(STOP,150)'));
  assert.equal(v.at(-1), 'group G:Notify(STOP,0)');
});

// ---- MachineDriver with a fake machine ----

interface Handled {
  readonly event: string;
  readonly member: string | null;
  readonly nowUs: number;
}

class FakeMachine implements Machine {
  readonly handled: Handled[] = [];
  deadline: number | null = null;
  awaitsTakeover = false;
  handle(event: Event, member: string | null, nowUs: number): GroupAction[] {
    this.handled.push({ event: event.type, member, nowUs });
    if (event.type === 'DeadlineReached') this.deadline = null;
    return [{ scope: 'instance', name: member ?? 'VI_1', action: { type: 'Log', level: 'info', message: event.type } }];
  }
  nextDeadlineUs(): number | null {
    return this.deadline;
  }
}

class ManualClock {
  t = 0;
  nowUs(): number {
    return this.t;
  }
}

async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('MachineDriver.post(): events are handled one at a time, in order, each after the previous actions ran', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const trace: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const d = new MachineDriver(
    m,
    async (actions) => {
      const msg = actions[0]?.action.type === 'Log' ? actions[0].action.message : '?';
      trace.push(`run ${msg} start`);
      if (msg === 'Startup') await gate;
      trace.push(`run ${msg} end`);
    },
    clock,
  );
  const p1 = d.post({ type: 'Startup' });
  const p2 = d.post({ type: 'PriorityChanged', trackerDelta: 5 }, 'VI_2');
  const p3 = d.post({ type: 'FaultChanged', faulted: true, reason: 'r' }, 'VI_3');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(trace, ['run Startup start']);
  assert.deepEqual(m.handled.map((h) => h.event), ['Startup'], 'the second event waits for the first one\'s actions');
  release();
  await Promise.all([p1, p2, p3]);
  assert.deepEqual(trace, [
    'run Startup start',
    'run Startup end',
    'run PriorityChanged start',
    'run PriorityChanged end',
    'run FaultChanged start',
    'run FaultChanged end',
  ]);
  assert.deepEqual(m.handled.map((h) => [h.event, h.member]), [
    ['Startup', null],
    ['PriorityChanged', 'VI_2'],
    ['FaultChanged', 'VI_3'],
  ]);
  d.stop();
});

test('MachineDriver.post(): now is the clock\'s time, or notBeforeUs when that is later, and never goes back', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const d = new MachineDriver(m, async () => undefined, clock);
  clock.t = 5_000;
  await d.post({ type: 'Startup' });
  await d.post({ type: 'DeadlineReached' }, null, { notBeforeUs: 1_000 });
  await d.post({ type: 'DeadlineReached' }, null, { notBeforeUs: 9_000 });
  // The clock still says 5 000 (the timer fired early): the machine stays at 9 000.
  await d.post({ type: 'PriorityChanged', trackerDelta: 1 }, 'VI_1');
  clock.t = 12_000;
  await d.post({ type: 'PriorityChanged', trackerDelta: 2 }, 'VI_1');
  assert.deepEqual(m.handled.map((h) => h.nowUs), [5_000, 5_000, 9_000, 9_000, 12_000]);
  d.stop();
});

test('MachineDriver.post(): an advert is handled at its receive time (atUs), not when the loop got to it', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const d = new MachineDriver(m, async () => undefined, clock);
  clock.t = 5_000;
  await d.post({ type: 'Startup' });
  clock.t = 7_400;
  // RFC 3768 §6.4.2: Master_Down_Timer restarts from when the advert arrived (the kernel
  // stamped it at 7 100 µs; the event loop reached it 300 µs later).
  await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1', { atUs: 7_100 });
  // A receive time before the last step's time is clamped: time never goes back.
  await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1', { atUs: 4_000 });
  assert.deepEqual(m.handled.map((h) => h.nowUs), [5_000, 7_100, 7_100]);
  d.stop();
});

test('MachineDriver: a deadline fires DeadlineReached with now clamped to the deadline (early timer = on time)', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const ran: string[] = [];
  const d = new MachineDriver(m, async (a) => void ran.push(...a.map((x) => (x.action.type === 'Log' ? x.action.message : x.action.type))), clock);
  m.deadline = 1_500;
  await d.post({ type: 'Startup' });
  // The clock never moves: the timer still fires, and the machine sees the deadline as now.
  await until(() => m.handled.length === 2, 'DeadlineReached');
  assert.deepEqual(m.handled[1], { event: 'DeadlineReached', member: null, nowUs: 1_500 });
  assert.deepEqual(ran, ['Startup', 'DeadlineReached']);
  d.stop();
});

test('MachineDriver: awaiting a takeover, DeadlineReached waits for the clock to reach the deadline', async () => {
  const m = new FakeMachine();
  m.awaitsTakeover = true;
  const clock = new ManualClock();
  const d = new MachineDriver(m, async () => undefined, clock);
  m.deadline = 1_000;
  await d.post({ type: 'Startup' });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(m.handled.length, 1, 'not before the clock says so');
  clock.t = 1_200;
  await until(() => m.handled.length === 2, 'DeadlineReached');
  assert.deepEqual(m.handled[1], { event: 'DeadlineReached', member: null, nowUs: 1_200 });
  d.stop();
});

test('MachineDriver: before a takeover fires, flushReceived() delivers what the sockets held back; an advert among it that moves the deadline stops the takeover', async () => {
  const m = new FakeMachine();
  m.awaitsTakeover = true;
  const clock = new ManualClock();
  let flushes = 0;
  let d: MachineDriver | null = null;
  const flushReceived = (): void => {
    flushes++;
    if (flushes > 1) return;
    // A held advert from the MASTER, stamped before the deadline: Master_Down moves on.
    m.deadline = 50_000;
    void d?.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1', { atUs: 900 });
  };
  d = new MachineDriver(m, async () => undefined, clock, () => undefined, { flushReceived });
  m.deadline = 1_000;
  await d.post({ type: 'Startup' });
  clock.t = 1_200;
  await until(() => flushes === 1, 'the flush before the takeover');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(m.handled.map((h) => h.event), ['Startup', 'PriorityChanged'], 'no DeadlineReached on a deadline the held advert moved');
  clock.t = 50_100;
  await until(() => m.handled.length === 3, 'the moved deadline');
  assert.deepEqual(m.handled[2], { event: 'DeadlineReached', member: null, nowUs: 50_100 });
  assert.equal(flushes, 2, 'flushed again before it, found nothing');
  d.stop();
});

test('MachineDriver: a deadline that is no takeover (a MASTER\'s advert) fires without a flush', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  let flushes = 0;
  const d = new MachineDriver(m, async () => undefined, clock, () => undefined, { flushReceived: () => void flushes++ });
  m.deadline = 1_500;
  await d.post({ type: 'Startup' });
  await until(() => m.handled.length === 2, 'DeadlineReached');
  assert.equal(flushes, 0);
  d.stop();
});

test('MachineDriver: every step re-arms from nextDeadlineUs(); a cleared deadline fires nothing', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const d = new MachineDriver(m, async () => undefined, clock);
  m.deadline = 1_000;
  await d.post({ type: 'Startup' });
  m.deadline = null;
  await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1');
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(m.handled.map((h) => h.event), ['Startup', 'PriorityChanged']);
  d.stop();
});

test('MachineDriver.stop(): no timer fires, later events are dropped except Shutdown', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const d = new MachineDriver(m, async () => undefined, clock);
  m.deadline = 1_000;
  await d.post({ type: 'Startup' });
  d.stop();
  await d.post({ type: 'PriorityChanged', trackerDelta: 3 }, 'VI_1');
  await d.post({ type: 'Shutdown' });
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(m.handled.map((h) => h.event), ['Startup', 'Shutdown']);
});

test(
  'MachineDriver.post(): one event whose step throws does not stop the events queued after it (Shutdown still runs)',
  async () => {
    const m = new FakeMachine();
    const original = m.handle.bind(m);
    m.handle = (event, member, nowUs) => {
      if (event.type === 'PriorityChanged') throw new RangeError(`${member ?? '?'} is not a member`);
      return original(event, member, nowUs);
    };
    const d = new MachineDriver(m, async () => undefined, new ManualClock());
    await d.post({ type: 'Startup' });
    await d.post({ type: 'PriorityChanged', trackerDelta: 1 }, 'VI_9').catch(() => undefined);
    await d.post({ type: 'Shutdown' });
    assert.deepEqual(m.handled.map((h) => h.event), ['Startup', 'Shutdown']);
    d.stop();
  },
);

// ---- MachineDriver + LoneInstanceMachine, real timers ----

test('MachineDriver + LoneInstanceMachine: Startup, then the Master_Down_Timer fires and the instance becomes MASTER (§6.4.2)', async () => {
  // advert_int 2 ms, priority 254, one advert: Master_Down_Interval = 2 000 + 7 812 µs.
  const inst = vi1({ advertIntUs: 2_000, basePriority: 254, downTimerAdverts: 1 });
  const m = new LoneInstanceMachine(inst);
  const t0 = performance.now();
  const clock = { nowUs: () => Math.floor((performance.now() - t0) * 1000) };
  const seen: GroupAction[] = [];
  let d: MachineDriver | null = null;
  let masterAtUs = -1;
  d = new MachineDriver(
    m,
    async (actions) => {
      seen.push(...actions);
      if (actions.some((a) => a.action.type === 'Notify' && a.action.state === 'MASTER')) {
        masterAtUs = clock.nowUs();
        d?.stop();
      }
    },
    clock,
  );
  await d.post({ type: 'Startup' });
  const startedAtUs = clock.nowUs();
  const deadline = m.nextDeadlineUs();
  assert.ok(deadline !== null);
  assert.ok(deadline - startedAtUs <= 9_812 && deadline - startedAtUs > 0);
  await until(() => inst.state === 'MASTER', 'MASTER');
  assert.ok(masterAtUs >= deadline, `took over at ${masterAtUs} µs, deadline ${deadline} µs`);
  const v = view(seen);
  assert.deepEqual(v.slice(0, 2), ['VI_1:RemoveVips', 'VI_1:Notify(BACKUP,254)']);
  assert.deepEqual(v.slice(2), ['VI_1:SendAdvert(254)', 'VI_1:AddVips', `VI_1:SendGarp(${labParams().garp.masterRepeat})`, 'VI_1:Notify(MASTER,254)']);
  assert.ok(seen.every((a) => a.scope === 'instance' && a.name === 'VI_1'));
});

test('MachineDriver: an overdue takeover deadline fires only after the datagrams already queued are read (a stalled BACKUP)', async () => {
  const rx = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', () => resolve()));
  const order: string[] = [];
  rx.on('message', () => order.push('read'));
  const m = new FakeMachine();
  m.awaitsTakeover = true;
  const clock = new ManualClock();
  const d = new MachineDriver(m, async (a) => void order.push(...a.filter((x) => x.action.type === 'Log' && x.action.message === 'DeadlineReached').map(() => 'fired')), clock);
  try {
    await d.post({ type: 'Startup' });
    // Start from the check phase, so the loop's next phase is the next iteration's timers.
    await new Promise((resolve) => setImmediate(resolve));
    m.deadline = 1_000;
    clock.t = 5_000;
    await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1'); // armed: overdue
    // The loop is stalled while another process sends an advert: when it runs again, the timer
    // is due and the datagram is waiting in the kernel.
    const port = rx.address().port;
    execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"advert", ("127.0.0.1", ${port}))`]);
    await until(() => order.includes('fired'), 'DeadlineReached');
    assert.deepEqual(order, ['read', 'fired'], 'the queued advert is read before the overdue Master_Down fires');
  } finally {
    d.stop();
    rx.close();
  }
});

test('MachineDriver.post(): a receive time that is not a number is ignored (the clock is used)', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const d = new MachineDriver(m, async () => undefined, clock);
  clock.t = 3_000;
  await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1', { atUs: Number.NaN });
  clock.t = 4_000;
  await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1');
  assert.deepEqual(m.handled.map((h) => h.nowUs), [3_000, 4_000]);
  d.stop();
});

test('MachineDriver: a deadline moved later costs no timer operation; the pending wake-up re-reads it and fires at the new one', async () => {
  const m = new FakeMachine();
  m.awaitsTakeover = true;
  const clock = new ManualClock();
  const timers = { set: 0, cleared: 0 };
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const d = new MachineDriver(m, () => undefined, clock);
  try {
    globalThis.setTimeout = ((fn: () => void, ms?: number) => (timers.set++, realSet(fn, ms))) as typeof setTimeout;
    globalThis.clearTimeout = ((t: NodeJS.Timeout) => (timers.cleared++, realClear(t))) as typeof clearTimeout;
    m.deadline = 30_000;
    await d.post({ type: 'Startup' });
    assert.equal(timers.set, 1);
    // Ten adverts, each moving Master_Down later (as a BACKUP's do): no timer set or cleared.
    for (let i = 1; i <= 10; i++) {
      m.deadline = 30_000 + i * 1_000;
      await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1');
    }
    assert.deepEqual(timers, { set: 1, cleared: 0 });
    // An earlier deadline re-arms at once.
    m.deadline = 20_000;
    await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1');
    assert.deepEqual(timers, { set: 2, cleared: 1 });
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
    // The wake-up at 20 ms (real time) finds the deadline at 20 ms and the clock there: it fires.
    clock.t = 20_000;
    await until(() => m.handled.some((h) => h.event === 'DeadlineReached'), 'DeadlineReached');
    assert.equal(m.handled.at(-1)?.nowUs, 20_000);
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
    d.stop();
  }
});

test('MachineDriver: a wake-up whose deadline moved later meanwhile does not fire; it waits for the new deadline', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const d = new MachineDriver(m, () => undefined, clock);
  try {
    m.deadline = 1_000;
    await d.post({ type: 'Startup' });
    m.deadline = 60_000; // moved by an event that ran no step (the machine changed it itself)
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(m.handled.map((h) => h.event), ['Startup'], 'nothing fired at the old deadline');
    clock.t = 60_000;
    await until(() => m.handled.length === 2, 'DeadlineReached at the new deadline', 3000);
    assert.deepEqual(m.handled[1], { event: 'DeadlineReached', member: null, nowUs: 60_000 });
  } finally {
    d.stop();
  }
});

test('MachineDriver.post(): with nothing queued and actions that need no waiting, the step runs at once', () => {
  const m = new FakeMachine();
  const d = new MachineDriver(m, () => undefined, new ManualClock());
  void d.post({ type: 'Startup' });
  void d.post({ type: 'PriorityChanged', trackerDelta: 1 }, 'VI_1');
  assert.deepEqual(m.handled.map((h) => h.event), ['Startup', 'PriorityChanged'], 'handled before post() returned');
  d.stop();
});

test('MachineDriver: a deadline that is not a takeover (a MASTER advert) takes one timer of the whole wait, to the ms (early by < 1 ms: on time)', async () => {
  const m = new FakeMachine();
  const clock = new ManualClock();
  const delays: (number | undefined)[] = [];
  const realSet = globalThis.setTimeout;
  const d = new MachineDriver(m, () => undefined, clock);
  try {
    globalThis.setTimeout = ((fn: () => void, ms?: number) => (delays.push(ms), realSet(fn, ms))) as typeof setTimeout;
    m.deadline = 40_500;
    await d.post({ type: 'Startup' });
    assert.deepEqual(delays, [40], 'one timer for 40.5 ms, rounded down: the step is clamped to the deadline');
    // Polled with the real setTimeout, so only the driver's timers are recorded.
    for (let i = 0; i < 100 && !m.handled.some((h) => h.event === 'DeadlineReached'); i++) await new Promise((r) => realSet(r, 5));
    assert.deepEqual(delays, [40], 'it fired the deadline itself: no second, short timer');
    assert.equal(m.handled.at(-1)?.nowUs, 40_500);
    // Awaiting a takeover, the same wait aims early (kernel slack) and finishes with a short timer.
    m.awaitsTakeover = true;
    m.deadline = 40_500;
    await d.post({ type: 'PriorityChanged', trackerDelta: 0 }, 'VI_1');
    assert.ok((delays[1] ?? 0) < 40, `the long wait aims early: ${delays[1]} ms`);
  } finally {
    globalThis.setTimeout = realSet;
    d.stop();
  }
});

test("LoneInstanceMachine: a MASTER's steady Adver_Timer steps return one shared, frozen tagged list; a step with a GARP due gets its own", () => {
  const m = new LoneInstanceMachine(vi1());
  m.handle({ type: 'Startup' }, null, 0);
  m.handle({ type: 'DeadlineReached' }, null, MDI_100);
  assert.equal(m.instance.state, 'MASTER');
  const first = m.handle({ type: 'DeadlineReached' }, null, MDI_100 + 1_000_000);
  const second = m.handle({ type: 'DeadlineReached' }, null, MDI_100 + 2_000_000);
  assert.equal(second, first, 'the same list, not a copy per advert');
  assert.ok(Object.isFrozen(first) && first.every((a) => Object.isFrozen(a)));
  assert.deepEqual(
    first.map((a) => `${a.name}:${a.action.type}`),
    ['VI_1:SendAdvert', 'VI_1:CountStat'],
  );
  // keepalived vrrp_garp_master_delay (5 s by default): the second burst rides on an advert step.
  let withGarp: readonly GroupAction[] = [];
  for (let s = 3; s <= 6 && !withGarp.some((a) => a.action.type === 'SendGarp'); s++) withGarp = m.handle({ type: 'DeadlineReached' }, null, MDI_100 + s * 1_000_000);
  assert.ok(withGarp.some((a) => a.action.type === 'SendGarp'), 'the GARP burst came');
  assert.notEqual(withGarp, first);
  assert.ok(!Object.isFrozen(withGarp));
  assert.equal(m.handle({ type: 'DeadlineReached' }, null, MDI_100 + 7_000_000), first, 'and back to the shared list');
});
