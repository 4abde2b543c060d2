/**
 * keepalived's dump files, rendered by src/runtime/status.ts, against keepalived 2.2.7's own
 * (test/fixtures/keepalived-dumps/, recorded by scripts/record-keepalived-dumps.sh). Each case's
 * recorded keepalived.conf goes through the project's config checker; the runtime facts are
 * the ones keepalived's dump shows: states, priorities and masters written here, the values
 * that change from one recording to the next (timestamps, socket descriptors, advert counters)
 * read from the recorded files. Then keepalived.data and keepalived.stats must match line for
 * line (same sections, labels, indentation, order, values), and keepalived.json must have the
 * same key paths and types at every level, the same values, and the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkText } from '../../support/config-harness';
import type { Config, ScriptCommand } from '../../../src/config/model';
import type { StatCounter } from '../../../src/protocol/types';
import {
  dumpFilePath, renderData, renderJson, renderStats,
  type InstanceStatus, type InterfaceStatus, type ScriptExec, type ScriptStatus, type StatusSnapshot,
} from '../../../src/runtime/status';
import { ctimeUs, fmtG } from '../../../src/runtime/status-format';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'keepalived-dumps');

type Fixed = Pick<InstanceStatus, 'state' | 'effectivePriority' | 'totalPriority' | 'masterRouterIp' | 'masterPriority' | 'sourceIp'>;

interface Case {
  readonly instances: Record<string, Fixed>;
  readonly syncGroups?: StatusSnapshot['syncGroups'];
  readonly scripts?: readonly ScriptStatus[];
  readonly trackFiles?: StatusSnapshot['trackFiles'];
  /** Lines where tsvrrpd deliberately or unavoidably differs: [keepalived's, ours]. */
  readonly deviations?: readonly (readonly [string, string])[];
}

const CASES: Record<string, Case> = {
  'master-unicast': {
    instances: { VI_1: { state: 'MASTER', effectivePriority: 150, totalPriority: 150, masterRouterIp: null, masterPriority: 0, sourceIp: '10.77.0.1' } },
  },
  'backup-tracking': {
    instances: { VI_2: { state: 'BACKUP', effectivePriority: 110, totalPriority: 110, masterRouterIp: '10.77.0.2', masterPriority: 200, sourceIp: '10.77.0.1' } },
    scripts: [{ name: 'chk_ok', result: 3, initState: 'DONE', run: 'idle' }],
    // keepalived prints 0 for a timeout left unset; the Config only has the effective timeout
    // (the interval), so tsvrrpd prints that.
    deviations: [['   Timeout = 0 sec', '   Timeout = 1 sec']],
  },
  'sync-group': {
    instances: {
      VI_A: { state: 'MASTER', effectivePriority: 120, totalPriority: 120, masterRouterIp: null, masterPriority: 0, sourceIp: '10.77.0.1' },
      VI_B: { state: 'MASTER', effectivePriority: 120, totalPriority: 120, masterRouterIp: null, masterPriority: 0, sourceIp: '10.77.1.1' },
    },
    syncGroups: [{ name: 'G1', state: 'MASTER' }],
  },
  'nopreempt-excluded': {
    instances: { VI_4: { state: 'BACKUP', effectivePriority: 110, totalPriority: 110, masterRouterIp: '10.77.0.2', masterPriority: 100, sourceIp: '10.77.0.1' } },
    trackFiles: [{ name: 'tf_weight', value: 0, path: null }],
  },
};

/** The recording namespace's interfaces (fixed MACs, so fixed link-local addresses). */
function nic(name: string, index: number, ipv4: string, ipv6: string | null, mac: string | null): InterfaceStatus {
  const lo = mac === null;
  return {
    name, index, ipv4, ipv6, mac, extraIpv4: [], extraIpv6: [],
    macBroadcast: lo ? null : 'ff:ff:ff:ff:ff:ff',
    flags: { up: true, running: true, broadcast: !lo, loopback: lo, pointToPoint: false, noArp: false, multicast: !lo },
    mtu: lo ? 65536 : 1500,
    hwType: lo ? 772 : 1,
  };
}
const INTERFACES = [
  nic('lo', 1, '127.0.0.1', null, null),
  nic('eth0', 2, '10.77.0.1', 'fe80::77:ff:fe00:1', '02:77:00:00:00:01'),
  nic('eth1', 3, '10.77.1.1', 'fe80::77:ff:fe00:101', '02:77:00:00:01:01'),
];

