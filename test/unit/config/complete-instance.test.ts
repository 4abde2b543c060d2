/**
 * keepalived's per-instance completion rules (src/config/complete-instance.ts) against
 * keepalived 2.2.7 keepalived/vrrp/vrrp.c vrrp_complete_instance() and chk_min_cfg().
 * Half of the tests drive completeInstance() on a draft; the others go through checkText()
 * where the expected output was checked with keepalived -t.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMinimalConfig, completeInstance } from '../../../src/config/complete-instance';
import { DiagnosticSink, type SourceLocation } from '../../../src/config/diagnostics';
import { newConfigDraft, newInstanceDraft, type ConfigDraft, type InstanceDraft } from '../../../src/config/draft';
import type { VirtualAddress } from '../../../src/config/model';
import { completeGlobals } from '../../../src/config/build';
import { checkText, errors, fakeHost } from '../../support/config-harness';

const F = '/etc/keepalived/keepalived.conf';
const AT: SourceLocation = { file: F, line: 1, col: 15 };

function vip(address = '10.0.0.1', family: 4 | 6 = 4): VirtualAddress {
  return {
    address,
    family,
    prefixLength: family === 4 ? 24 : 64,
    broadcast: null,
    dev: null,
    scope: null,
    label: null,
    peer: null,
    noDad: false,
    noPrefixRoute: false,
    noTrack: false,
    at: { file: F, line: 5, col: 5 },
  };
}

/** A complete, valid IPv4 instance draft; `edit` changes it. */
function setup(edit: (i: InstanceDraft, d: ConfigDraft) => void = () => undefined): { draft: ConfigDraft; inst: InstanceDraft } {
  const draft = newConfigDraft();
  const inst = newInstanceDraft('VI_1', AT, draft.global);
  inst.interface = 'eth0';
  inst.vrid = 51;
  inst.virtualIpaddress.push(vip());
  edit(inst, draft);
  draft.instances.push(inst);
  return { draft, inst };
}

function complete(edit: (i: InstanceDraft, d: ConfigDraft) => void = () => undefined) {
  const { draft, inst } = setup(edit);
  const sink = new DiagnosticSink();
  const out = completeInstance(inst, draft, completeGlobals(draft.global, fakeHost()), null, sink);
  return { out, msgs: sink.all.map((d) => d.message), diags: sink.all };
}

// chk_min_cfg()

test('keepalived chk_min_cfg(): a VRID is required', () => {
  const { inst } = setup((i) => {
    i.vrid = null;
  });
  const sink = new DiagnosticSink();
  assert.equal(checkMinimalConfig(inst, sink), false);
  assert.deepEqual(sink.all.map((d) => [d.code, d.message, d.at]), [['CFG_VRID_MISSING', '(VI_1) the virtual router id must be set', AT]]);
});

test('keepalived chk_min_cfg(): an interface is required, reported where it was named', () => {
  const named = { file: F, line: 3, col: 13 };
  const { inst } = setup((i) => {
    i.interface = null;
    i.interfaceAt = named;
  });
  const sink = new DiagnosticSink();
  assert.equal(checkMinimalConfig(inst, sink), false);
  assert.deepEqual(sink.all.map((d) => [d.message, d.at]), [['(VI_1) Unknown interface!', named]]);
  const ok = setup();
  assert.equal(checkMinimalConfig(ok.inst, new DiagnosticSink()), true);
});

// priority / state

test('keepalived vrrp_complete_instance(): state MASTER defaults the priority to 255', () => {
  const { out, msgs } = complete((i) => {
    i.state = 'MASTER';
  });
  assert.deepEqual(msgs, []);
  assert.equal(out?.priority, 255);
  assert.equal(out?.state, 'MASTER');
});

test('keepalived vrrp_complete_instance(): no state and no priority is a BACKUP of priority 100', () => {
  const { out } = complete();
  assert.equal(out?.priority, 100);
  assert.equal(out?.state, 'BACKUP');
});

