/**
 * The daemon's lifecycle on fake ports (ARCHITECTURE §5): start-up as apply(diff(EMPTY, plan)),
 * the VRID demux, the skip rules, the own-removal echo window, and reload as plan/apply —
 * instances matched by key (vrrp_exist()), never by name; a kept MASTER stays MASTER with no
 * priority-0 advert, no extra advert and no GARP for unchanged VIPs; added VIPs are added and
 * announced; removed instances send priority 0 and report DELETED or FAULT. Real timers run,
 * but every assertion waits on an event, never on a sleep of a guessed length.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon } from '../../src/daemon';
import { Runtime } from '../../src/runtime/runtime';
import { monotonicClock } from '../../src/runtime/driver';
import type { Logger } from '../../src/io/logger';
import type { AddressSpec, LinkEvent, VrrpSocket } from '../../src/io/ports';
import type { ReceivedPacket } from '../../src/protocol/types';
import type { Config, ScriptCommand } from '../../src/config/model';
import { decodeAdvert } from '../../src/protocol/advert';
import { advertPacket } from '../support/adverts';
import { checkText } from '../support/config-harness';

interface Fakes {
  readonly daemon: Daemon;
  readonly runtime: Runtime;
  readonly events: string[];
  readonly lines: string[];
  inject(ifname: string, packet: ReceivedPacket): void;
  link(e: LinkEvent): void;
  opened: string[];
  closed: string[];
  /** The index each interface has now (1 for eth0, 2 for eth1 until a test re-creates one). */
  ifindexes: Map<string, number>;
}

function config(text: string): Config {
  const r = checkText(text, { interfaces: ['eth0', 'eth1'] });
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config;
}

function fakes(addressesOf: Record<string, string[]> = { eth0: ['10.0.0.1'], eth1: ['10.1.0.1'] }, addGate: () => Promise<void> = async () => undefined): Fakes {
  const events: string[] = [];
  const lines: string[] = [];
  const listeners = new Map<string, (p: ReceivedPacket, age: number) => void>();
  const linkListeners: ((e: LinkEvent) => void)[] = [];
  const opened: string[] = [];
  const closed: string[] = [];
  const ifindexes = new Map([
    ['eth0', 1],
    ['eth1', 2],
  ]);
  const ifindexOf = (ifname: string): number => ifindexes.get(ifname) ?? 0;
  const log: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: () => undefined,
  };
  const runtime = new Runtime(
    {
      sockets: {
        open: async (ifname) => {
          opened.push(ifname);
          const s: VrrpSocket = {
            send: async (message, src, dst) => {
              const d = decodeAdvert(message);
              events.push(`advert ${ifname} ${src}->${dst} vrid ${d.ok ? d.advert.vrid : '?'} prio ${d.ok ? d.advert.priority : '?'}`);
            },
            onPacket: (l) => void listeners.set(ifname, l),
            setOwnAddresses: () => undefined,
            descriptor: () => null,
            ifindex: ifindexOf(ifname),
            close: () => void closed.push(ifname),
          };
          return s;
        },
      },
      addresses: {
        add: async (a: AddressSpec) => {
          await addGate();
          events.push(`add ${a.address}/${a.prefixLength} ${a.ifname}`);
        },
        remove: async (a: AddressSpec) => void events.push(`remove ${a.address}/${a.prefixLength} ${a.ifname}`),
        list: async (ifname) => (addressesOf[ifname] ?? []).map((address) => ({ address, prefixLength: 24 })),
      },
      garp: { send: async (ifname, vip, count) => void events.push(`garp ${ifname} ${vip} x${count}`) },
      links: { isUp: async () => true, onEvent: (l) => void linkListeners.push(l), close: () => undefined },
      scripts: () => ({ start: () => undefined, stop: async () => undefined }),
      trackFiles: () => ({ start: () => 0, stop: () => undefined, value: 0 }),
      notify: {
        runScript: (cmd: ScriptCommand, extra: readonly string[] = []) => void events.push(`script ${cmd.text} ${extra.join(' ')}`.trim()),
        runStopScript: async (cmd: ScriptCommand, extra: readonly string[] = []) => void events.push(`stop-script ${cmd.text} ${extra.join(' ')}`.trim()),
        fifo: (scope, name, state, prio) => void events.push(`fifo ${scope} ${name} ${state} ${prio}`),
        mail: () => undefined,
        close: async () => undefined,
        reconfigure: () => undefined,
      },
      clock: monotonicClock,
      wallUs: () => Date.now() * 1000,
    },
    log,
  );
  return {
    daemon: new Daemon(runtime, log),
    runtime,
    events,
    lines,
    opened,
    closed,
    ifindexes,
    inject: (ifname, packet) => listeners.get(ifname)?.(packet, 0),
    link: (e) => linkListeners.forEach((l) => l(e)),
  };
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An owner with `state MASTER` becomes MASTER at start-up, at once (RFC 3768 §6.4.1). */
const owner = (name: string, vrid: number, vips: string, extra = ''): string =>
  `vrrp_instance ${name} {\n state MASTER\n interface eth0\n virtual_router_id ${vrid}\n priority 255\n advert_int 1\n${extra} virtual_ipaddress {\n${vips}\n }\n}\n`;