function read(name: string, file: string): string {
  return fs.readFileSync(path.join(FIXTURES, name, file), 'utf8');
}

function parseConfig(name: string): Config {
  const r = checkText(read(name, 'keepalived.conf'), { interfaces: ['eth0', 'eth1'], scripts: { '/bin/true': { path: '/usr/bin/true' } } });
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  assert.equal(r.exitCode, 0, JSON.stringify(r.diagnostics));
  return r.config;
}

/** Every command of the config, as the daemon resolves them: /bin/true is /usr/bin/true, as root. */
function scriptExec(c: Config): Map<ScriptCommand, ScriptExec> {
  const cmds = [
    ...c.scripts.map((s) => s.script),
    ...[...c.instances, ...c.syncGroups].flatMap((x) => Object.values(x.notify).filter((v): v is ScriptCommand => typeof v === 'object' && v !== null)),
  ];
  return new Map(cmds.map((cmd) => [cmd, { path: cmd.args[0] === '/bin/true' ? '/usr/bin/true' : (cmd.args[0] ?? ''), uid: 0, gid: 0, insecure: false }]));
}

const KEEPALIVED_STATS: Record<string, StatCounter> = {
  'Advertisements/Received': 'advert_rcvd', 'Advertisements/Sent': 'advert_sent', 'Became master': 'became_master',
  'Released master': 'release_master', 'Packet Errors/Length': 'packet_len_err', 'Packet Errors/TTL': 'ip_ttl_err',
  'Packet Errors/Invalid Type': 'invalid_type_rcvd', 'Packet Errors/Advertisement Interval': 'advert_interval_err',
  'Packet Errors/Address List': 'addr_list_err', 'Authentication Errors/Invalid Type': 'invalid_authtype',
  'Authentication Errors/Type Mismatch': 'authtype_mismatch', 'Authentication Errors/Failure': 'auth_failure',
  'Priority Zero/Received': 'pri_zero_rcvd', 'Priority Zero/Sent': 'pri_zero_sent',
};

function zeroStats(): Record<StatCounter, number> {
  const names: StatCounter[] = [...Object.values(KEEPALIVED_STATS), 'version_err', 'checksum_err', 'vrid_err', 'mcast_unicast_mismatch', 'unicast_src_err'];
  return Object.fromEntries(names.map((n) => [n, 0])) as Record<StatCounter, number>;
}

/** The counters of keepalived.stats, per instance (the daemon's counters at recording time). */
function recordedStats(text: string): Map<string, Record<StatCounter, number>> {
  const out = new Map<string, Record<StatCounter, number>>();
  let cur: Record<StatCounter, number> | null = null;
  let section = '';
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^VRRP Instance: (.+)$/.exec(line))) out.set(m[1] ?? '', (cur = zeroStats()));
    else if ((m = /^ {2}(\S[^:]*):$/.exec(line))) section = m[1] ?? '';
    else if ((m = /^( +)(\S[^:]*): (\d+)$/.exec(line)) && cur) {
      const key = KEEPALIVED_STATS[(m[1] === '    ' ? `${section}/` : '') + (m[2] ?? '')];
      assert.ok(key, `unknown stats line ${line}`);
      cur[key] = Number(m[3]);
    }
  }
  return out;
}

