/**
 * The notify FIFOs on a real kernel pipe (reference B17; keepalived lib/notify.c fifo_open(),
 * vrrp_notify.c notify_fifo()): created with mkfifo (0644 before the umask) and chowned to
 * the FIFO user, exact `TYPE "NAME" STATE PRIO` lines in order to a real reader, both FIFOs
 * written, and a pipe nobody reads never blocks the event loop and is logged once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotifyFifos, fifoLine, fifoOwner, FIFO_MODE } from '../../src/io/notify-fifo';
import { isNativeSystemError, loadNative } from '../../src/io/native';
import type { GlobalDefs } from '../../src/config/model';
import { checkText } from '../support/config-harness';
import { recordingLog } from '../support/recording-log';
import { tempDir } from '../support/scripts';

function globals(lines: string): GlobalDefs {
  const r = checkText(
    `global_defs {\n${lines}\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n`,
    { users: ['root', 'nobody'], groups: ['root', 'nogroup'] },
  );
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config.global;
}

/** `cat FIFO` until `bytes` bytes arrived (or it exits). */
function catReader(fifo: string): { text: () => string; until: (bytes: number) => Promise<string>; done: Promise<number | null> } {
  const child = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = async (bytes: number): Promise<string> => {
    const deadline = Date.now() + 5000;
    while (Buffer.byteLength(out) < bytes) {
      if (Date.now() > deadline) {
        child.kill();
        throw new Error(`reader got only ${JSON.stringify(out)}`);
      }
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return out;
  };
  return { text: () => out, until, done };
}

test('keepalived notify_fifo(): the line format', () => {
  assert.equal(fifoLine('INSTANCE', 'VI_1', 'MASTER', 100), 'INSTANCE "VI_1" MASTER 100\n');
  assert.equal(fifoLine('GROUP', 'G1', 'BACKUP', 0), 'GROUP "G1" BACKUP 0\n');
  assert.equal(fifoLine('INSTANCE', 'VI_1', 'MASTER_RX_LOWER_PRI', 254), 'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 254\n');
});

test('native mkfifo: creates a FIFO, EEXIST as an errno code', (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const p = path.join(dir, 'f');
  loadNative().mkfifo(p, 0o600);
  assert.ok(fs.lstatSync(p).isFIFO());
  assert.equal(fs.lstatSync(p).mode & 0o777, 0o600 & ~process.umask());
  assert.throws(() => loadNative().mkfifo(p, 0o600), (e: unknown) => isNativeSystemError(e) && e.code === 'EEXIST' && e.errno === 17 && e.syscall === 'mkfifo');
  assert.throws(() => loadNative().mkfifo(path.join(dir, 'no', 'f'), 0o600), (e: unknown) => isNativeSystemError(e) && e.code === 'ENOENT');
});

test('keepalived fifo_open(): created when missing (0644), a reader gets the exact lines in order, unlinked on close', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const p = path.join(dir, 'notify');
  const log = recordingLog();
  const fifos = NotifyFifos.open(globals(`notify_fifo ${p}`), log);
  t.after(() => fifos.close());
  assert.deepEqual(fifos.paths, [p]);
  const st = fs.lstatSync(p);
  assert.ok(st.isFIFO());
  assert.equal(st.mode & 0o777, FIFO_MODE & ~process.umask());
  assert.equal(FIFO_MODE, 0o644);

  fifos.write('INSTANCE', 'VI_1', 'BACKUP', 100); // before anyone reads: held in the pipe
  const reader = catReader(p);
  fifos.write('INSTANCE', 'VI_1', 'MASTER', 100);
  fifos.write('GROUP', 'G1', 'MASTER', 0);
  fifos.write('INSTANCE', 'VI_1', 'MASTER_PRIORITY', 90);
  fifos.write('INSTANCE', 'VI_1', 'STOP', 90);
  const expected = 'INSTANCE "VI_1" BACKUP 100\nINSTANCE "VI_1" MASTER 100\nGROUP "G1" MASTER 0\nINSTANCE "VI_1" MASTER_PRIORITY 90\nINSTANCE "VI_1" STOP 90\n';
  assert.equal(await reader.until(expected.length), expected);

  fifos.close();
  assert.equal(await reader.done, 0, 'the last writer closed: the reader sees EOF');
  assert.equal(fs.existsSync(p), false, 'a FIFO we created is unlinked on close');
  fifos.write('INSTANCE', 'VI_1', 'MASTER', 100); // after close: a no-op, no throw
  assert.deepEqual(log.lines, []);
});

