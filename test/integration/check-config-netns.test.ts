/**
 * `tsvrrpd --check-config` on the real kernel: in a network namespace holding the interfaces
 * the corpus names (eth0..eth3, as test/config-corpus/host.json), run the real keepalived 2.2.7
 * and the real tsvrrpd CLI on the same files and compare their verdicts live. This proves the
 * adapters (files, /sys/class/net interfaces, passwd, script files), not just the pure parser.
 * Needs root (namespaces); the namespace is deleted even when a test fails.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tsvrrpdNode } from '../support/tsvrrpd-command';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CASES = path.join(ROOT, 'test', 'config-corpus', 'cases');
const NS = `tsv-cc-${process.pid}`;
const isRoot = process.getuid?.() === 0;
const haveKeepalived = spawnSync('sh', ['-c', 'command -v keepalived'], { encoding: 'utf8' }).status === 0;
const skip = !isRoot ? 'needs root for network namespaces' : !haveKeepalived ? 'keepalived is not installed (scripts/setup.sh installs it)' : false;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

function inNs(args: string[]): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

before(() => {
  if (skip) return;
  spawnSync('ip', ['netns', 'del', NS]);
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
  sh('ip', ['-n', NS, 'link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'eth3']);
  for (const i of ['lo', 'eth0', 'eth1', 'eth2', 'eth3']) sh('ip', ['-n', NS, 'link', 'set', i, 'up']);
  sh('ip', ['-n', NS, 'addr', 'add', '10.0.0.1/24', 'dev', 'eth0']);
  sh('ip', ['-n', NS, 'addr', 'add', '10.0.1.1/24', 'dev', 'eth1']);
});

after(() => {
  if (!skip) spawnSync('ip', ['netns', 'del', NS]);
});

function keepalivedExit(file: string, configId = 'lb1'): number | null {
  // As recorded: clean environment, run from the config's directory.
  const r = spawnSync('ip', ['netns', 'exec', NS, 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C', 'keepalived', '-t', '-f', file, '-i', configId], {
    cwd: path.dirname(file),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return r.status;
}

function tsvrrpd(file: string, extra: string[] = [], configId = 'lb1'): { status: number | null; stderr: string; stdout: string } {
  return inNs([...tsvrrpdNode(), '-t', '-f', file, '-i', configId, ...extra]);
}

/** Shipped examples and a spread of verdicts (0, 2, 5, 6) including host-dependent ones. */
const LIVE_CASES = [
  '050-conf-s1-master.conf',
  '001-sample-vrrp.conf',
  '030-s1-guide-host-a.conf',
  '032-s2-lvs-dr-director.conf',
  '036-s5-guide-unicast-a.conf',
  '100-inst-minimal.conf',
  '106-inst-interface-nonexistent.conf',
  '107-inst-interface-lo.conf',
  '104-inst-state-missing-arg.conf',
  '115-inst-vrid-duplicate-same-interface.conf',
  '300-sec-script-no-security.conf',
  '301-sec-script-with-security.conf',
  '311-sec-script-not-executable.conf',
];

for (const name of LIVE_CASES) {
  test(`check-config on the real kernel matches keepalived -t: ${name}`, { skip }, () => {
    const file = path.join(CASES, name);
    const ka = keepalivedExit(file);
    const ours = tsvrrpd(file);
    assert.equal(ours.status, ka, `tsvrrpd exit ${ours.status}, keepalived ${ka}\n${ours.stderr}`);
    assert.doesNotMatch(ours.stderr, /^\s+at /m, 'no stack trace');
  });
}

test('check-config on the real kernel: every conf/ example passes under both', { skip }, () => {
  const confDir = path.join(ROOT, 'conf');
  const files = fs.readdirSync(confDir).filter((f) => f.endsWith('.conf'));
  assert.ok(files.length >= 7, 'conf/ has the seed-scenario examples');
  for (const f of files) {
    const file = path.join(confDir, f);
    assert.equal(keepalivedExit(file), 0, `keepalived -t ${f}`);
    const ours = tsvrrpd(file);
    assert.equal(ours.status, 0, `tsvrrpd -t ${f}\n${ours.stderr}`);
  }
});

test('check-config on the real kernel: an interface the namespace lacks is reported on its line', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-cc-'));
  try {
    const file = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(file, 'vrrp_instance VI_1 {\n  interface eth7\n  virtual_router_id 51\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n');
    const ours = tsvrrpd(file);
    assert.equal(ours.status, keepalivedExit(file));
    assert.match(ours.stderr, /keepalived\.conf: Line 2, Col \d+\) WARNING - interface eth7 for vrrp_instance VI_1 doesn't exist/);
    // The same file passes where the interface exists (the host's own namespace lacks eth7 too,
    // so prove the positive with eth0 inside the namespace).
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('eth7', 'eth0'));
    assert.equal(tsvrrpd(file).status, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('dump-conf on the real kernel prints the effective config as JSON', { skip }, () => {
  const file = path.join(ROOT, 'conf', 'keepalived.conf');
  const r = inNs([...tsvrrpdNode(), '-d', '-f', file]);
  assert.equal(r.status, 0, r.stderr);
  const config = JSON.parse(r.stdout) as { instances: { name: string; advertIntUs: number; garp: { masterRepeat: number } }[] };
  assert.ok(config.instances.length >= 1);
  assert.equal(config.instances[0]?.advertIntUs, 1_000_000);
  assert.equal(config.instances[0]?.garp.masterRepeat, 5);
});
