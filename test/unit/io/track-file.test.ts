/**
 * track_file (src/io/track-file.ts): keepalived trackers/track_file.c process_track_file()
 * reads the file with strtol(buf, NULL, 0), ignores a value outside [INT32_MIN, INT32_MAX + 1],
 * reads a missing or empty file as 0 and is woken by inotify (IN_CLOSE_WRITE | IN_DELETE |
 * IN_MOVE on the directory); track_file_end_handler() writes `init_file` as "%d\n" when the file
 * is missing, or always with `overwrite`. The watcher tests use a real temporary directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parseTrackFileValue, TrackFileWatcher } from '../../../src/io/track-file';
import type { TrackFile } from '../../../src/config/model';
import type { Logger } from '../../../src/io/logger';
import { tempDir } from '../../support/scripts';

// ---- parseTrackFileValue: strtol(buf, NULL, 0) ----

const strtolTable: [string, number | null][] = [
  ['5\n', 5],
  ['42', 42],
  ['  \t 42', 42],
  ['\n\v\f\r 7\n', 7],
  ['-12\n', -12],
  ['+12', 12],
  ['0x1F', 31],
  ['0X1f\n', 31],
  ['-0x10', -16],
  ['+0x10', 16],
  ['010', 8],
  ['-010', -8],
  ['0', 0],
  ['08', 0],
  ['0778', 63],
  ['12abc', 12],
  ['5 6', 5],
  ['3.9', 3],
  ['0x', 0],
  ['0xg', 0],
  ['', 0],
  ['abc', 0],
  ['-', 0],
  ['- 5', 0],
  ['+-5', 0],
  ['x5', 0],
  ['2147483647', 2147483647],
  // keepalived accepts up to INT32_MAX + 1 (new_status > (int64_t)INT32_MAX + 1 is the test).
  ['2147483648', 2147483648],
  ['0x80000000', 2147483648],
  ['2147483649', null],
  ['0x80000001', null],
  ['-2147483648', -2147483648],
  ['-2147483649', null],
  ['0777777777777', null],
  // strtol sets ERANGE past LONG_MAX; keepalived ignores it as well.
  ['99999999999999999999999999', null],
  ['-99999999999999999999999999', null],
];

for (const [text, expected] of strtolTable) {
  test(`keepalived process_track_file(): strtol(${JSON.stringify(text)}, NULL, 0) → ${expected === null ? 'ignored' : expected}`, () => {
    assert.equal(parseTrackFileValue(text), expected);
  });
}

test('keepalived process_track_file(): "-0" reads as zero', () => {
  assert.ok(parseTrackFileValue('-0') === 0);
});

test('keepalived process_track_file(): only the first 127 bytes are read (char buf[128])', () => {
  assert.equal(parseTrackFileValue(`${' '.repeat(126)}5`), 5);
  assert.equal(parseTrackFileValue(`${' '.repeat(127)}5`), 0);
  assert.equal(parseTrackFileValue(`${'0'.repeat(126)}7`), 7);
});

// ---- TrackFileWatcher on a real file ----

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: {
      info: (m) => lines.push(`info ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
      debug: (m) => lines.push(`debug ${m}`),
    },
  };
}

function trackFile(file: string, initFile: TrackFile['initFile'] = null): TrackFile {
  return { name: 'tf1', at: { file: '/etc/keepalived/keepalived.conf', line: 1, col: 1 }, file, weight: 1, weightReverse: false, initFile };
}

/** Poll until `cond` holds, up to `ms`; fails with `what` otherwise. */
async function waitFor(cond: () => boolean, what: string, ms = 4000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function watcher(file: string, initFile: TrackFile['initFile'] = null) {
  const { log, lines } = capture();
  const changes: number[] = [];
  const w = new TrackFileWatcher(trackFile(file, initFile), log, (v) => changes.push(v));
  return { w, changes, lines };
}

test('keepalived track_file_end_handler(): init_file writes "%d\\n" when the file is missing', (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  const { w } = watcher(file, { value: 7, overwrite: false });
  t.after(() => w.stop());
  assert.equal(w.start(), 7);
  assert.equal(fs.readFileSync(file, 'utf8'), '7\n');
  assert.equal(w.value, 7);
});

test('keepalived track_file_end_handler(): init_file without a value writes 0', (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  const { w } = watcher(file, { value: 0, overwrite: false });
  t.after(() => w.stop());
  assert.equal(w.start(), 0);
  assert.equal(fs.readFileSync(file, 'utf8'), '0\n');
});

test('keepalived track_file_end_handler(): init_file does not overwrite an existing file', (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '12\n');
  const { w } = watcher(file, { value: 7, overwrite: false });
  t.after(() => w.stop());
  assert.equal(w.start(), 12);
  assert.equal(fs.readFileSync(file, 'utf8'), '12\n');
});

test('keepalived track_file_end_handler(): init_file overwrite replaces an existing file', (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '12\n');
  const { w } = watcher(file, { value: -3, overwrite: true });
  t.after(() => w.stop());
  assert.equal(w.start(), -3);
  assert.equal(fs.readFileSync(file, 'utf8'), '-3\n');
});