test('a FIFO that already exists is used as is and kept on close', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const p = path.join(dir, 'existing');
  loadNative().mkfifo(p, 0o600);
  const fifos = NotifyFifos.open(globals(`vrrp_notify_fifo ${p}`), recordingLog());
  const reader = catReader(p);
  fifos.write('INSTANCE', 'VI_1', 'FAULT', 0);
  const line = 'INSTANCE "VI_1" FAULT 0\n';
  assert.equal(await reader.until(line.length), line);
  fifos.close();
  await reader.done;
  assert.ok(fs.lstatSync(p).isFIFO(), 'not ours to remove');
  assert.equal(fs.lstatSync(p).mode & 0o777, 0o600, 'mode untouched');
});

test('notify_fifo and vrrp_notify_fifo both get every line; the same path is opened once', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const a = path.join(dir, 'global');
  const b = path.join(dir, 'vrrp');
  const fifos = NotifyFifos.open(globals(`notify_fifo ${a}\nvrrp_notify_fifo ${b}`), recordingLog());
  t.after(() => fifos.close());
  assert.deepEqual(fifos.paths, [a, b]);
  const ra = catReader(a);
  const rb = catReader(b);
  fifos.write('INSTANCE', 'VI_1', 'MASTER', 100);
  fifos.write('GROUP', 'G1', 'DELETED', 0);
  const expected = 'INSTANCE "VI_1" MASTER 100\nGROUP "G1" DELETED 0\n';
  assert.equal(await ra.until(expected.length), expected);
  assert.equal(await rb.until(expected.length), expected);
  fifos.close();
  await Promise.all([ra.done, rb.done]);

  const log = recordingLog();
  const same = NotifyFifos.open(globals(`notify_fifo ${a}\nvrrp_notify_fifo ${a}`), log);
  t.after(() => same.close());
  assert.deepEqual(same.paths, [a]);
  assert.match(log.lines[0]?.message ?? '', /has been specified for global and vrrp FIFO - ignoring vrrp FIFO/);
  const r = catReader(a);
  same.write('INSTANCE', 'VI_1', 'BACKUP', 100);
  same.write('INSTANCE', 'VI_1', 'MASTER', 100);
  const once = 'INSTANCE "VI_1" BACKUP 100\nINSTANCE "VI_1" MASTER 100\n';
  assert.equal(await r.until(once.length), once);
  same.close();
  await r.done;
  assert.equal(r.text(), once, 'each line once');
});