/** What changes between recordings, from the recorded files: times, descriptors. */
function recordedVolatiles(name: string): Map<string, Pick<InstanceStatus, 'lastTransitionWallUs' | 'readTimeoutWallUs' | 'socketFds'>> {
  const data = read(name, 'keepalived.data');
  const json = JSON.parse(read(name, 'keepalived.json')) as { data: { iname: string; last_transition: number } }[];
  const out = new Map<string, Pick<InstanceStatus, 'lastTransitionWallUs' | 'readTimeoutWallUs' | 'socketFds'>>();
  for (const block of data.split(/^ VRRP Instance = /m).slice(1)) {
    const iname = block.slice(0, block.indexOf('\n'));
    const rt = /^ {3}Read timeout = (\d+)\.(\d{6}) /m.exec(block);
    const fds = /^ {3}fd_in (\d+), fd_out (\d+)$/m.exec(block);
    const lt = json.find((j) => j.data.iname === iname)?.data.last_transition;
    assert.ok(lt !== undefined && fds, `no recorded times/fds for ${iname}`);
    out.set(iname, {
      lastTransitionWallUs: Math.round(lt * 1e6),
      readTimeoutWallUs: rt ? Number(rt[1]) * 1e6 + Number(rt[2]) : null,
      socketFds: { in: Number(fds[1]), out: Number(fds[2]) },
    });
  }
  return out;
}

function snapshotFor(name: string, k: Case): StatusSnapshot {
  const config = parseConfig(name);
  const stats = recordedStats(read(name, 'keepalived.stats'));
  const vol = recordedVolatiles(name);
  const instances = Object.entries(k.instances).map(([iname, fixed]): InstanceStatus => {
    const v = vol.get(iname);
    assert.ok(v, iname);
    return { name: iname, ...fixed, ...v, trackerFaults: 0, stats: stats.get(iname) ?? zeroStats() };
  });
  return {
    config, instances, syncGroups: k.syncGroups ?? [], scripts: k.scripts ?? [], trackFiles: k.trackFiles ?? [],
    interfaces: INTERFACES, scriptExec: scriptExec(config), fifoOwners: new Map(), defaultScriptIds: { uid: 0, gid: 0 },
    localName: 'localhost', utcOffsetSec: 0, nowWallUs: 1_796_191_999_000_000, pid: 4242,
  };
}

/** Line-by-line comparison; the first difference, with its line number, or null. */
function firstDifference(expected: string, actual: string): string | null {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return `line ${i + 1}: keepalived ${JSON.stringify(e[i])}, tsvrrpd ${JSON.stringify(a[i])}`;
  }
  return null;
}

/** Every key path with its JSON type ("[0].data.vips[] string"). */
function shape(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return [`${at} array`, ...v.flatMap((x, i) => shape(x, typeof x === 'object' && x !== null ? `${at}[${i}]` : `${at}[]`))];
  if (v !== null && typeof v === 'object') return [`${at} object`, ...Object.entries(v).flatMap(([key, x]) => shape(x, `${at}.${key}`))];
  return [`${at} ${v === null ? 'null' : typeof v}`];
}

function applyDeviations(expected: string, k: Case): string {
  let out = expected;
  for (const [theirs, ours] of k.deviations ?? []) {
    assert.ok(out.includes(`${theirs}\n`), `deviation no longer seen: ${theirs}`);
    out = out.replace(`${theirs}\n`, `${ours}\n`);
  }
  return out;
}

for (const [name, k] of Object.entries(CASES)) {
  test(`keepalived: dump_data_vrrp() - ${name}: keepalived.data line for line`, () => {
    const got = renderData(snapshotFor(name, k));
    assert.equal(firstDifference(applyDeviations(read(name, 'keepalived.data'), k), got), null);
  });

  test(`keepalived: vrrp_print_stats() - ${name}: keepalived.stats line for line`, () => {
    assert.equal(firstDifference(read(name, 'keepalived.stats'), renderStats(snapshotFor(name, k))), null);
  });

  test(`keepalived: vrrp_json_dump() - ${name}: keepalived.json key paths, types, values, text`, () => {
    const theirs = read(name, 'keepalived.json');
    const ours = renderJson(snapshotFor(name, k));
    assert.deepEqual(shape(JSON.parse(ours)), shape(JSON.parse(theirs)));
    assert.deepEqual(JSON.parse(ours), JSON.parse(theirs));
    assert.equal(ours, theirs);
  });
}

