/**
 * Trackers (src/runtime/trackers.ts): every tracker of a config turned into the core's
 * PriorityChanged / FaultChanged events, with a fake LinkWatcher and a fake script runner
 * factory whose reports the tests make by hand. keepalived: vrrp_track.c
 * initialise_tracking_priorities(), process_script_update_priority() (num_script_init),
 * keepalived_netlink.c link changes, vrrp.c sync_group_tracking_init().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../support/config-harness';
import { tempDir } from '../../support/scripts';
import { Trackers, type ScriptRunnerFactory, type TrackerEvent } from '../../../src/runtime/trackers';
import type { Config, VrrpScript } from '../../../src/config/model';
import type { LinkEvent, LinkWatcher } from '../../../src/io/ports';
import type { Logger } from '../../../src/io/logger';
import { TrackFileWatcher } from '../../../src/io/track-file';

const SCRIPTS = ['chk0', 'chk1', 'chkw', 'chkn', 'chkf', 'chkr'];

/** vrrp_script definitions: chk0/chk1 unweighted, chkw weight 20, chkn weight -30, chkf init_fail, chkr weight 20 reverse. */
const SCRIPT_DEFS = `
vrrp_script chk0 {
  script /usr/bin/chk0
}
vrrp_script chk1 {
  script /usr/bin/chk1
}
vrrp_script chkw {
  script /usr/bin/chkw
  weight 20
}
vrrp_script chkn {
  script /usr/bin/chkn
  weight -30
}
vrrp_script chkf {
  script /usr/bin/chkf
  init_fail
}
vrrp_script chkr {
  script /usr/bin/chkr
  weight 20 reverse
}
`;

function instance(name: string, ifname: string, vrid: number, body = ''): string {
  return `vrrp_instance ${name} {\n  interface ${ifname}\n  virtual_router_id ${vrid}\n  priority 100\n  virtual_ipaddress { 10.0.${vrid}.1/24 }\n${body}}\n`;
}

function config(text: string): Config {
  const r = checkText(SCRIPT_DEFS + text, {
    interfaces: ['eth0', 'eth1', 'eth2', 'eth3'],
    scripts: Object.fromEntries(SCRIPTS.map((s) => [`/usr/bin/${s}`, {}])),
  });
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config;
}

class FakeLinks implements LinkWatcher {
  readonly state = new Map<string, boolean>();
  private readonly listeners: ((e: LinkEvent) => void)[] = [];
  closed = false;
  async isUp(ifname: string): Promise<boolean> {
    const s = this.state.get(ifname);
    if (s === undefined) throw new Error(`no such interface ${ifname}`);
    return s;
  }
  onEvent(listener: (e: LinkEvent) => void): void {
    this.listeners.push(listener);
  }
  close(): void {
    this.closed = true;
  }
  link(ifname: string, up: boolean): void {
    this.state.set(ifname, up);
    for (const l of this.listeners) l({ type: 'link', ifname, up, ifindex: 7 });
  }
}

interface FakeRunner {
  readonly script: VrrpScript;
  readonly report: (ok: boolean) => void;
  starts: number;
  stops: number;
}

function harness(text: string, links: Record<string, boolean> = {}) {
  const cfg = config(text);
  const fake = new FakeLinks();
  for (const n of ['eth0', 'eth1', 'eth2', 'eth3']) fake.state.set(n, links[n] ?? true);
  const runners = new Map<string, FakeRunner>();
  let stopResolved = 0;
  const factory: ScriptRunnerFactory = (script, onReport) => {
    assert.equal(runners.has(script.name), false, `a second runner for ${script.name}`);
    const r: FakeRunner = { script, report: onReport, starts: 0, stops: 0 };
    runners.set(script.name, r);
    return {
      start: () => void r.starts++,
      stop: async () => {
        r.stops++;
        await new Promise((res) => setImmediate(res));
        stopResolved++;
      },
    };
  };
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
  const trackers = new Trackers(fake, factory, (tf, onChange) => new TrackFileWatcher(tf, log, onChange), log);
  const posted: string[] = [];
  const post = (inst: string, e: TrackerEvent): void => void posted.push(`${inst} ${show(e)}`);
  const script = (name: string): FakeRunner => {
    const r = runners.get(name);
    assert.ok(r, `no runner for ${name}`);
    return r;
  };
  const start = (): Promise<void> => trackers.reconfigure(cfg, cfg.instances, post);
  return { cfg, trackers, start, links: fake, runners, script, posted, post, lines, stopsDone: () => stopResolved };
}