test('nobody reading: the pipe fills, writes never block the event loop, the drop is logged once', async (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const p = path.join(dir, 'full');
  const log = recordingLog();
  const fifos = NotifyFifos.open(globals(`notify_fifo ${p}`), log);
  t.after(() => fifos.close());

  let ticks = 0;
  const iv = setInterval(() => ticks++, 1);
  t.after(() => clearInterval(iv));
  const line = fifoLine('INSTANCE', 'VI_1', 'MASTER_PRIORITY', 100);
  const total = Math.ceil((256 * 1024) / line.length); // well past the 64 KiB default pipe size
  let maxMs = 0;
  for (let i = 0; i < total; i++) {
    const t0 = process.hrtime.bigint();
    fifos.write('INSTANCE', 'VI_1', 'MASTER_PRIORITY', 100);
    maxMs = Math.max(maxMs, Number(process.hrtime.bigint() - t0) / 1e6);
    if (i % 500 === 0) await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(maxMs < 50, `slowest write took ${maxMs} ms`);
  assert.ok(ticks > 10, `the interval kept ticking (${ticks})`);
  const warnings = log.lines.filter((l) => l.level === 'warn');
  assert.equal(warnings.length, 1, JSON.stringify(log.lines.slice(0, 5)));
  assert.match(warnings[0]?.message ?? '', /notify_fifo .*full.* dropping event lines/);

  // A reader drains the pipe: the next write goes through and that is logged once.
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const buf = Buffer.alloc(65536);
  let drained = 0;
  for (;;) {
    try {
      const n = fs.readSync(fd, buf);
      if (n === 0) break;
      drained += n;
    } catch {
      break; // EAGAIN: empty
    }
  }
  // 16 pages of whole lines (a write of at most PIPE_BUF bytes is never split across pages).
  assert.ok(drained >= 60 * 1024 && drained <= 64 * 1024, `drained ${drained} bytes`);
  fifos.write('INSTANCE', 'VI_1', 'MASTER', 100);
  assert.equal(fs.readSync(fd, buf), 27);
  assert.equal(buf.subarray(0, 27).toString(), 'INSTANCE "VI_1" MASTER 100\n');
  fs.closeSync(fd);
  const infos = log.lines.filter((l) => l.level === 'info');
  assert.equal(infos.length, 1);
  assert.match(infos[0]?.message ?? '', /writing again, \d+ event line\(s\) were dropped/);
});

test('a regular file at the FIFO path: error logged, FIFO disabled, file untouched, no crash', (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const p = path.join(dir, 'plain');
  fs.writeFileSync(p, 'keep me\n');
  const log = recordingLog();
  const fifos = NotifyFifos.open(globals(`notify_fifo ${p}`), log);
  t.after(() => fifos.close());
  assert.deepEqual(fifos.paths, []);
  assert.equal(log.lines.length, 1);
  assert.equal(log.lines[0]?.level, 'error');
  assert.match(log.lines[0]?.message ?? '', /notify_fifo .*plain exists and is not a FIFO - FIFO disabled/);
  fifos.write('INSTANCE', 'VI_1', 'MASTER', 100);
  fifos.close();
  assert.equal(fs.readFileSync(p, 'utf8'), 'keep me\n');
});

test('a missing directory: creating fails, logged, no crash', (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const log = recordingLog();
  const fifos = NotifyFifos.open(globals(`notify_fifo ${path.join(dir, 'nodir', 'f')}`), log);
  assert.deepEqual(fifos.paths, []);
  assert.match(log.lines[0]?.message ?? '', /Unable to create notify_fifo .*: ENOENT - FIFO disabled/);
  fifos.close();
});

test('keepalived fifo_open(): a created FIFO is chowned to its user (group: the user\'s primary one)', { skip: process.getuid?.() !== 0 ? 'needs root to chown' : false }, (t) => {
  const dir = tempDir(t, 'tsvrrpd-fifo-');
  const p = path.join(dir, 'owned');
  const log = recordingLog();
  const fifos = NotifyFifos.open(globals(`notify_fifo ${p} nobody`), log);
  t.after(() => fifos.close());
  const nobody = fifoOwner({ path: p, user: 'nobody', group: null }, { scriptUser: null }, { user: () => ({ uid: 65534, gid: 65534 }), group: () => null });
  assert.deepEqual(nobody, { uid: 65534, gid: 65534 });
  const st = fs.lstatSync(p);
  assert.equal(st.uid, 65534, JSON.stringify(log.lines));
  assert.equal(st.gid, 65534);
  assert.deepEqual(log.lines, []);
});

test('keepalived get_default_script_user(): FIFO owner is the fifo user, else script_user, else keepalived_script, else us', () => {
  const accounts = {
    user: (n: string) => ({ alice: { uid: 1000, gid: 1000 }, keepalived_script: { uid: 990, gid: 985 } })[n] ?? null,
    group: (n: string) => ({ ops: 2000 })[n] ?? null,
  };
  assert.deepEqual(fifoOwner({ path: '/f', user: 'alice', group: null }, { scriptUser: null }, accounts), { uid: 1000, gid: 1000 });
  assert.deepEqual(fifoOwner({ path: '/f', user: 'alice', group: 'ops' }, { scriptUser: null }, accounts), { uid: 1000, gid: 2000 });
  assert.deepEqual(fifoOwner({ path: '/f', user: null, group: null }, { scriptUser: { user: 'alice', group: 'ops' } }, accounts), { uid: 1000, gid: 2000 });
  assert.deepEqual(fifoOwner({ path: '/f', user: null, group: null }, { scriptUser: null }, accounts), { uid: 990, gid: 985 });
  assert.equal(fifoOwner({ path: '/f', user: null, group: null }, { scriptUser: null }, { user: () => null, group: () => null }), null);
});