const backup = (name: string, vrid: number, vips: string, iface = 'eth0'): string =>
  `vrrp_instance ${name} {\n interface ${iface}\n virtual_router_id ${vrid}\n priority 100\n advert_int 1\n virtual_ipaddress {\n${vips}\n }\n}\n`;

const stateOf = (f: Fakes, name: string): string => f.runtime.registry.named(name)?.core.state ?? 'none';

test('daemon: start-up is apply(diff(EMPTY, plan)): stale VIPs removed, owner MASTER with advert, VIPs and GARP', async (t) => {
  const f = fakes();
  t.after(() => f.daemon.stop());
  await f.daemon.start(config(owner('VI_1', 51, '  10.0.0.100/24')));
  await until('MASTER', () => stateOf(f, 'VI_1') === 'MASTER' && f.events.includes('garp eth0 10.0.0.100 x5'));
  const i = (e: string): number => f.events.indexOf(e);
  assert.ok(i('remove 10.0.0.100/24 eth0') >= 0 && i('remove 10.0.0.100/24 eth0') < i('advert eth0 10.0.0.1->224.0.0.18 vrid 51 prio 255'), f.events.join('\n'));
  assert.ok(i('advert eth0 10.0.0.1->224.0.0.18 vrid 51 prio 255') < i('add 10.0.0.100/24 eth0'));
  assert.ok(i('add 10.0.0.100/24 eth0') < i('garp eth0 10.0.0.100 x5'));
  assert.deepEqual(f.opened, ['eth0'], 'one socket per interface');
});

test('daemon: skip rules: an interface without an IPv4 address and no configured source is skipped with a message', async (t) => {
  const f = fakes({ eth0: ['10.0.0.1'], eth1: [] });
  t.after(() => f.daemon.stop());
  await f.daemon.start(config(backup('VI_1', 51, '  10.0.0.100/24') + backup('VI_2', 52, '  10.1.0.100/24', 'eth1')));
  assert.equal(stateOf(f, 'VI_2'), 'none');
  assert.ok(f.lines.includes('error (VI_2) interface eth1 has no IPv4 address to send from - skipping'), f.lines.join('\n'));
  assert.deepEqual(f.opened, ['eth0']);
});

test('daemon: adverts are routed by VRID; unknown VRIDs are ignored (keepalived vrrp_dispatcher_read())', async (t) => {
  const f = fakes();
  t.after(() => f.daemon.stop());
  await f.daemon.start(config(owner('VI_1', 51, '  10.0.0.100/24') + backup('VI_2', 52, '  10.0.0.200/24')));
  await until('VI_1 MASTER, VI_2 BACKUP', () => stateOf(f, 'VI_1') === 'MASTER' && stateOf(f, 'VI_2') === 'BACKUP');
  // A higher-priority advert for VRID 52 only: VI_2 keeps BACKUP, VI_1 is untouched.
  f.inject('eth0', advertPacket({ vrid: 52, priority: 200, srcIp: '10.0.0.9', addresses: ['10.0.0.200'], password: null }));
  f.inject('eth0', advertPacket({ vrid: 99, priority: 254, srcIp: '10.0.0.9', addresses: ['10.0.0.9'], password: null }));
  await until('advert counted', () => f.runtime.registry.named('VI_2')?.executor.stats.get('advert_rcvd') === 1);
  assert.equal(f.runtime.registry.named('VI_1')?.executor.stats.get('advert_rcvd') ?? 0, 0);
  assert.equal(stateOf(f, 'VI_1'), 'MASTER');
});

test('daemon: the echo of our own VIP removal is not "removed by someone else"; a later removal is', async (t) => {
  const f = fakes();
  t.after(() => f.daemon.stop());
  await f.daemon.start(config(owner('VI_1', 51, '  10.0.0.100/24')));
  await until('MASTER', () => stateOf(f, 'VI_1') === 'MASTER');
  // The start-up removal happened just now: its echo is ignored.
  f.link({ type: 'address-deleted', ifname: 'eth0', address: '10.0.0.100' });
  await new Promise((r) => setImmediate(r));
  assert.equal(stateOf(f, 'VI_1'), 'MASTER');
  assert.ok(!f.lines.some((l) => l.includes('Netlink reflector reports IP 10.0.0.100 removed')));
});