function show(e: TrackerEvent): string {
  return e.type === 'PriorityChanged' ? `PriorityChanged(${e.trackerDelta})` : `FaultChanged(${e.faulted}, ${e.reason})`;
}

async function isSettled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  return done;
}

// ---- start-up ----

test('keepalived initialise_tracking_priorities(): initialEvents() give the start-up delta before Startup, nothing is posted', async () => {
  const h = harness(
    instance('VI_1', 'eth0', 1, '  track_interface {\n    eth1 weight -10\n    eth2 weight 15\n  }\n  track_script {\n    chkw\n    chkn\n  }\n'),
    { eth1: false, eth2: true },
  );
  await h.start();
  // eth1 down: −10; eth2 up: +15; scripts have no result yet: nothing.
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(5)']);
  assert.deepEqual(h.posted, []);
});

test('keepalived initialise_interface_tracking_priorities(): an unweighted track_interface down at start-up → FaultChanged in initialEvents()', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_interface {\n    eth2\n  }\n'), { eth2: false });
  await h.start();
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(0)', 'FaultChanged(true, interface eth2)']);
  assert.deepEqual(h.posted, []);
});

test('keepalived: an interface whose state cannot be read counts as down', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_interface {\n    eth3\n  }\n'));
  h.links.state.delete('eth3');
  await h.start();
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(0)', 'FaultChanged(true, interface eth3)']);
});

test('keepalived 2.2.7 alloc_track_script(): a tracked init_fail script starts in init like any other (no FAULT, waited for)', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chkf\n  }\n'));
  await h.start();
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(0)']);
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_1')), false);
  assert.equal(h.script('chkf').starts, 1);
  h.script('chkf').report(true);
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_1')), true);
  assert.deepEqual(h.posted, []);
});

test('keepalived num_script_init: whenInitialised() resolves only after every weight-0 script has reported', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chk0\n    chkw\n    chk1\n  }\n'));
  await h.start();
  const init = h.trackers.whenInitialised('VI_1');
  assert.equal(await isSettled(init), false);
  h.script('chkw').report(true);
  assert.equal(await isSettled(init), false, 'a weighted script is not waited for');
  h.script('chk0').report(false);
  assert.equal(await isSettled(init), false, 'chk1 has not reported');
  h.script('chk1').report(true);
  assert.equal(await isSettled(init), true);
  assert.deepEqual(h.posted, ['VI_1 PriorityChanged(20)', 'VI_1 FaultChanged(true, script chk0)']);
});

test('keepalived num_script_init: whenInitialised() resolves at once without unweighted scripts, and for an unknown instance', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chkw\n  }\n') + instance('VI_2', 'eth1', 2));
  await h.start();
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_1')), true);
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_2')), true);
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_9')), true);
  assert.deepEqual(h.trackers.initialEvents('VI_9'), []);
});

test('Trackers.reconfigure() at start-up: one runner per tracked script, started once; untracked scripts are not run', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chk0\n    chkw\n  }\n') + instance('VI_2', 'eth1', 2, '  track_script {\n    chk0\n  }\n'));
  await h.start();
  assert.deepEqual([...h.runners.keys()].sort(), ['chk0', 'chkw']);
  assert.equal(h.script('chk0').starts, 1);
  assert.equal(h.script('chk0').script.script.args[0], '/usr/bin/chk0');
  h.script('chk0').report(false);
  assert.deepEqual(h.posted, ['VI_1 FaultChanged(true, script chk0)', 'VI_2 FaultChanged(true, script chk0)']);
});

// ---- changes ----

test('keepalived process_script_update_priority(): events are posted only when the delta or the fault changes', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chkw\n    chkn\n    chk0\n  }\n'));
  await h.start();
  h.trackers.initialEvents('VI_1');
  h.script('chkw').report(true);
  h.script('chkw').report(true);
  h.script('chkn').report(true);
  h.script('chkn').report(false);
  h.script('chkw').report(false);
  h.script('chk0').report(true);
  h.script('chk0').report(false);
  h.script('chk0').report(false);
  h.script('chk0').report(true);
  assert.deepEqual(h.posted, [
    'VI_1 PriorityChanged(20)',
    'VI_1 PriorityChanged(-10)',
    'VI_1 PriorityChanged(-30)',
    'VI_1 FaultChanged(true, script chk0)',
    'VI_1 FaultChanged(false, script chk0 recovered)',
  ]);
});

