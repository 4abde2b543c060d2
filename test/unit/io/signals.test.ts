/**
 * io/signals.ts in a child process: keepalived 2.2.7's signal numbers (--signum), every signal
 * keepalived ignores does nothing (the process lives on, nothing listens), the handled ones
 * reach their action (JSON and STATS_CLEAR through the native addon), TERM stops, and SIGUSR1
 * never opens Node's inspector. No root or network needed: nothing is opened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { KEEPALIVED_SIGNALS, ignoredNamedSignals, ignoredRealtimeSignals, signum } from '../../../src/io/signals';

const SIGNALS_JS = path.join(__dirname, '..', '..', '..', 'src', 'io', 'signals.js');
const CLI_JS = path.join(__dirname, '..', '..', '..', 'src', 'cli.js');

test('--signum prints keepalived 2.2.7\'s numbers (STOP 15, RELOAD 1, DATA 10, STATS 12, STATS_CLEAR 63, JSON 36); unknown names fail as keepalived', () => {
  const want: Record<string, number> = { STOP: 15, RELOAD: 1, DATA: 10, STATS: 12, STATS_CLEAR: 63, JSON: 36 };
  for (const [name, n] of Object.entries(want)) {
    assert.equal(signum(name), n);
    const r = spawnSync(process.execPath, [CLI_JS, `--signum=${name}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${n}\n`);
  }
  for (const name of ['TDATA', 'FOO', 'stop']) {
    const r = spawnSync(process.execPath, [CLI_JS, '--signum', name], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `Unknown sigfunc ${name}\n`);
    assert.equal(r.stdout, '');
  }
});

test('keepalived lib/signals.c: everything but ILL/FPE/SEGV/BUS/KILL/STOP is ignored or handled; SIGCHLD stays Node\'s', () => {
  const named = new Set(ignoredNamedSignals());
  for (const s of ['SIGQUIT', 'SIGABRT', 'SIGALRM', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGXCPU', 'SIGVTALRM', 'SIGPROF', 'SIGSYS', 'SIGPWR', 'SIGTRAP']) assert.ok(named.has(s), s);
  for (const s of ['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGKILL', 'SIGSTOP', 'SIGCHLD', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']) assert.ok(!named.has(s), s);
  // Under a profiler, SIGPROF is V8's.
  assert.ok(named.has('SIGPROF'));
  assert.ok(!ignoredNamedSignals(['--cpu-prof']).includes('SIGPROF'));
  assert.ok(!ignoredNamedSignals(['--prof']).includes('SIGPROF'));
  assert.ok(ignoredNamedSignals(['--profile-something-else']).includes('SIGPROF'));
  const rt = ignoredRealtimeSignals();
  assert.equal(rt.length, 31 - 2);
  assert.ok(!rt.includes(KEEPALIVED_SIGNALS.JSON) && !rt.includes(KEEPALIVED_SIGNALS.STATS_CLEAR));
});

/** A child that installs the daemon's signals and prints each action it gets. */
const CHILD = `
const s = require(${JSON.stringify(SIGNALS_JS)});
const say = (w) => process.stdout.write(w + '\\n');
s.installSignals({ stop: (x) => { say('stop ' + x); process.exit(0); }, reload: () => say('reload'), data: () => say('data'),
  stats: () => say('stats'), statsClear: () => say('statsClear'), json: () => say('json') }, (w, e) => say('error ' + w));
say('ready');
setInterval(() => undefined, 1000);
`;

test('every ignored signal leaves the process running; handled ones reach their action; SIGUSR1 opens no inspector; TERM stops', async (t) => {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const until = async (what: string, cond: () => boolean): Promise<void> => {
    const start = Date.now();
    while (!cond()) {
      if (Date.now() - start > 5000) throw new Error(`timed out waiting for ${what}; output: ${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await until('ready', () => out.includes('ready\n'));
  const pid = child.pid as number;
  const send = async (sig: number | NodeJS.Signals, expect: string | null): Promise<void> => {
    const before = out;
    process.kill(pid, sig);
    if (expect !== null) await until(`${String(sig)} -> ${expect}`, () => out.slice(before.length).includes(`${expect}\n`));
    else await new Promise((r) => setTimeout(r, 30));
    assert.equal(child.exitCode, null, `signal ${String(sig)} ended the process`);
  };
  const ignored = [...ignoredNamedSignals().filter((n) => n !== 'SIGIOT' && n !== 'SIGPOLL'), ...ignoredRealtimeSignals()];
  for (const sig of ignored) await send(sig as number | NodeJS.Signals, null);
  await send('SIGHUP', 'reload');
  await send('SIGUSR1', 'data');
  await send('SIGUSR2', 'stats');
  await send(KEEPALIVED_SIGNALS.JSON, 'json');
  await send(KEEPALIVED_SIGNALS.STATS_CLEAR, 'statsClear');
  // Node's inspector would listen on 127.0.0.1:9229 after SIGUSR1; the process has no TCP socket.
  const tcp = spawnSync('sh', ['-c', `ls -l /proc/${pid}/fd | grep -c socket || true`], { encoding: 'utf8' });
  const inodes = spawnSync('sh', ['-c', `for f in /proc/${pid}/fd/*; do readlink $f; done | sed -n 's/socket:\\[\\([0-9]*\\)\\]/\\1/p'`], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  const listening = spawnSync('sh', ['-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null'], { encoding: 'utf8' }).stdout
    .split('\n').filter((l) => / 0A /.test(l)).map((l) => l.trim().split(/\s+/)[9]);
  assert.deepEqual(inodes.filter((i) => listening.includes(i)), [], `a listening socket after SIGUSR1 (${tcp.stdout.trim()} sockets)`);
  assert.equal(out.includes('error'), false, out);
  process.kill(pid, 'SIGTERM');
  await until('stop', () => out.includes('stop SIGTERM\n'));
});
