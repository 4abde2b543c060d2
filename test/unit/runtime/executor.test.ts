/**
 * The action executor with fake ports: actions run in the core's order, a failing action is
 * logged and the next one still runs (issue 4: one failing netlink or send call never stops
 * the daemon), adverts go to the group or to every unicast peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionExecutor, type InstancePorts } from '../../../src/runtime/executor';
import { TsvrrpdIoError } from '../../../src/io/errors';
import { checkText } from '../../support/config-harness';
import type { AddressManager, AddressSpec } from '../../../src/io/ports';
import { planRuntime } from '../../../src/runtime/plan';
import { VirtualResources } from '../../../src/runtime/virtual-resources';
import type { Logger } from '../../../src/io/logger';
import { decodeAdvert } from '../../../src/protocol/advert';

function specOf(conf: string) {
  const r = checkText(conf, { interfaces: ['eth0'] });
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  const plan = planRuntime(r.config, { ownAddresses: () => ['10.0.0.1'] });
  const spec = plan.instances[0];
  assert.ok(spec, JSON.stringify(plan.skipped));
  return spec;
}

function setup(conf: string, fail: { send?: boolean; addFor?: string } = {}, clock = { us: 0 }) {
  const spec = specOf(conf);
  const calls: string[] = [];
  const logs: string[] = [];
  const log: Logger = { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`), debug: (m) => logs.push(`debug ${m}`) };
  const addresses: AddressManager = {
    add: async (a: AddressSpec) => {
      calls.push(`add ${a.address}/${a.prefixLength} ${a.ifname}`);
      if (a.address === fail.addFor) throw new TsvrrpdIoError('EINVAL', `add ${a.address}`);
    },
    remove: async (a: AddressSpec) => {
      calls.push(`remove ${a.address}`);
    },
    list: async () => [],
  };
  const resources = new VirtualResources(spec.name, spec.addresses, addresses, log, { nowUs: () => 0 });
  const ports: InstancePorts = {
    socket: {
      send: async (message, src, dst, ttl) => {
        const d = decodeAdvert(message);
        calls.push(`send ${src}->${dst} ttl ${ttl ?? 255} prio ${d.ok ? d.advert.priority : '?'}`);
        if (fail.send) throw new TsvrrpdIoError('ENETDOWN', `send to ${dst}`);
      },
      descriptor: () => null,
    },
    resources,
    garp: { send: async (ifname, vip, count) => void calls.push(`garp ${ifname} ${vip} x${count}`) },
    log,
    notify: async (a) => void calls.push(a.type === 'Notify' ? `notify ${a.state} ${a.priority}` : 'notify MASTER_RX_LOWER_PRI'),
    nowUs: () => clock.us,
  };
  return { exec: new ActionExecutor(spec, ports), calls, logs };
}

const BASE = 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 150\n virtual_ipaddress {\n  10.0.0.100/24\n  10.0.0.101/24\n }\n}\n';

test('executor: entering MASTER runs advert, VIPs, GARP in the core order', async () => {
  const { exec, calls } = setup(BASE);
  await exec.run([{ type: 'SendAdvert', priority: 150 }, { type: 'AddVips' }, { type: 'SendGarp', count: 5 }]);
  assert.deepEqual(calls, [
    'send 10.0.0.1->224.0.0.18 ttl 255 prio 150',
    'add 10.0.0.100/24 eth0',
    'add 10.0.0.101/24 eth0',
    'garp eth0 10.0.0.100 x5',
    'garp eth0 10.0.0.101 x5',
  ]);
});

test('executor: a failing send is logged and the following actions still run', async () => {
  const { exec, calls, logs } = setup(BASE, { send: true });
  await exec.run([{ type: 'SendAdvert', priority: 150 }, { type: 'AddVips' }]);
  assert.ok(calls.includes('add 10.0.0.100/24 eth0') && calls.includes('add 10.0.0.101/24 eth0'));
  assert.ok(logs.some((l) => l.startsWith('error (VI_1) SendAdvert failed: send to 224.0.0.18: ENETDOWN')), logs.join('\n'));
});

test('executor: the same failure again is logged once per 10 s, with the count held back', async () => {
  const clock = { us: 0 };
  const { exec, logs } = setup(BASE, { send: true }, clock);
  for (let s = 0; s < 25; s++) {
    clock.us = s * 1_000_000;
    await exec.run([{ type: 'SendAdvert', priority: 150 }]);
  }
  const lines = logs.filter((l) => l.includes('SendAdvert failed'));
  assert.equal(lines.length, 3, lines.join('\n'));
  assert.match(lines[1]!, /ENETDOWN \(9 more since the last report\)$/);
});

test('executor: one VIP failing does not stop the others', async () => {
  const { exec, calls, logs } = setup(BASE, { addFor: '10.0.0.100' });
  await exec.run([{ type: 'AddVips' }, { type: 'SendGarp', count: 1 }]);
  assert.ok(calls.includes('add 10.0.0.101/24 eth0'), calls.join('\n'));
  assert.ok(calls.includes('garp eth0 10.0.0.100 x1'));
  assert.ok(logs.some((l) => l.includes('10.0.0.100/24 on eth0: add 10.0.0.100: EINVAL')), logs.join('\n'));
});

test('executor: unicast adverts go to every peer with unicast_ttl; priority 0 is logged as keepalived does', async () => {
  const conf = BASE.replace(' priority 150\n', ' priority 150\n unicast_src_ip 10.0.0.1\n unicast_ttl 64\n unicast_peer {\n  10.0.0.2\n  10.0.0.3\n }\n');
  const { exec, calls, logs } = setup(conf);
  await exec.run([{ type: 'SendAdvert', priority: 0 }]);
  assert.deepEqual(calls, ['send 10.0.0.1->10.0.0.2 ttl 64 prio 0', 'send 10.0.0.1->10.0.0.3 ttl 64 prio 0']);
  assert.ok(logs.includes('info (VI_1) sent 0 priority'));
});

test('executor: RemoveVips logs keepalived\'s "removing VIPs." and counters add up', async () => {
  const { exec, calls, logs } = setup(BASE);
  await exec.run([{ type: 'RemoveVips' }, { type: 'CountStat', counter: 'advert_sent' }, { type: 'CountStat', counter: 'advert_sent' }]);
  assert.deepEqual(calls, ['remove 10.0.0.100', 'remove 10.0.0.101']);
  assert.ok(logs.includes('info (VI_1) removing VIPs.'));
  assert.equal(exec.stats.get('advert_sent'), 2);
});

test('executor: SyncVips after a reload adds and announces only the added VIP, removes the removed one, leaves the rest', async () => {
  const { exec, calls } = setup(BASE);
  await exec.run([{ type: 'AddVips' }]);
  calls.length = 0;
  exec.update(specOf(BASE.replace('  10.0.0.101/24\n', '  10.0.0.102/24\n')));
  await exec.run([{ type: 'SyncVips', garpCount: 5 }]);
  assert.deepEqual(calls, ['remove 10.0.0.101', 'add 10.0.0.102/24 eth0', 'garp eth0 10.0.0.102 x5']);
  calls.length = 0;
  await exec.run([{ type: 'SyncVips', garpCount: 5 }]);
  assert.deepEqual(calls, [], 'nothing changed, nothing done (no GARP storm)');
});

test('executor: a VIP that failed to install is retried by the next SyncVips', async () => {
  const { exec, calls } = setup(BASE, { addFor: '10.0.0.100' });
  await exec.run([{ type: 'AddVips' }]);
  calls.length = 0;
  await exec.run([{ type: 'SyncVips', garpCount: 1 }]);
  assert.deepEqual(calls, ['add 10.0.0.100/24 eth0']);
});