test('keepalived keepalived_netlink.c: the own interface going down → FaultChanged, up again → cleared', async () => {
  const h = harness(instance('VI_1', 'eth0', 1));
  await h.start();
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(0)']);
  h.links.link('eth0', false);
  h.links.link('eth0', false);
  h.links.link('eth3', false);
  h.links.link('eth0', true);
  assert.deepEqual(h.posted, ['VI_1 FaultChanged(true, interface eth0)', 'VI_1 FaultChanged(false, interface eth0 recovered)']);
});

test('keepalived dont_track_primary: the own interface going down does not FAULT the instance', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  dont_track_primary\n'), { eth0: false });
  await h.start();
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(0)']);
  h.links.link('eth0', true);
  h.links.link('eth0', false);
  assert.deepEqual(h.posted, []);
});

test('keepalived keepalived_netlink.c: a weighted track_interface moves the priority, an unweighted one faults', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_interface {\n    eth1 weight -10\n    eth2 weight 25 reverse\n    eth3\n  }\n'));
  await h.start();
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(-25)']);
  h.links.link('eth1', false);
  h.links.link('eth2', false);
  h.links.link('eth3', false);
  h.links.link('eth1', true);
  h.links.link('eth3', true);
  assert.deepEqual(h.posted, [
    'VI_1 PriorityChanged(-35)',
    'VI_1 PriorityChanged(-10)',
    'VI_1 FaultChanged(true, interface eth3)',
    'VI_1 PriorityChanged(0)',
    'VI_1 FaultChanged(false, interface eth3 recovered)',
  ]);
});

test('keepalived vrrp.c sync_group_tracking_init(): a sync group\'s trackers apply to every member', async () => {
  const text =
    'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  track_script {\n    chk0\n  }\n  track_interface {\n    eth3\n  }\n}\n' +
    instance('VI_1', 'eth0', 1) +
    instance('VI_2', 'eth1', 2) +
    instance('VI_3', 'eth2', 3);
  const h = harness(text);
  await h.start();
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_1')), false);
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_2')), false);
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_3')), true, 'VI_3 is not in the group');
  h.script('chk0').report(false);
  assert.equal(await isSettled(h.trackers.whenInitialised('VI_2')), true);
  h.links.link('eth3', false);
  h.script('chk0').report(true);
  h.links.link('eth3', true);
  assert.deepEqual(h.posted, [
    'VI_1 FaultChanged(true, script chk0)',
    'VI_2 FaultChanged(true, script chk0)',
    'VI_1 FaultChanged(true, script chk0, interface eth3)',
    'VI_2 FaultChanged(true, script chk0, interface eth3)',
    'VI_1 FaultChanged(true, interface eth3)',
    'VI_2 FaultChanged(true, interface eth3)',
    'VI_1 FaultChanged(false, interface eth3 recovered)',
    'VI_2 FaultChanged(false, interface eth3 recovered)',
  ]);
});

test('keepalived track_file: the value read at start-up is in initialEvents(); a rewrite to ≤ −254 takes the contribution back and faults', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-trackers-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '5\n');
  const h = harness(`vrrp_track_file tf {\n  file ${file}\n  weight 2\n}\n` + instance('VI_1', 'eth0', 1, '  track_file {\n    tf\n  }\n'));
  await h.start();
  t.after(() => h.trackers.stop());
  assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(10)']);
  fs.writeFileSync(file, '-200\n');
  const until = Date.now() + 4000;
  while (h.posted.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  // keepalived process_update_vrrp_track_file_status(): total_priority -= previous_status, then down_instance().
  assert.deepEqual(h.posted, ['VI_1 PriorityChanged(0)', 'VI_1 FaultChanged(true, tracked file tf)']);
});

test('keepalived alloc_track_script(): the script\'s own `weight W reverse` applies unless track_script overrides it', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chkr\n    chkw weight -5 reverse\n    chkn weight 7 noreverse\n  }\n'));
  await h.start();
  h.script('chkr').report(true);
  h.script('chkw').report(false);
  h.script('chkn').report(true);
  h.script('chkr').report(false);
  // chkr: 20 × −1 while OK; chkw: −5 × −1 while failed; chkn: +7 while OK.
  assert.deepEqual(h.posted, ['VI_1 PriorityChanged(-20)', 'VI_1 PriorityChanged(-15)', 'VI_1 PriorityChanged(-8)', 'VI_1 PriorityChanged(12)']);
});

