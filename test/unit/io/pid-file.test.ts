/**
 * One daemon per pid file (keepalived pidfile.c keepalived_running()): a live tsvrrpd behind
 * the file refuses the start; a stale file (no such process, or the pid now belongs to
 * something else) is taken over; the file is written whole and removed only while it names us.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertNotRunning, DaemonRunningError, isTsvrrpd, removePidFiles, writePidFiles } from '../../../src/io/pid-file';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-pid-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a live tsvrrpd behind the pid file: DaemonRunningError (DAEMON_RUNNING), nothing written', async (t) => {
  const dir = tmp(t);
  // A process whose command line is a tsvrrpd's (the compiled CLI path), idle.
  const fake = path.join(dir, 'dist', 'src', 'cli.js');
  fs.mkdirSync(path.dirname(fake), { recursive: true });
  fs.writeFileSync(fake, 'setInterval(() => undefined, 1000);\n');
  const other = spawn(process.execPath, [fake], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  await new Promise((r) => other.once('spawn', r));
  const file = path.join(dir, 'tsvrrpd.pid');
  fs.writeFileSync(file, `${other.pid}\n`);
  assert.equal(isTsvrrpd(other.pid as number), true);
  assert.throws(() => assertNotRunning([file]), (e: unknown) => e instanceof DaemonRunningError && e.code === 'DAEMON_RUNNING' && e.pid === other.pid);
  assert.equal(fs.readFileSync(file, 'utf8'), `${other.pid}\n`);
});

test('a stale pid file is taken over: no such process, a process that is not tsvrrpd, garbage, our own pid', (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'tsvrrpd.pid');
  for (const content of ['999999999\n', `${process.ppid}\n`, 'not a pid\n', `${process.pid}\n`, '']) {
    fs.writeFileSync(file, content);
    assert.doesNotThrow(() => assertNotRunning([file]), content);
  }
  assert.doesNotThrow(() => assertNotRunning([path.join(dir, 'missing.pid')]));
  writePidFiles([file]);
  assert.equal(fs.readFileSync(file, 'utf8'), `${process.pid}\n`);
  assert.deepEqual(fs.readdirSync(dir), ['tsvrrpd.pid'], 'no temporary file left behind');
});

test('removePidFiles removes only a file that still names us', (t) => {
  const dir = tmp(t);
  const mine = path.join(dir, 'a.pid');
  const theirs = path.join(dir, 'b.pid');
  writePidFiles([mine]);
  fs.writeFileSync(theirs, '12345\n');
  removePidFiles([mine, theirs, path.join(dir, 'none.pid')]);
  assert.equal(fs.existsSync(mine), false);
  assert.equal(fs.readFileSync(theirs, 'utf8'), '12345\n');
});