test('keepalived vrrp_complete_instance(): strict mode needs MASTER to be the address owner', () => {
  const { out, msgs } = complete((i, d) => {
    d.global.strict = true;
    i.state = 'MASTER';
    i.priority = 100;
  });
  assert.equal(msgs[0], '(VI_1) State MASTER must match being address owner');
  assert.equal(out?.state, 'BACKUP');
});

// VIPs

test('keepalived vrrp_complete_instance(): VRRPv2 without VIP goes on, reported twice like keepalived', () => {
  const { out, diags } = complete((i) => {
    i.virtualIpaddress.length = 0;
  });
  assert.ok(out);
  assert.deepEqual(diags.map((d) => [d.cls, d.message]), [
    ['GENERAL_ERROR', '(VI_1) No VIP specified; at least one is sensible'],
    ['WARNING', '(VI_1) No VIP specified; at least one is sensible'],
  ]);
});

test('keepalived vrrp_complete_instance(): VRRPv3 without VIP stops the set-up', () => {
  const { out, msgs } = complete((i) => {
    i.virtualIpaddress.length = 0;
    i.version = 3;
  });
  assert.equal(out, null);
  assert.deepEqual(msgs, ['(VI_1) No VIP specified; at least one is required']);
});

test('keepalived vrrp_complete_instance(): a second VRRPv3 instance is not checked after one stops the set-up', () => {
  const r = checkText(
    'vrrp_instance VI_1 {\n  version 3\n  interface eth0\n  virtual_router_id 51\n}\n' +
      'vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 51\n}\n',
  );
  assert.deepEqual(errors(r), [`(${F}: Line 1, Col 15) (VI_1) No VIP specified; at least one is required`]);
  assert.equal(r.exitCode, 5);
});

// authentication

test('keepalived vrrp_complete_instance(): authentication without a password is ignored', () => {
  const { out, msgs } = complete((i) => {
    i.auth = { type: 'PASS', password: null, at: AT };
  });
  assert.deepEqual(msgs, ['(VI_1) Authentication specified but no password given. Ignoring']);
  assert.equal(out?.auth, null);
});

test('keepalived vrrp_complete_instance(): strict mode does not support authentication', () => {
  const { out, msgs } = complete((i, d) => {
    d.global.strict = true;
    i.auth = { type: 'PASS', password: 'secret', at: AT };
  });
  assert.ok(msgs.includes('(VI_1) Strict mode does not support authentication. Ignoring.'));
  assert.equal(out?.auth, null);
});

test('keepalived vrrp_complete_instance(): AH with initial state MASTER (not owner) starts as BACKUP', () => {
  const { out, msgs } = complete((i) => {
    i.state = 'MASTER';
    i.priority = 100;
    i.auth = { type: 'AH', password: 'secret', at: AT };
  });
  assert.deepEqual(msgs, ['(VI_1) Initial state master is incompatible with AH authentication - clearing']);
  assert.equal(out?.state, 'BACKUP');
  assert.deepEqual(out?.auth, { type: 'AH', password: 'secret' });
});

test('keepalived vrrp_complete_instance(): PASS authentication is kept for VRRPv2', () => {
  const { out, msgs } = complete((i) => {
    i.auth = { type: 'PASS', password: 'pw', at: AT };
  });
  assert.deepEqual(msgs, []);
  assert.deepEqual(out?.auth, { type: 'PASS', password: 'pw' });
});

// unicast

test('keepalived vrrp_complete_instance(): a unicast keyword without peers is DEPRECATED, multicast kept', () => {
  const { out, diags } = complete((i) => {
    i.unicastConfigured = true;
    i.unicastSrcIp = '10.0.0.5';
  });
  assert.equal(diags.length, 1);
  assert.equal(diags[0]?.cls, 'DEPRECATED');
  assert.match(diags[0]?.message ?? '', /A unicast keyword has been specified without any unicast peers\. Defaulting to multicast\./);
  assert.equal(out?.mcastDstIp, '224.0.0.18');
});