// ---- stop ----

test('Trackers.stop(): stops every runner and waits for them; later reports and link events post nothing', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chk0\n    chkw\n  }\n'));
  await h.start();
  h.script('chkw').report(true);
  assert.deepEqual(h.posted, ['VI_1 PriorityChanged(20)']);
  await h.trackers.stop();
  assert.equal(h.script('chk0').stops, 1);
  assert.equal(h.script('chkw').stops, 1);
  assert.equal(h.stopsDone(), 2, 'stop() resolved only after every runner stopped');
  h.script('chkw').report(false);
  h.script('chk0').report(false);
  h.links.link('eth0', false);
  assert.deepEqual(h.posted, ['VI_1 PriorityChanged(20)']);
});

// ---- keepalived's sync-group weight rules as seen through Trackers ----

test(
  'keepalived vrrp_complete_instance(): a sync-group member\'s track_file with the default weight becomes unweighted (non-zero value = FAULT)',
  async (t) => {
    const dir = tempDir(t, 'tsvrrpd-trackers-');
    const file = path.join(dir, 'prio');
    fs.writeFileSync(file, '5\n');
    const h = harness(
      `vrrp_track_file tf {\n  file ${file}\n}\n` +
        'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n' +
        instance('VI_1', 'eth0', 1, '  track_file {\n    tf\n  }\n') +
        instance('VI_2', 'eth1', 2),
    );
    await h.start();
    t.after(() => h.trackers.stop());
    // keepalived vrrp.c vrrp_complete_instance(): "if (tfl->weight == 1) ... tfl->weight = 0".
    assert.deepEqual(h.trackers.initialEvents('VI_1').map(show), ['PriorityChanged(0)', 'FaultChanged(true, tracked file tf)']);
  },
);

// ---- reload ----

test('reload: an unchanged vrrp_script keeps its runner and its last result; a kept instance is told nothing new', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chkw\n  }\n'));
  await h.start();
  h.script('chkw').report(true);
  assert.deepEqual(h.posted, ['VI_1 PriorityChanged(20)']);
  h.posted.length = 0;
  // The same file again (a new Config object, as a reload parses it): the harness's factory
  // fails on a second runner for chkw.
  const again = config(instance('VI_1', 'eth0', 1, '  track_script {\n    chkw\n  }\n'));
  await h.trackers.reconfigure(again, again.instances, h.post);
  assert.deepEqual(h.posted, [], 'no tracker flap on reload');
  assert.equal(h.script('chkw').starts, 1);
  assert.equal(h.script('chkw').stops, 0);
});

test('reload: a changed track_script weight applies at once from the kept result; a renamed instance keeps what its core was told', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chkw\n  }\n'));
  await h.start();
  h.script('chkw').report(true);
  h.posted.length = 0;
  const heavier = config(instance('web', 'eth0', 1, '  track_script {\n    chkw weight 30\n  }\n'));
  await h.trackers.reconfigure(heavier, heavier.instances, h.post, new Map([['web', 'VI_1']]));
  assert.deepEqual(h.posted, ['web PriorityChanged(30)']);
  h.posted.length = 0;
  const same = config(instance('web', 'eth0', 1, '  track_script {\n    chkw weight 30\n  }\n'));
  await h.trackers.reconfigure(same, same.instances, h.post);
  assert.deepEqual(h.posted, []);
});

test('reload: a vrrp_script that only moved in the file (lines added above it) keeps its runner and result', async () => {
  const h = harness(instance('VI_1', 'eth0', 1, '  track_script {\n    chkw\n  }\n'));
  await h.start();
  h.script('chkw').report(false);
  h.posted.length = 0;
  const r = checkText('# a comment\n# and another\n' + SCRIPT_DEFS + instance('VI_1', 'eth0', 1, '  track_script {\n    chkw\n  }\n'), {
    interfaces: ['eth0', 'eth1', 'eth2', 'eth3'],
    scripts: Object.fromEntries(SCRIPTS.map((s) => [`/usr/bin/${s}`, {}])),
  });
  assert.ok(r.config);
  assert.notDeepEqual(r.config.scripts.find((s) => s.name === 'chkw')?.script.at, h.cfg.scripts.find((s) => s.name === 'chkw')?.script.at);
  await h.trackers.reconfigure(r.config, r.config.instances, h.post);
  assert.deepEqual(h.posted, []);
  assert.equal(h.script('chkw').stops, 0);
});
