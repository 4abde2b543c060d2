/**
 * One vrrp_script run periodically with real processes (src/io/check-script.ts),
 * keepalived vrrp_script_thread() and vrrp_script_child_thread(): rise/fall reports and their
 * log lines, the timeout escalation (SIGTERM to the group, SIGKILL 2 s later), the skip line
 * while a run is still active, and stop() leaving no process behind. Timing bounds are loose
 * on purpose; every process a test relies on is first seen alive.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { VrrpScript } from '../../src/config/model';
import type { Logger } from '../../src/io/logger';
import { CheckScriptRunner } from '../../src/io/check-script';
import type { ScriptIdentity } from '../../src/io/script-exec';
import { waitFor } from '../support/netns';
import { alive, pgrpOf, shScript, tempDir } from '../support/scripts';

/** Each test finishes in a few seconds; a hang fails instead of blocking the run. */
const OPTS = { timeout: 20_000 };

const ME: ScriptIdentity = { user: 'me', uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 };

interface Harness {
  readonly runner: CheckScriptRunner;
  readonly logs: string[];
  /** [ok, ms since start()] per report. */
  readonly reports: [boolean, number][];
  readonly startedAt: number;
}

function vrrpScript(file: string, opts: Partial<Omit<VrrpScript, 'script'>> = {}): VrrpScript {
  return {
    name: 'chk',
    at: { file: 'keepalived.conf', line: 1, col: 1 },
    script: { args: [file], text: file, user: null, group: null, at: { file: 'keepalived.conf', line: 2, col: 3 } },
    intervalSec: 1,
    timeoutSec: 1,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    initFail: false,
    ...opts,
  };
}