test('daemon: an advert heard while its instance is busy is kept as a copy (the socket hands on a view of a buffer it reuses)', async (t) => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const f = fakes(undefined, () => gate);
  t.after(() => {
    release();
    return f.daemon.stop();
  });
  void f.daemon.start(config(owner('VI_1', 51, '  10.0.0.100/24')));
  // Becoming MASTER, the instance waits for its VIP to be added: its driver is busy.
  await until('MASTER, adding its VIP', () => stateOf(f, 'VI_1') === 'MASTER');
  const good = advertPacket({ vrid: 51, priority: 0, srcIp: '10.0.0.9', addresses: ['10.0.0.100'], password: null });
  const reused = new Uint8Array(good.payload.length);
  reused.set(good.payload);
  f.inject('eth0', { ...good, payload: reused });
  reused.fill(0xee); // the socket reads the next datagram into the same buffer
  release();
  const stats = (): ReadonlyMap<string, number> | undefined => f.runtime.registry.named('VI_1')?.executor.stats;
  await until('the priority-0 advert counted', () => stats()?.get('pri_zero_rcvd') === 1);
  assert.equal(stats()?.get('advert_rcvd'), 1, 'read as the advert it was, not as the bytes that overwrote it');
});

test('daemon: an interface up under a new index (re-created) gets a new socket; up again under the same index keeps it', async (t) => {
  const f = fakes();
  t.after(() => f.daemon.stop());
  await f.daemon.start(config(owner('VI_1', 51, '  10.0.0.100/24')));
  await until('MASTER', () => stateOf(f, 'VI_1') === 'MASTER');
  f.link({ type: 'link', ifname: 'eth0', up: true, ifindex: 1 });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual([f.opened, f.closed], [['eth0'], []], 'same index: the socket stays');
  f.ifindexes.set('eth0', 9);
  f.link({ type: 'link', ifname: 'eth0', up: true, ifindex: 9 });
  await until('reopened', () => f.lines.includes('info Interface eth0 re-created (index 9): VRRP socket reopened on it'));
  assert.deepEqual([f.opened, f.closed], [['eth0', 'eth0'], ['eth0']], 'the old socket closed, a new one opened');
  // Adverts and the demux use the new socket (the fake keeps one listener per name: the new one's).
  const sent = f.events.filter((e) => e.startsWith('advert eth0')).length;
  await until('an advert after the reopen', () => f.events.filter((e) => e.startsWith('advert eth0')).length > sent, 2500);
  f.inject('eth0', advertPacket({ vrid: 51, priority: 100, srcIp: '10.0.0.9', addresses: ['10.0.0.100'], password: null }));
  await until('advert counted', () => (f.runtime.registry.named('VI_1')?.executor.stats.get('advert_rcvd') ?? 0) === 1);
});

test('reload: a kept MASTER stays MASTER: no priority 0, no extra advert, GARP only for the added VIP, new priority in the next advert', async (t) => {
  const f = fakes();
  t.after(() => f.daemon.stop());
  const before = owner('VI_1', 51, '  10.0.0.100/24\n  10.0.0.101/24', ' advert_int 1\n');
  await f.daemon.start(config(before.replace('priority 255', 'priority 200')));
  // Not an owner: becomes MASTER after Master_Down (3 × 1 s + skew); speed it up by a priority-0 advert.
  f.inject('eth0', advertPacket({ vrid: 51, priority: 0, srcIp: '10.0.0.9', addresses: ['10.0.0.100', '10.0.0.101'], password: null }));
  await until('MASTER', () => stateOf(f, 'VI_1') === 'MASTER', 5000);
  await until('first burst', () => f.events.filter((e) => e.startsWith('garp')).length === 2);
  const core = f.runtime.registry.named('VI_1')?.core;
  f.events.length = 0;
  // Renamed, priority raised, one VIP added: matched by key, not by name.
  const after = before.replace('VI_1', 'web').replace('priority 255', 'priority 210').replace('  10.0.0.101/24', '  10.0.0.101/24\n  10.0.0.102/24');
  const plan = await f.daemon.reload(config(after));
  assert.ok(plan);
  assert.equal(plan.keep.length, 1);
  assert.deepEqual(plan.keep[0]?.addressesAdded, ['10.0.0.102/24 on eth0']);
  assert.equal(f.runtime.registry.named('web')?.core, core, 'the same core runs on');
  assert.equal(stateOf(f, 'web'), 'MASTER');
  assert.deepEqual(f.events.filter((e) => !e.startsWith('advert')), ['add 10.0.0.102/24 eth0', 'garp eth0 10.0.0.102 x5']);
  assert.ok(!f.events.some((e) => e.endsWith('prio 0')), 'no priority-0 advert');
  f.events.length = 0;
  await until('next advert', () => f.events.some((e) => e.startsWith('advert')), 2000);
  assert.equal(f.events.find((e) => e.startsWith('advert')), 'advert eth0 10.0.0.1->224.0.0.18 vrid 51 prio 210');
  assert.ok(f.lines.some((l) => l.includes('Reload: 1 instance kept, 0 added, 0 removed; VIPs 1 added, 0 removed')), f.lines.join('\n'));
});