test('keepalived vrrp_complete_instance(): mcast_dst_ip is ignored with unicast peers', () => {
  const { out, msgs } = complete((i) => {
    i.unicastConfigured = true;
    i.unicastPeers.push({ address: '10.0.0.9', minTtl: null, maxTtl: null, at: AT });
    i.mcastDstIp = '224.0.0.20';
  });
  assert.deepEqual(msgs, ['(VI_1) multicast destination specified with unicast - ignoring']);
  assert.equal(out?.mcastDstIp, null);
  assert.equal(out?.unicastTtl, 255);
});

test('keepalived vrrp_complete_instance(): an instance without interface needs a source address', () => {
  const { out, msgs } = complete((i) => {
    i.interface = null;
    i.unicastPeers.push({ address: '10.0.0.9', minTtl: null, maxTtl: null, at: AT });
  });
  assert.equal(out, null);
  assert.deepEqual(msgs, ['(VI_1): Unicast instances must have unicast_src_ip or interface']);
});

test(
  'keepalived vrrp_complete_instance(): unicast peers in strict mode are accepted (its check runs before the unicast flag is set)',
  () => {
    const r = checkText(
      'global_defs {\n  vrrp_strict\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n' +
        '  virtual_ipaddress {\n    10.0.0.1/24\n  }\n  unicast_peer {\n    10.0.0.2\n  }\n}\n',
    );
    assert.deepEqual(errors(r), []);
    assert.equal(r.exitCode, 0);
  },
);

// preempt, timers, accept, strict resets

test('keepalived vrrp_complete_instance(): strict mode resets preempt_delay, down_timer_adverts, accept, GARP and advert switches', () => {
  const { out, msgs } = complete((i, d) => {
    d.global.strict = true;
    i.priority = 100;
    i.preemptDelayUs = 3_000_000;
    i.downTimerAdverts = 5;
    i.accept = true;
    i.garp.lowerPrioRepeat = 2;
    i.garpLowerPrioRepeatSet = true;
    i.lowerPrioNoAdvert = false;
    i.higherPrioSendAdvert = true;
  });
  assert.deepEqual(msgs, [
    '(VI_1) preempt_delay is incompatible with strict mode - resetting',
    '(VI_1) down_timer_adverts is incompatible with strict mode - resetting',
    '(VI_1) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting',
    '(VI_1) Strict mode requires no repeat garps. resetting',
    '(VI_1) Strict mode requires no lower priority advert. resetting',
    '(VI_1) strict mode requires higher_prio_send_advert to be clear. resetting',
  ]);
  assert.equal(out?.preemptDelayUs, 0);
  assert.equal(out?.downTimerAdverts, 3);
  assert.equal(out?.accept, false);
  assert.equal(out?.garp.lowerPrioRepeat, 0);
  assert.equal(out?.lowerPrioNoAdvert, true);
  assert.equal(out?.higherPrioSendAdvert, false);
});

test('keepalived vrrp_complete_instance(): accept defaults to on, except for a strict non-owner', () => {
  assert.equal(complete().out?.accept, true);
  const strict = complete((_i, d) => {
    d.global.strict = true;
  });
  assert.equal(strict.out?.accept, false);
  assert.deepEqual(strict.msgs, []);
  const owner = complete((i, d) => {
    d.global.strict = true;
    i.priority = 255;
  });
  assert.equal(owner.out?.accept, true);
});

test('keepalived vrrp_complete_instance(): strict mode turns lower_prio_no_advert on and GARP lower-priority repeats off', () => {
  const { out } = complete((_i, d) => {
    d.global.strict = true;
  });
  assert.equal(out?.lowerPrioNoAdvert, true);
  assert.equal(out?.garp.lowerPrioRepeat, 0);
  assert.equal(out?.garp.lowerPrioDelaySec, 0);
  assert.equal(out?.strictMode, true);
});

test('keepalived vrrp_complete_instance(): an instance strict_mode off overrides the global vrrp_strict', () => {
  const { out, msgs } = complete((i, d) => {
    d.global.strict = true;
    i.strictMode = false;
    i.auth = { type: 'PASS', password: 'pw', at: AT };
  });
  assert.deepEqual(msgs, []);
  assert.equal(out?.strictMode, false);
  assert.deepEqual(out?.auth, { type: 'PASS', password: 'pw' });
});

