/**
 * The `tsvrrpd` command (scripts/tsvrrpd.js): its first line runs node with the daemon's heap
 * flags (they only work on node's command line), executing it directly works (env -S), and the
 * tests and benches start cli.js with exactly those flags (test/support/tsvrrpd-command.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { launcherNodeFlags, TSVRRPD_LAUNCHER, tsvrrpdNode } from '../support/tsvrrpd-command';

test('the launcher runs node with a 2 MB semi-space cap, and tests start cli.js with the same flags', () => {
  assert.deepEqual(launcherNodeFlags(), ['--max-semi-space-size=2']);
  const cmd = tsvrrpdNode();
  assert.equal(cmd[0], process.execPath);
  assert.deepEqual(cmd.slice(1, -1), launcherNodeFlags());
  assert.match(cmd.at(-1) ?? '', /dist\/src\/cli\.js$/);
});

test('executed directly (its #! line through env -S), the launcher runs the CLI', { timeout: 60_000 }, () => {
  assert.ok((fs.statSync(TSVRRPD_LAUNCHER).mode & 0o111) !== 0, 'executable');
  const r = spawnSync(TSVRRPD_LAUNCHER, ['--version'], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.status, 0, r.stderr);
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', `file://${__filename}`), 'utf8')) as { version: string };
  assert.match(r.stdout, new RegExp(pkg.version.replace(/\./g, '\\.')));
});

/** Keeps a million young objects alive (new space grows to its cap), then prints new space's size. */
const GROW_NEW_SPACE = 'const a = []; for (let i = 0; i < 1e6; i++) a.push({ i }); const s = require("v8").getHeapSpaceStatistics().find((x) => x.space_name === "new_space"); console.log(s.space_size, a.length)';

test('the semi-space flag takes effect: a node started with the launcher flags caps new space at 2 MB a half', () => {
  const r = spawnSync(process.execPath, [...launcherNodeFlags(), '-e', GROW_NEW_SPACE], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // new_space is both semi-spaces: ≤ 4 MB with the cap; without it the same script grows it to 32 MB.
  assert.ok(Number(r.stdout.split(' ')[0]) <= 4 * 1024 * 1024, r.stdout);
  const uncapped = spawnSync(process.execPath, ['-e', GROW_NEW_SPACE], { encoding: 'utf8' });
  assert.ok(Number(uncapped.stdout.split(' ')[0]) > 4 * 1024 * 1024, `the check would see a missing flag: ${uncapped.stdout}`);
});
