/**
 * src/v8-tuning.ts: which command lines start the daemon (and so get the V8 flags that keep
 * the takeover path compiled); the flags themselves are measured by npm run bench:failover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DAEMON_V8_FLAGS, EXIT_LONG, EXIT_SHORT, VALUE_LONG, VALUE_SHORT, runsDaemon } from '../../../src/v8-tuning';

test('runsDaemon(): a plain or keepalived-style command line runs the daemon', () => {
  for (const argv of [[], ['-n', '-l', '-D'], ['-nlD'], ['-P', '-f', '/etc/keepalived/keepalived.conf'], ['--use-file=/x.conf', '-G'], ['-S', '3', '-p', '/run/t.pid', '-r', '/run/v.pid', '-i', 'lb1']]) {
    assert.equal(runsDaemon(argv), true, argv.join(' '));
  }
});

test('runsDaemon(): -t, -d, -v, -h (alone, long, or in a cluster) exit instead', () => {
  for (const argv of [['-t'], ['--check-config'], ['-f', 'k.conf', '-t'], ['-nt'], ['-d'], ['--dump-conf'], ['-v'], ['--version'], ['-h'], ['--help'], ['-lDh']]) {
    assert.equal(runsDaemon(argv), false, argv.join(' '));
  }
});

test('runsDaemon(): option values are not options (a file named -t, an id d)', () => {
  assert.equal(runsDaemon(['-f', '-t']), true);
  assert.equal(runsDaemon(['--use-file', '--help']), true);
  assert.equal(runsDaemon(['-nf', '-v']), true);
  assert.equal(runsDaemon(['-i', 'd']), true);
  assert.equal(runsDaemon(['-fk.conf', '-t']), false, 'the value is attached: -t is an option');
  assert.equal(runsDaemon(['--', '-t']), true);
});

test('DAEMON_V8_FLAGS are flags this Node\'s V8 knows (setFlagsFromString ignores unknown ones silently)', () => {
  const known = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
  for (const flag of DAEMON_V8_FLAGS) {
    const name = flag.replace(/^--(no-)?/, '');
    assert.match(known, new RegExp(`^\\s+--${name} \\(`, 'm'), flag);
  }
});

test('cli.js loads boot.js before any other module (flags set later would not apply to them)', () => {
  const cli = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'src', 'cli.js'), 'utf8');
  const first = /require\("([^"]+)"\)/.exec(cli);
  assert.equal(first?.[1], './boot');
});

test('the option lists runsDaemon() reads are those of the program cli.ts builds', () => {
  // In a child process: loading cli.js runs boot.js, which must not tune this test process.
  const cli = path.join(__dirname, '..', '..', '..', 'src', 'cli.js');
  const script = `const p = require(${JSON.stringify(cli)}).buildProgram();
    const opts = p.options.map((o) => ({ short: o.short, long: o.long, value: o.required || o.optional }));
    const help = p._getHelpOption ? p._getHelpOption() : null;
    if (help) opts.push({ short: help.short, long: help.long, value: false });
    process.stdout.write(JSON.stringify(opts));`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const opts = JSON.parse(out.stdout) as { short?: string; long?: string; value: boolean }[];
  const letter = (o: { short?: string }): string => (o.short ?? '').replace(/^-/, '');
  const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
  // Options without a short letter (--signum) are only in the long lists.
  assert.deepEqual(sorted(opts.filter((o) => o.value && o.short !== undefined).map(letter)), sorted(VALUE_SHORT));
  assert.deepEqual(sorted(opts.filter((o) => o.value).map((o) => o.long ?? '')), sorted(VALUE_LONG));
  const exits = opts.filter((o) => EXIT_LONG.has(o.long ?? ''));
  assert.deepEqual(sorted(exits.filter((o) => o.short !== undefined).map(letter)), sorted(EXIT_SHORT), 'each exit option has its short letter listed');
  assert.equal(exits.length, EXIT_LONG.size, `every exit option exists in the program (${JSON.stringify(opts)})`);
});