// advert_int

test('keepalived vrrp_complete_instance(): VRRPv2 advert_int of 256 s or more is set to 255 s', () => {
  const { out, msgs } = complete((i) => {
    i.advertIntUs = 300_000_000;
  });
  assert.deepEqual(msgs, ['(VI_1) VRRPv2 advertisement interval 300.00s is out of range. Must be less than 256s. Setting to 255s']);
  assert.equal(out?.advertIntUs, 255_000_000);
});

test('keepalived vrrp_complete_instance(): VRRPv2 advert_int 0.4 rounds up to the 1 s minimum', () => {
  const { out, msgs } = complete((i) => {
    i.advertIntUs = 400_000;
  });
  assert.deepEqual(msgs, ['(VI_1) VRRPv2 advertisement interval 0.400000s must be an integer. rounding']);
  assert.equal(out?.advertIntUs, 1_000_000);
});

test('keepalived vrrp_complete_instance(): VRRPv3 advert_int 0.004 rounds to the 10 ms minimum', () => {
  const { out } = complete((i) => {
    i.version = 3;
    i.advertIntUs = 4_000;
  });
  assert.equal(out?.advertIntUs, 10_000);
});

// family

test('keepalived vrrp_complete_instance(): IPv6 is VRRPv3 with ff02::12; strict mode complains about v2', () => {
  const { out, msgs } = complete((i) => {
    i.virtualIpaddress.splice(0, 1, vip('fe80::1', 6));
    i.family = 6;
  });
  assert.deepEqual(msgs, []);
  assert.equal(out?.version, 3);
  assert.equal(out?.mcastDstIp, 'ff02::12');
  const strict = complete((i, d) => {
    d.global.strict = true;
    i.virtualIpaddress.splice(0, 1, vip('fe80::1', 6));
    i.family = 6;
    i.version = 2;
  });
  assert.equal(strict.msgs[0], '(VI_1) cannot use IPv6 with VRRP version 2; setting version 3');
  assert.equal(strict.out?.version, 3);
});

// tracking

test('keepalived vrrp_complete_instance(): an address owner drops weighted trackers', () => {
  const r = checkText(
    'global_defs {\n  enable_script_security\n  script_user root\n}\nvrrp_script chk {\n  script /usr/bin/chk\n  weight 10\n}\n' +
      'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n  priority 255\n' +
      '  track_interface {\n    eth1 weight 5\n  }\n  track_script {\n    chk\n  }\n}\n',
    { interfaces: ['eth0', 'eth1'], scripts: { '/usr/bin/chk': {} } },
  );
  assert.deepEqual(errors(r), [
    `(${F}: Line 17, Col 5) (VI_1) ignoring eth1 tracked interface due to address owner`,
    `(${F}: Line 20, Col 5) (VI_1) ignoring tracked script chk with weights due to address_owner`,
  ]);
  assert.deepEqual(r.config?.instances[0]?.trackInterfaces, []);
  assert.deepEqual(r.config?.instances[0]?.trackScripts, []);
});

test('keepalived vrrp_complete_instance(): unweighted trackers of an owner are kept', () => {
  const r = checkText(
    'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n  priority 255\n' +
      '  track_interface {\n    eth1\n  }\n}\n',
    { interfaces: ['eth0', 'eth1'] },
  );
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.config?.instances[0]?.trackInterfaces.map((t) => [t.name, t.weight]), [['eth1', 0]]);
});

test(
  "keepalived vrrp_complete_instance(): tracking the instance's own interface is reported and dropped",
  () => {
    const r = checkText(
      'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n' +
        '  track_interface {\n    eth0\n  }\n}\n',
    );
    assert.equal(errors(r).length, 1);
    assert.match(errors(r)[0] ?? '', /\(VI_1\) Ignoring track_interface eth0 since own interface$/);
    assert.deepEqual(r.config?.instances[0]?.trackInterfaces, []);
  },
);
