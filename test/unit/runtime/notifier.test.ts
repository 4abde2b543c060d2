/**
 * Notifier (src/runtime/notifier.ts) with a recording NotifyOutputs: keepalived vrrp_notify.c
 * send_instance_notifies(), send_group_notifies(), send_event_notify() and
 * notify_script_exec() (reference B16, B17).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../support/config-harness';
import { Notifier, type NotifyOutputs, type NotifyScope, type NotifyState } from '../../../src/runtime/notifier';
import type { Config, ScriptCommand, VrrpInstance } from '../../../src/config/model';

const PROGRAMS = ['gm', 'gb', 'gf', 'gs', 'gn', 'm', 'b', 'f', 's', 'n', 'rx', 'm3'];

const CONF = `
vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
  notify_master "/usr/bin/gm arg"
  notify_backup /usr/bin/gb
  notify_fault /usr/bin/gf
  notify_stop /usr/bin/gs
  notify "/usr/bin/gn garg"
  smtp_alert
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 100
  virtual_ipaddress { 10.0.0.1/24 }
  notify_master "/usr/bin/m a b"
  notify_backup /usr/bin/b
  notify_fault /usr/bin/f
  notify_stop /usr/bin/s
  notify "/usr/bin/n x"
  notify_master_rx_lower_pri /usr/bin/rx
  smtp_alert
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  priority 100
  virtual_ipaddress { 10.0.0.2/24 }
}
vrrp_instance VI_3 {
  interface eth0
  virtual_router_id 3
  priority 100
  virtual_ipaddress { 10.0.0.3/24 }
  notify_master /usr/bin/m3
}
`;

function setup(stopDelayed = false) {
  const r = checkText(CONF, { interfaces: ['eth0'], scripts: Object.fromEntries(PROGRAMS.map((p) => [`/usr/bin/${p}`, {}])) });
  const cfg: Config | null = r.config;
  assert.ok(cfg, JSON.stringify(r.diagnostics));
  const calls: string[] = [];
  const pendingStops: (() => void)[] = [];
  const cmd = (c: ScriptCommand, extra?: readonly string[]): string => [...c.args, ...(extra ?? [])].join(' ');
  const out: NotifyOutputs = {
    runScript: (c, extra) => void calls.push(`script ${cmd(c, extra)}`),
    runStopScript: (c, extra) => {
      calls.push(`stop-script ${cmd(c, extra)}`);
      if (!stopDelayed) return Promise.resolve();
      return new Promise<void>((res) => pendingStops.push(() => res()));
    },
    fifo: (scope: NotifyScope, name: string, state: NotifyState | 'MASTER_RX_LOWER_PRI', prio: number) => void calls.push(`fifo ${scope} "${name}" ${state} ${prio}`),
    mail: (scope: NotifyScope, name: string, state: NotifyState, smtp: boolean | null) => void calls.push(`mail ${scope} ${name} ${state} ${String(smtp)}`),
  };
  const inst = (name: string): VrrpInstance => {
    const i = cfg.instances.find((x) => x.name === name);
    assert.ok(i, name);
    return i;
  };
  return { notifier: new Notifier(cfg, out), calls, inst, pendingStops };
}

// ---- instance transitions ----

const perState: { state: NotifyState; script: string }[] = [
  { state: 'MASTER', script: '/usr/bin/m a b' },
  { state: 'BACKUP', script: '/usr/bin/b' },
  { state: 'FAULT', script: '/usr/bin/f' },
];

for (const { state, script } of perState) {
  test(`keepalived send_instance_notifies(): entering ${state} runs notify_${state.toLowerCase()} (own args only), notify (+ INSTANCE name ${state} prio), the FIFO line, then mail`, async () => {
    const { notifier, calls, inst } = setup();
    await notifier.instance(inst('VI_1'), state, 123);
    assert.deepEqual(calls, [
      `script ${script}`,
      `script /usr/bin/n x INSTANCE VI_1 ${state} 123`,
      `fifo INSTANCE "VI_1" ${state} 123`,
      `mail INSTANCE VI_1 ${state} true`,
    ]);
  });
}

test('keepalived send_instance_notifies(): an instance without scripts still writes the FIFO line and hands mail its smtp_alert', async () => {
  const { notifier, calls, inst } = setup();
  await notifier.instance(inst('VI_2'), 'MASTER', 100);
  assert.deepEqual(calls, ['fifo INSTANCE "VI_2" MASTER 100', 'mail INSTANCE VI_2 MASTER false']);
});

test('keepalived get_iscript(): only the script of the state entered runs', async () => {
  const { notifier, calls, inst } = setup();
  await notifier.instance(inst('VI_3'), 'BACKUP', 100);
  await notifier.instance(inst('VI_3'), 'MASTER', 100);
  assert.deepEqual(calls, [
    'fifo INSTANCE "VI_3" BACKUP 100',
    'mail INSTANCE VI_3 BACKUP false',
    'script /usr/bin/m3',
    'fifo INSTANCE "VI_3" MASTER 100',
    'mail INSTANCE VI_3 MASTER false',
  ]);
});

test('keepalived: INIT notifies nothing, for an instance or a group', async () => {
  const { notifier, calls, inst } = setup();
  await notifier.instance(inst('VI_1'), 'INIT', 100);
  notifier.group('G', 'INIT');
  assert.deepEqual(calls, []);
});

// ---- STOP ----

test('keepalived send_instance_notifies() / notify_script_exec(): at STOP both scripts go through system_call_script (runStopScript) and instance() waits for them', async () => {
  const { notifier, calls, inst, pendingStops } = setup(true);
  let done = false;
  const p = notifier.instance(inst('VI_1'), 'STOP', 100).then(() => (done = true));
  assert.deepEqual(calls, [
    'stop-script /usr/bin/s',
    'stop-script /usr/bin/n x INSTANCE VI_1 STOP 100',
    'fifo INSTANCE "VI_1" STOP 100',
    'mail INSTANCE VI_1 STOP true',
  ]);
  assert.equal(pendingStops.length, 2);
  pendingStops[0]?.();
  await new Promise((r) => setImmediate(r));
  assert.equal(done, false, 'still waiting for the generic notify');
  pendingStops[1]?.();
  await p;
  assert.equal(done, true);
});

test('keepalived: a non-STOP transition never uses runStopScript and resolves without waiting', async () => {
  const { notifier, calls, inst, pendingStops } = setup(true);
  await notifier.instance(inst('VI_1'), 'MASTER', 100);
  assert.equal(pendingStops.length, 0);
  assert.ok(calls.every((c) => !c.startsWith('stop-script')));
});

// ---- groups ----

test('keepalived send_group_notifies(): group script, generic notify with GROUP name STATE 0, FIFO line with priority 0, group mail', () => {
  const { notifier, calls } = setup();
  notifier.group('G', 'MASTER');
  notifier.group('G', 'FAULT');
  assert.deepEqual(calls, [
    'script /usr/bin/gm arg',
    'script /usr/bin/gn garg GROUP G MASTER 0',
    'fifo GROUP "G" MASTER 0',
    'mail GROUP G MASTER true',
    'script /usr/bin/gf',
    'script /usr/bin/gn garg GROUP G FAULT 0',
    'fifo GROUP "G" FAULT 0',
    'mail GROUP G FAULT true',
  ]);
});

test('keepalived send_group_notifies(): a group STOP runs its scripts fire-and-forget (notify_exec, not system_call_script)', () => {
  const { notifier, calls } = setup();
  notifier.group('G', 'STOP');
  assert.deepEqual(calls, ['script /usr/bin/gs', 'script /usr/bin/gn garg GROUP G STOP 0', 'fifo GROUP "G" STOP 0', 'mail GROUP G STOP true']);
});

// ---- MASTER_RX_LOWER_PRI ----

test('keepalived send_event_notify(): notify_master_rx_lower_pri runs without extra args, FIFO says MASTER_RX_LOWER_PRI with the priority', () => {
  const { notifier, calls, inst } = setup();
  notifier.masterRxLowerPri(inst('VI_1'), 150);
  notifier.masterRxLowerPri(inst('VI_2'), 90);
  assert.deepEqual(calls, ['script /usr/bin/rx', 'fifo INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150', 'fifo INSTANCE "VI_2" MASTER_RX_LOWER_PRI 90']);
});

// ---- sync-group suppression ----

test('keepalived send_instance_notifies(): notifies_sent && sync->state == state → the member sends nothing', async () => {
  const { notifier, calls, inst } = setup();
  // First notification of VI_1: sent even though the group is already BACKUP (notifies_sent is false).
  notifier.group('G', 'BACKUP');
  calls.length = 0;
  await notifier.instance(inst('VI_1'), 'BACKUP', 100);
  assert.equal(calls.length, 4, calls.join('\n'));
  calls.length = 0;
  // Now notifies_sent is true and the group is in BACKUP: nothing.
  await notifier.instance(inst('VI_1'), 'BACKUP', 100);
  assert.deepEqual(calls, []);
  // A state the group is not in is notified.
  await notifier.instance(inst('VI_1'), 'MASTER', 100);
  assert.deepEqual(calls[0], 'script /usr/bin/m a b');
  assert.equal(calls.length, 4);
  calls.length = 0;
  notifier.group('G', 'MASTER');
  calls.length = 0;
  await notifier.instance(inst('VI_1'), 'MASTER', 100);
  await notifier.instance(inst('VI_2'), 'MASTER', 100);
  assert.deepEqual(calls, ['fifo INSTANCE "VI_2" MASTER 100', 'mail INSTANCE VI_2 MASTER false'], 'VI_2 has not notified yet, VI_1 has');
});

test('keepalived send_instance_notifies(): the suppression is per group member; a lone instance always notifies', async () => {
  const { notifier, calls, inst } = setup();
  await notifier.instance(inst('VI_3'), 'MASTER', 100);
  await notifier.instance(inst('VI_3'), 'MASTER', 100);
  assert.deepEqual(calls.filter((c) => c.startsWith('fifo')), ['fifo INSTANCE "VI_3" MASTER 100', 'fifo INSTANCE "VI_3" MASTER 100']);
});

test('keepalived send_instance_notifies(): a member whose group has never reported a state is not suppressed', async () => {
  const { notifier, calls, inst } = setup();
  await notifier.instance(inst('VI_1'), 'BACKUP', 100);
  await notifier.instance(inst('VI_1'), 'BACKUP', 100);
  assert.equal(calls.filter((c) => c.startsWith('fifo')).length, 2);
});