test('keepalived process_track_file(): without init_file a missing file reads 0 and is not created', (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  const { w } = watcher(file);
  t.after(() => w.stop());
  assert.equal(w.start(), 0);
  assert.equal(fs.existsSync(file), false);
});

test('keepalived process_track_file(): an empty file reads 0; a start-up value out of range is logged and ignored', (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const empty = path.join(dir, 'empty');
  fs.writeFileSync(empty, '');
  const a = watcher(empty);
  t.after(() => a.w.stop());
  assert.equal(a.w.start(), 0);
  const big = path.join(dir, 'big');
  fs.writeFileSync(big, '5000000000\n');
  const b = watcher(big);
  t.after(() => b.w.stop());
  assert.equal(b.w.start(), 0);
  assert.ok(b.lines.some((l) => l.startsWith('info Invalid number') && l.includes(big)), b.lines.join('\n'));
});

test('keepalived process_inotify() IN_CLOSE_WRITE: rewriting the file (echo 5 > file) reports the new value', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '1\n');
  const { w, changes } = watcher(file);
  t.after(() => w.stop());
  assert.equal(w.start(), 1);
  fs.writeFileSync(file, '5\n');
  await waitFor(() => w.value === 5, 'value 5');
  assert.deepEqual(changes, [5]);
  fs.writeFileSync(file, '0x10\n');
  await waitFor(() => w.value === 16, 'value 16');
  assert.deepEqual(changes, [5, 16]);
});

test('keepalived process_inotify() IN_MOVED_TO: a file renamed into place reports its value', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '1\n');
  const { w, changes } = watcher(file);
  t.after(() => w.stop());
  w.start();
  const tmp = path.join(dir, 'prio.tmp');
  fs.writeFileSync(tmp, '-20\n');
  fs.renameSync(tmp, file);
  await waitFor(() => w.value === -20, 'value -20');
  assert.deepEqual(changes, [-20]);
});

test('keepalived process_inotify() IN_DELETE: deleting the file reads as 0', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '9\n');
  const { w, changes } = watcher(file);
  t.after(() => w.stop());
  assert.equal(w.start(), 9);
  fs.unlinkSync(file);
  await waitFor(() => changes.length > 0, 'a change');
  assert.deepEqual(changes, [0]);
  assert.equal(w.value, 0);
  fs.writeFileSync(file, '4\n');
  await waitFor(() => w.value === 4, 'value 4 after re-creation');
  assert.deepEqual(changes, [0, 4]);
});

test('keepalived process_track_file(): a changed value out of range is logged and ignored, the old value stays', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '3\n');
  const { w, changes, lines } = watcher(file);
  t.after(() => w.stop());
  w.start();
  fs.writeFileSync(file, '-9999999999\n');
  await waitFor(() => lines.some((l) => l.startsWith('info Invalid number')), 'the log line');
  assert.equal(w.value, 3);
  assert.deepEqual(changes, []);
  // And a valid value afterwards is still seen.
  fs.writeFileSync(file, '8\n');
  await waitFor(() => w.value === 8, 'value 8');
  assert.deepEqual(changes, [8]);
});

test('TrackFileWatcher: other files in the directory are not reported; rewriting the same value reports nothing', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '2\n');
  const { w, changes } = watcher(file);
  t.after(() => w.stop());
  w.start();
  fs.writeFileSync(path.join(dir, 'other'), '77\n');
  fs.writeFileSync(file, '2\n');
  // A marker change proves the watcher was running while the two writes above happened.
  fs.writeFileSync(file, '6\n');
  await waitFor(() => w.value === 6, 'value 6');
  assert.deepEqual(changes, [6]);
});

test('TrackFileWatcher.stop(): no change is reported after stop', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-track-file-');
  const file = path.join(dir, 'prio');
  fs.writeFileSync(file, '2\n');
  const { w, changes } = watcher(file);
  w.start();
  fs.writeFileSync(file, '3\n');
  await waitFor(() => w.value === 3, 'value 3 before stop');
  w.stop();
  fs.writeFileSync(file, '4\n');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(changes, [3]);
  assert.equal(w.value, 3);
});

test(
  // keepalived reads on IN_CLOSE_WRITE only; fs.watch cannot tell a close from a modify, so
  // tsvrrpd waits until the file has been quiet for 50 ms (a writer pausing longer between
  // truncate and write may be read as 0 for a moment: documented in track-file.ts).
  'keepalived process_inotify(): a writer that truncates, writes and closes reports just its final value',
  async (t) => {
    const dir = tempDir(t, 'tsvrrpd-track-file-');
    const file = path.join(dir, 'prio');
    fs.writeFileSync(file, '3\n');
    const { w, changes } = watcher(file);
    t.after(() => w.stop());
    w.start();
    // Like `echo 5 > file` from a slow shell: open with O_TRUNC, pause, write, close.
    const child = spawn('sh', ['-c', 'exec 3>"$1"; sleep 0.01; echo 5 >&3; exec 3>&-', 'sh', file], { stdio: 'ignore' });
    await new Promise((r) => child.on('exit', r));
    await waitFor(() => w.value === 5, 'value 5');
    assert.deepEqual(changes, [5]);
  },
);