test('reload: an added instance starts as at start-up; a removed MASTER sends priority 0, removes its VIPs and reports FAULT (DELETED with notify_deleted)', async (t) => {
  const f = fakes();
  t.after(() => f.daemon.stop());
  const gone = owner('VI_1', 51, '  10.0.0.100/24', ' notify "/bin/true"\n');
  await f.daemon.start(config(gone + owner('VI_3', 53, '  10.0.0.130/24', ' notify_deleted\n notify "/bin/true"\n')));
  // A state is MASTER as soon as the core says so; its actions (VIPs, GARP) run after.
  await until('both MASTER', () => f.events.includes('garp eth0 10.0.0.100 x5') && f.events.includes('garp eth0 10.0.0.130 x5'));
  f.events.length = 0;
  await f.daemon.reload(config(owner('VI_2', 52, '  10.0.0.120/24')));
  await until('VI_2 MASTER', () => stateOf(f, 'VI_2') === 'MASTER' && f.events.includes('garp eth0 10.0.0.120 x5'));
  assert.equal(stateOf(f, 'VI_1'), 'none');
  assert.ok(f.events.includes('advert eth0 10.0.0.1->224.0.0.18 vrid 51 prio 0'), f.events.join('\n'));
  assert.ok(f.events.includes('remove 10.0.0.100/24 eth0'));
  assert.ok(f.events.includes('script /bin/true INSTANCE VI_1 FAULT 255'), f.events.join('\n'));
  assert.ok(f.events.includes('script /bin/true INSTANCE VI_3 DELETED 255'), f.events.join('\n'));
  assert.ok(f.events.includes('add 10.0.0.120/24 eth0'));
  assert.deepEqual(f.closed, [], 'the interface socket stays open for the new instance');
});

test('reload: an instance removed from a sync group keeps its partner running alone, in its state', async (t) => {
  const f = fakes();
  t.after(() => f.daemon.stop());
  const group = 'vrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n}\n';
  await f.daemon.start(config(group + owner('VI_1', 51, '  10.0.0.100/24') + owner('VI_2', 52, '  10.0.0.120/24')));
  await until('both MASTER', () => stateOf(f, 'VI_1') === 'MASTER' && stateOf(f, 'VI_2') === 'MASTER');
  f.events.length = 0;
  const plan = await f.daemon.reload(config(owner('VI_1', 51, '  10.0.0.100/24')));
  assert.ok(plan);
  assert.deepEqual(plan.machinesStarted.map((m) => m.kind), ['lone']);
  assert.equal(stateOf(f, 'VI_1'), 'MASTER');
  assert.ok(!f.events.includes('advert eth0 10.0.0.1->224.0.0.18 vrid 51 prio 0'), f.events.join('\n'));
  await until('VI_1 still advertises', () => f.events.includes('advert eth0 10.0.0.1->224.0.0.18 vrid 51 prio 255'), 2000);
});

test('stop: every MASTER sends priority 0 and removes its VIPs; sockets close', async () => {
  const f = fakes();
  await f.daemon.start(config(owner('VI_1', 51, '  10.0.0.100/24')));
  await until('MASTER', () => stateOf(f, 'VI_1') === 'MASTER' && f.events.includes('garp eth0 10.0.0.100 x5'));
  f.events.length = 0;
  await f.daemon.stop();
  assert.deepEqual(f.events.slice(0, 2), ['advert eth0 10.0.0.1->224.0.0.18 vrid 51 prio 0', 'remove 10.0.0.100/24 eth0']);
  assert.deepEqual(f.closed, ['eth0']);
  assert.equal(await f.daemon.reload(config(owner('VI_1', 51, '  10.0.0.100/24'))), null, 'no reload after stop');
});