function harness(t: TestContext, script: VrrpScript): Harness {
  const logs: string[] = [];
  const reports: [boolean, number][] = [];
  const capture = (level: string) => (m: string): void => void logs.push(`${level} ${m}`);
  const log: Logger = { info: capture('info'), warn: capture('warn'), error: capture('error'), debug: capture('debug') };
  const startedAt = performance.now();
  const runner = new CheckScriptRunner(script, ME, log, (ok) => reports.push([ok, performance.now() - startedAt]));
  // Bounded, so that a broken stop() fails the test rather than blocking the whole run.
  t.after(async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([runner.stop(), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  });
  runner.start();
  return { runner, logs, reports, startedAt };
}

/** The process group of `pid`, -1 once it is gone. */
function pgrpOrGone(pid: number): number {
  try {
    return pgrpOf(pid);
  } catch {
    return -1;
  }
}

/**
 * The pids a script wrote to `file` ("$$ $!"), once it has written them. Whatever the runner
 * leaves of them is killed after the test, so that a failure cannot hang the run.
 */
async function pidsFrom(t: TestContext, file: string): Promise<number[]> {
  await waitFor(`pids in ${file}`, () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('\n'), 10_000);
  const pids = fs.readFileSync(file, 'utf8').trim().split(' ').map(Number);
  assert.equal(pids.length, 2);
  t.after(() => {
    // The script leads its process group; signal it only while one of its members is still
    // there (a recycled pid would be in another group).
    const leader = pids[0] ?? 0;
    if (leader > 1 && pids.some((p) => alive(p) && pgrpOrGone(p) === leader)) {
      try {
        process.kill(-leader, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  for (const p of pids) assert.ok(alive(p), `pid ${p} runs`);
  return pids;
}

/** A script exiting with the statuses listed in `seq`, one per run, and counting its runs. */
function sequenceScript(dir: string, seq: number[]): { file: string; runs: () => number } {
  const count = path.join(dir, 'count');
  const list = path.join(dir, 'seq');
  fs.writeFileSync(count, '0');
  fs.writeFileSync(list, seq.map(String).join('\n') + '\n');
  const file = shScript(dir, 'seq.sh', `n=$(cat '${count}')\nn=$((n + 1))\necho $n > '${count}'\ncode=$(sed -n "\${n}p" '${list}')\nexit \${code:-0}\n`);
  return { file, runs: () => Number(fs.readFileSync(count, 'utf8')) };
}

test('keepalived vrrp_script_child_thread(): rise 2 / fall 2 reports and log lines follow the run outcomes', OPTS, async (t) => {
  const dir = tempDir(t, 'tsv-chk-');
  const { file, runs } = sequenceScript(dir, [0, 1, 1, 1, 0, 0, 0]);
  const h = harness(t, vrrpScript(file, { intervalSec: 0.2, timeoutSec: 5, rise: 2, fall: 2 }));
  assert.equal(h.runner.status, null, 'no result before the first run');
  await waitFor('8 runs', () => runs() >= 8, 15_000);
  await h.runner.stop();
  // init: 0 -> OK; 1 counts down; 1 -> FAILED; 1; 0 counts up; 0 -> OK; 0; 0.
  assert.deepEqual(h.reports.map(([ok]) => ok), [true, false, true]);
  assert.equal(h.runner.status, true);
  const lines = h.logs.filter((l) => !l.includes('skipping run'));
  assert.deepEqual(lines, [
    'info VRRP_Script(chk) succeeded',
    'info Script `chk` now returning 1',
    'info VRRP_Script(chk) failed (exited with status 1)',
    'info Script `chk` now returning 0',
    'info VRRP_Script(chk) succeeded',
  ]);
});

test('keepalived 2.2.7: init_fail is overridden for a tracked script (alloc_track_script()), one success reports OK', OPTS, async (t) => {
  const dir = tempDir(t, 'tsv-chk-');
  const { file, runs } = sequenceScript(dir, [0, 0]);
  const h = harness(t, vrrpScript(file, { intervalSec: 0.2, initFail: true }));
  assert.equal(h.runner.status, null);
  await waitFor('2 runs', () => runs() >= 2, 15_000);
  await h.runner.stop();
  assert.deepEqual(h.reports.map(([ok]) => ok), [true]);
  assert.ok(h.logs.includes('info VRRP_Script(chk) succeeded'));
});

test('keepalived vrrp_script_child_thread(): death by a signal is a failure "due to signal N"', OPTS, async (t) => {
  const dir = tempDir(t, 'tsv-chk-');
  const file = shScript(dir, 'usr1.sh', 'kill -USR1 $$\nsleep 5\n');
  const h = harness(t, vrrpScript(file, { intervalSec: 10, timeoutSec: 10 }));
  await waitFor('the report', () => h.reports.length > 0, 10_000);
  assert.deepEqual(h.reports.map(([ok]) => ok), [false]);
  assert.deepEqual(h.logs, [`info VRRP_Script(chk) failed (due to signal ${os.constants.signals.SIGUSR1})`]);
});

test('keepalived timeout: a hung script gets SIGTERM, then its group SIGKILL; the run is a timed_out failure', OPTS, async (t) => {
  const dir = tempDir(t, 'tsv-chk-');
  const pidFile = path.join(dir, 'pids');
  // The background child ignores SIGTERM: only the SIGKILL that follows the script's death by
  // our SIGTERM (keepalived vrrp_script_child_thread()) takes it down.
  const file = shScript(dir, 'hang.sh', `(trap "" TERM; sleep 1000) &\necho "$$ $!" > '${pidFile}'\nsleep 100\n`);
  const h = harness(t, vrrpScript(file, { intervalSec: 10, timeoutSec: 1 }));
  const pids = await pidsFrom(t, pidFile);
  await waitFor('the timeout report', () => h.reports.length > 0, 10_000);
  const [ok, atMs] = h.reports[0] ?? [true, 0];
  assert.equal(ok, false);
  assert.ok(atMs >= 900 && atMs < 6000, `reported after ${atMs} ms`);
  assert.deepEqual(h.logs, ['info VRRP_Script(chk) timed_out']);
  assert.equal(h.runner.status, false);
  await waitFor('script and child gone', () => pids.every((p) => !alive(p)), 5000);
});

test('keepalived timeout: a script ignoring SIGTERM is SIGKILLed 2 s later, runs meanwhile are skipped', OPTS, async (t) => {
  const dir = tempDir(t, 'tsv-chk-');
  const pidFile = path.join(dir, 'pids');
  const file = shScript(dir, 'stubborn.sh', `trap "" TERM\nsleep 1000 &\necho "$$ $!" > '${pidFile}'\nsleep 1000\n`);
  const h = harness(t, vrrpScript(file, { intervalSec: 1, timeoutSec: 1 }));
  const pids = await pidsFrom(t, pidFile);
  await waitFor('the timeout report', () => h.reports.length > 0, 15_000);
  const [ok, atMs] = h.reports[0] ?? [true, 0];
  assert.equal(ok, false);
  // SIGTERM at ~1 s is ignored; SIGKILL at ~3 s.
  assert.ok(atMs >= 2700 && atMs < 5500, `reported after ${atMs} ms`);
  assert.ok(h.logs.includes('info VRRP_Script(chk) timed_out'), h.logs.join('\n'));
  assert.ok(h.logs.includes('info Track script chk is being timed out, expect idle - skipping run'), h.logs.join('\n'));
  await waitFor('script and child gone', () => pids.every((p) => !alive(p)), 5000);
});

test('keepalived vrrp_script_thread(): a run still going when the next is due is skipped', OPTS, async (t) => {
  const dir = tempDir(t, 'tsv-chk-');
  const { file: seqFile, runs } = sequenceScript(dir, []);
  const file = shScript(dir, 'slow.sh', `'${seqFile}'\nsleep 2.5\n`);
  const h = harness(t, vrrpScript(file, { intervalSec: 1, timeoutSec: 10 }));
  await waitFor('the first success', () => h.reports.length > 0, 10_000);
  await h.runner.stop();
  const skips = h.logs.filter((l) => l === 'info Track script chk is already running, expect idle - skipping run');
  assert.ok(skips.length >= 1, h.logs.join('\n'));
  assert.equal(runs(), 1, 'no second run started while the first was active');
  assert.deepEqual(h.reports.map(([ok]) => ok), [true]);
});

test('stop(): SIGTERM then SIGKILL to a running script\'s group, resolves once reaped, nothing left', OPTS, async (t) => {
  const dir = tempDir(t, 'tsv-chk-');
  const pidFile = path.join(dir, 'pids');
  const file = shScript(dir, 'stubborn.sh', `trap "" TERM\nsleep 1000 &\necho "$$ $!" > '${pidFile}'\nsleep 1000\n`);
  const h = harness(t, vrrpScript(file, { intervalSec: 30, timeoutSec: 30 }));
  const pids = await pidsFrom(t, pidFile);
  const t0 = performance.now();
  await h.runner.stop();
  const tookMs = performance.now() - t0;
  assert.ok(tookMs >= 800 && tookMs < 5000, `stop took ${tookMs} ms`);
  assert.equal(pids[0] !== undefined && alive(pids[0]), false, 'the script was reaped before stop() resolved');
  await waitFor('the child gone', () => pids.every((p) => !alive(p)), 5000);
  assert.deepEqual(h.reports, [], 'nothing is reported after stop()');
  assert.deepEqual(h.logs, []);
});