test('the comparisons catch a renamed label, a moved line and a changed type', () => {
  const k = CASES['backup-tracking'];
  assert.ok(k);
  const s = snapshotFor('backup-tracking', k);
  const expected = applyDeviations(read('backup-tracking', 'keepalived.data'), k);
  const data = renderData(s);
  assert.notEqual(firstDifference(expected, data.replace('   Wantstate = ', '   Want state = ')), null);
  assert.notEqual(firstDifference(expected, data.replace(' Router ID = tsv-rec-b\n', '').replace(' Dynamic interfaces', ' Router ID = tsv-rec-b\n Dynamic interfaces')), null);
  assert.notEqual(firstDifference(expected, data.replace('     eth1 weight -20', '    eth1 weight -20')), null);
  assert.notEqual(firstDifference(read('backup-tracking', 'keepalived.stats'), renderStats(s).replace('Became master', 'Become master')), null);
  const json = JSON.parse(renderJson(s)) as { data: Record<string, unknown> }[];
  const first = json[0];
  assert.ok(first);
  first.data.state = 'BACKUP';
  assert.notDeepEqual(shape(json), shape(JSON.parse(read('backup-tracking', 'keepalived.json'))));
});

test('keepalived: open_dump_file()/make_tmp_filename() - dump file names', () => {
  assert.equal(dumpFilePath('data', { tmpdir: null }), '/tmp/keepalived.data');
  assert.equal(dumpFilePath('stats', { tmpdir: '/run/x' }), '/run/x/keepalived.stats');
  assert.equal(dumpFilePath('json', { tmpdir: 'relative/tmp' }), '/tmp/keepalived.json');
  const named = { tmpdir: '/tmp', dataUseInstance: true, instanceName: 'inst1' };
  assert.equal(dumpFilePath('data', named), '/tmp/keepalived.inst1.data');
  assert.equal(dumpFilePath('stats', named), '/tmp/keepalived.stats');
  assert.equal(dumpFilePath('json', named), '/tmp/keepalived.json');
  assert.equal(dumpFilePath('data', { ...named, netNamespace: 'ns1' }), '/tmp/keepalived.ns1_inst1.data');
  assert.equal(dumpFilePath('data', { tmpdir: '/tmp', dataUseInstance: true, netNamespace: 'ns1' }), '/tmp/keepalived.ns1.data');
  assert.equal(dumpFilePath('data', { tmpdir: '/tmp', instanceName: 'inst1' }), '/tmp/keepalived.data');
});

test('the recording saw what status.ts states: mode 0600 files, relative TMPDIR -> /tmp, instance names the data file only', () => {
  const rec = fs.readFileSync(path.join(FIXTURES, 'RECORDING.txt'), 'utf8');
  const modes = rec.match(/^ {2}keepalived\.(data|stats|json) +(\S+)/gm) ?? [];
  assert.equal(modes.length, 3 * Object.keys(CASES).length);
  for (const m of modes) assert.match(m, /-rw-------$/);
  assert.match(rec, /ls: keepalived\.inst1\.data\n {2}ls: keepalived\.json\n {2}ls: keepalived\.stats\n/);
  assert.match(rec, /written first, cleared after/);
});

test('keepalived: ctime_us_r() and printf %g as the dumps print them', () => {
  assert.equal(ctimeUs(1_796_191_399_766_683, 0), 'Wed Dec  2 06:03:19.766683 2026');
  assert.equal(ctimeUs(951_782_400_000_001, 3600), 'Tue Feb 29 01:00:00.000001 2000');
  assert.equal(ctimeUs(0, 0), 'Thu Jan  1 00:00:00.000000 1970');
  assert.deepEqual([5, 0.5, 1.25, 0, 100000, 1234567, 0.0001, 0.00001].map(fmtG), ['5', '0.5', '1.25', '0', '100000', '1.23457e+06', '0.0001', '1e-05']);
});

test('JSON: nothing to write without instances; FAULT and STOP state numbers', () => {
  const k = CASES['master-unicast'];
  assert.ok(k);
  const s = snapshotFor('master-unicast', k);
  assert.equal(renderJson({ ...s, instances: [] }), '');
  const inst = s.instances[0];
  assert.ok(inst);
  const state = (st: InstanceStatus['state']): unknown => (JSON.parse(renderJson({ ...s, instances: [{ ...inst, state: st }] })) as { data: { state: number } }[])[0]?.data.state;
  assert.deepEqual([state('INIT'), state('BACKUP'), state('MASTER'), state('FAULT'), state('STOP')], [0, 1, 2, 3, 98]);
});
