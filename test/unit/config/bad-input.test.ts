/**
 * Bad input for the config front end: each must end in a clear, located diagnostic
 * (`(file: Line N) ...`) and a non-zero `-t` exit code, never in an exception, a stack trace
 * or a hang.
 *
 * In-memory variants drive checkConfig through memoryFs/fakeHost; the real-file variants
 * (unreadable file, directory, binary file, huge one-line file, include cycle) run the built
 * CLI (`node dist/src/cli.js -t -f FILE`) in a child process.
 *
 * Inputs that might loop or blow up run in a worker thread or child process with a hang guard
 * (HANG_GUARD_MS). That is not a performance target: a linear parser needs a few seconds for
 * 10 MB, the guard only turns a hang into a failing test instead of a blocked `npm test`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkConfig, type CheckResult } from '../../../src/config/check';
import type { ConfigFs } from '../../../src/config/config-fs';
import { renderDiagnostic, type Diagnostic } from '../../../src/config/diagnostics';
import { fakeHost, memoryFs, type MemoryTree } from '../../support/config-harness';
import { tsvrrpdNode } from '../../support/tsvrrpd-command';

const DIST_SRC = path.resolve(__dirname, '..', '..', '..', 'src');
const CLI = path.join(DIST_SRC, 'cli.js');
const MAIN = '/etc/keepalived/keepalived.conf';
const HANG_GUARD_MS = 60_000;
/** The exit codes `-t` gives for a rejected config (1 is a usage error or an uncaught exception). */
const REJECT_CODES = new Set([2, 4, 5, 6]);
/** A stack frame as Node prints it: "    at fn (/path/file.js:12:34)". */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

// ---------------------------------------------------------------------------------------------
// Helpers

/** Deterministic bytes (mulberry32), so a failure is reproducible. */
function randomBytes(seed: number, n: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

function describe(diags: readonly Diagnostic[], max = 8): string {
  const shown = diags.slice(0, max).map((d) => `  [${d.cls}] ${d.code} at=${JSON.stringify(d.at)} ${renderDiagnostic(d).slice(0, 160)}`);
  if (diags.length > max) shown.push(`  ... ${diags.length - max} more`);
  return shown.join('\n');
}

/** checkConfig in this process; an exception fails the test with its stack. */
function check(tree: MemoryTree, file = MAIN, fsPort?: ConfigFs): CheckResult {
  try {
    return checkConfig({ file, configId: 'lb1', fs: fsPort ?? memoryFs(tree), host: fakeHost(), random: () => 1 });
  } catch (e) {
    assert.fail(`checkConfig threw instead of reporting a diagnostic:\n${e instanceof Error ? e.stack : String(e)}`);
  }
}

interface GuardedResult {
  readonly exitCode: number;
  readonly diagnostics: readonly Diagnostic[];
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
try {
  const { checkConfig } = require(workerData.checkJs);
  const { memoryFs, fakeHost } = require(workerData.harnessJs);
  const host = fakeHost({ interfaces: workerData.interfaces });
  const r = checkConfig({ file: workerData.file, configId: 'lb1', fs: memoryFs(workerData.tree), host, random: () => 1 });
  parentPort.postMessage({ ok: true, exitCode: r.exitCode, diagnostics: r.diagnostics });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String((e && e.stack) || e) });
}
`;

/**
 * checkConfig in a worker thread: an exception, running out of memory or not finishing within
 * HANG_GUARD_MS fails the test (the worker is terminated) instead of blocking the run.
 */
async function checkGuarded(tree: MemoryTree, file = MAIN, interfaces: readonly string[] = ['eth0'], heapMb = 1024): Promise<GuardedResult> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      checkJs: path.join(DIST_SRC, 'config', 'check.js'),
      harnessJs: path.resolve(__dirname, '..', '..', 'support', 'config-harness.js'),
      file,
      tree,
      interfaces,
    },
    // Out of memory ends the worker (and fails the test) instead of the test process.
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });
  type Outcome = { kind: 'message'; value: { ok: boolean; error?: string } & Partial<GuardedResult> } | { kind: 'error'; error: Error } | { kind: 'hung' };
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hung' }), HANG_GUARD_MS);
    worker.once('message', (value: { ok: boolean; error?: string } & Partial<GuardedResult>) => resolve({ kind: 'message', value }));
    worker.once('error', (error: Error) => resolve({ kind: 'error', error }));
  });
  clearTimeout(timer);
  await worker.terminate();
  if (outcome.kind === 'hung') assert.fail(`checkConfig did not finish within ${HANG_GUARD_MS / 1000} s (hang guard, not a performance target)`);
  if (outcome.kind === 'error') assert.fail(`checkConfig crashed the worker: ${outcome.error.stack ?? String(outcome.error)}`);
  const v = outcome.value;
  if (!v.ok) assert.fail(`checkConfig threw instead of reporting a diagnostic:\n${v.error ?? ''}`);
  return { exitCode: v.exitCode as number, diagnostics: v.diagnostics ?? [] };
}

/** Every diagnostic names one of `files` and a line >= 1. */
function assertLocated(diags: readonly Diagnostic[], files: readonly string[]): void {
  for (const d of diags) {
    const ctx = `\n  [${d.cls}] ${d.code}: ${d.message.slice(0, 200)}\nall diagnostics:\n${describe(diags)}`;
    assert.ok(d.at !== null, `diagnostic without a location (no file:line)${ctx}`);
    assert.ok(files.includes(d.at.file.replace(/\/+$/, '')), `diagnostic in unexpected file '${d.at.file}'${ctx}`);
    assert.ok(Number.isInteger(d.at.line) && d.at.line >= 1, `diagnostic with line ${d.at.line}${ctx}`);
  }
}

interface Want {
  /** Files diagnostics may point at; the first is where the key diagnostic must be. */
  readonly files?: readonly string[];
  /** The line of the key diagnostic, when it is known. */
  readonly line?: number;
  /** The key diagnostic's code, when it is known. */
  readonly code?: string;
}

/** A rejected config: non-zero exit, a verdict-affecting diagnostic where expected, all located. */
function assertRejected(r: GuardedResult, want: Want = {}): void {
  const files = want.files ?? [MAIN];
  const all = `\nexit ${r.exitCode}, diagnostics:\n${describe(r.diagnostics)}`;
  assert.ok(REJECT_CODES.has(r.exitCode), `exit code ${r.exitCode} is not a rejection (2, 4, 5, 6)${all}`);
  assertLocated(r.diagnostics, files);
  const key = r.diagnostics.find(
    (d) =>
      d.cls !== 'NOTICE' &&
      d.at !== null &&
      d.at.file.replace(/\/+$/, '') === files[0] &&
      (want.line === undefined || d.at.line === want.line) &&
      (want.code === undefined || d.code === want.code),
  );
  assert.ok(key, `no error ${want.code ?? ''} at ${files[0]}:${want.line ?? 'N'}${all}`);
  assert.ok(renderDiagnostic(key).startsWith(`(${key.at?.file}: Line ${key.at?.line}`), `not rendered as (file: Line N): ${renderDiagnostic(key)}`);
}

/** A temp directory, removed (modes restored) after `fn`. */
function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvrrpd-bad-input-'));
  fs.chmodSync(dir, 0o755); // so that `nobody` may look inside
  try {
    return fn(dir);
  } finally {
    fs.chmodSync(dir, 0o755);
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p)) ?? null;
const AS_NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** Run `argv` as this user, or as `nobody` (root only, through setpriv). */
function spawn(argv: readonly string[], asNobody: boolean): SpawnSyncReturns<string> {
  const [cmd, args] = asNobody ? [SETPRIV as string, [...AS_NOBODY, ...argv]] : [argv[0] as string, argv.slice(1)];
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: HANG_GUARD_MS, killSignal: 'SIGKILL', maxBuffer: 512 * 1024 * 1024 });
}

/** `tsvrrpd -t -f file` must reject `file` with a located message, without a stack trace or hang. */
function assertCliRejects(file: string, opts: { asNobody?: boolean; line?: number; locatedIn?: string } = {}): string {
  const r = spawn([...tsvrrpdNode(), '-t', '-f', file], opts.asNobody ?? false);
  const stderr = r.stderr ?? '';
  const ctx = `\nstatus ${r.status}, signal ${r.signal}\nstderr (first 2000 chars):\n${stderr.slice(0, 2000)}`;
  assert.ok(!(r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'), `the CLI did not finish within ${HANG_GUARD_MS / 1000} s (hang guard)${ctx}`);
  assert.equal(r.error, undefined, `could not run the CLI: ${String(r.error)}${ctx}`);
  assert.equal(r.signal, null, `the CLI was killed by ${r.signal}${ctx}`);
  assert.doesNotMatch(stderr, STACK_FRAME, `stack trace on stderr${ctx}`);
  assert.ok(r.status !== null && REJECT_CODES.has(r.status), `exit ${r.status} is not a rejection (2, 4, 5, 6)${ctx}`);
  const where = (opts.locatedIn ?? file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const located = new RegExp(`^\\(${where}/?: Line ${opts.line ?? '[1-9][0-9]*'}[,)]`, 'm');
  assert.match(stderr, located, `no message located as (file: Line N)${ctx}`);
  return stderr;
}

assert.ok(fs.existsSync(CLI), `the CLI is not built: ${CLI}`);

// ---------------------------------------------------------------------------------------------
// Binary file

test('bad input: binary file (random bytes with NULs) is rejected with located diagnostics', () => {
  const bytes = randomBytes(0x5eed, 64 * 1024);
  bytes[0] = 0; // a NUL right at the start, and more spread through the file
  for (let i = 97; i < bytes.length; i += 997) bytes[i] = 0;
  const r = check({ [MAIN]: bytes.toString('latin1') });
  assertRejected(r);
});

test('bad input: ELF-like binary (header, NULs, no newline for a long stretch)', () => {
  const bytes = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00\x00\x00', 'latin1'), randomBytes(7, 32 * 1024).map((b) => (b === 10 ? 0 : b))]);
  const r = check({ [MAIN]: bytes.toString('latin1') });
  assertRejected(r, { line: 1 });
});

test('bad input (real file, CLI): binary file', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'binary.conf');
    const bytes = randomBytes(0xb1a, 64 * 1024);
    bytes[0] = 0;
    fs.writeFileSync(file, bytes);
    assertCliRejects(file);
  });
});

// ---------------------------------------------------------------------------------------------
// 10 MB

/** Interfaces the huge config spreads its instances over, so (interface, VRID) pairs stay unique. */
const HUGE_IFACES = Array.from({ length: 200 }, (_, i) => `eth${i}`);

/**
 * A config of about `bytes` bytes, one statement per line, ending in a bad keyword: ~10 000
 * instances with 24 VIPs each (instance count kept moderate: see the report on quadratic
 * per-instance checks).
 */
function hugeConfig(bytes: number): { text: string; badLine: number } {
  const parts: string[] = ['global_defs {', '    router_id lb1', '}'];
  let size = 0;
  let vip = 0;
  for (let i = 0; size < bytes; i++) {
    const block = [
      `vrrp_instance VI_${i} {`,
      '    state BACKUP',
      `    interface ${HUGE_IFACES[i % HUGE_IFACES.length]}`,
      `    virtual_router_id ${(Math.floor(i / HUGE_IFACES.length) % 255) + 1}`,
      `    priority ${(i % 254) + 1}`,
      '    advert_int 1',
      '    authentication {',
      '        auth_type PASS',
      '        auth_pass secret',
      '    }',
      '    virtual_ipaddress {',
    ];
    for (let k = 0; k < 24; k++, vip++) block.push(`        10.${(vip >> 16) & 255}.${(vip >> 8) & 255}.${vip & 255}/32 dev eth0 label eth0:${k}`);
    block.push('    }', '}');
    parts.push(...block);
    size += block.join('\n').length + 1;
  }
  parts.push('this_is_not_a_keyword 1');
  return { text: `${parts.join('\n')}\n`, badLine: parts.length };
}

test('bad input: a 10 MB config finishes, and the error on its last line is located', async () => {
  const { text, badLine } = hugeConfig(10 * 1024 * 1024);
  assert.ok(text.length >= 10 * 1024 * 1024);
  const r = await checkGuarded({ [MAIN]: text }, MAIN, HUGE_IFACES);
  assertRejected(r, { line: badLine, code: 'CFG_UNKNOWN_KEYWORD' });
});

test('bad input (real file, CLI): a 10 MB config written on one line (keepalived allows one-line blocks)', () => {
  // Same statements as above, but the whole file is one physical line: brace splitting must
  // stay linear in the line length.
  const { text } = hugeConfig(10 * 1024 * 1024);
  const oneLine = text.replace(/\n[ \t]*/g, ' ');
  withTempDir((dir) => {
    const file = path.join(dir, 'one-line.conf');
    fs.writeFileSync(file, `${oneLine}\n`, 'latin1');
    assertCliRejects(file, { line: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// 10 000 nested braces

const DEEP = 10_000;

test('bad input: 10 000 `{` on one line', async () => {
  const r = await checkGuarded({ [MAIN]: `${'{'.repeat(DEEP)}\n` });
  assertRejected(r, { line: 1 });
});

test('bad input: 10 000 `{` on their own lines', async () => {
  const r = await checkGuarded({ [MAIN]: '{\n'.repeat(DEEP) });
  assertRejected(r, { line: 1 });
  assert.ok(r.diagnostics.some((d) => d.code === 'CFG_MISSING_EOB'), `unclosed braces not reported:\n${describe(r.diagnostics)}`);
});

test('bad input: 10 000 nested `vrrp_instance X {`', async () => {
  const r = await checkGuarded({ [MAIN]: 'vrrp_instance X {\n'.repeat(DEEP) });
  assertRejected(r, { line: 2 });
  assert.ok(r.diagnostics.some((d) => d.code === 'CFG_MISSING_EOB'), `unclosed blocks not reported:\n${describe(r.diagnostics)}`);
});

test('bad input: 10 000 nested `global_defs {`', async () => {
  const r = await checkGuarded({ [MAIN]: 'global_defs {\n'.repeat(DEEP) });
  assertRejected(r, { line: 2 });
  assert.ok(r.diagnostics.some((d) => d.code === 'CFG_MISSING_EOB'), `unclosed blocks not reported:\n${describe(r.diagnostics)}`);
});

test('bad input: 10 000 nested `{` inside a block, closed again', async () => {
  const text = `vrrp_instance X {\n${'{\n'.repeat(DEEP)}${'}\n'.repeat(DEEP)}}\n`;
  const r = await checkGuarded({ [MAIN]: text });
  assertRejected(r, { line: 2 });
});

// ---------------------------------------------------------------------------------------------
// Quotes

test('bad input: unterminated quote in a value', () => {
  const r = check({ [MAIN]: 'global_defs {\n    router_id "lb1\n}\n' });
  assertRejected(r, { line: 2, code: 'CFG_UNTERMINATED_QUOTE' });
});

test('bad input: unterminated quote in a block name swallows the brace', () => {
  const r = check({ [MAIN]: 'vrrp_instance "VI_1 {\n    interface eth0\n    virtual_router_id 51\n}\n' });
  assertRejected(r, { line: 1, code: 'CFG_UNTERMINATED_QUOTE' });
});

test('bad input: a lone quote on the last line, without a newline', () => {
  const r = check({ [MAIN]: 'global_defs {\n    router_id lb1\n}\n"' });
  assertRejected(r, { line: 4 });
});

// ---------------------------------------------------------------------------------------------
// Include cycles

test('bad input: include cycle a -> b -> a', () => {
  const a = '/etc/keepalived/a.conf';
  const b = '/etc/keepalived/b.conf';
  const r = check({ [a]: 'global_defs {\n    router_id lb1\n}\ninclude b.conf\n', [b]: '! b includes a again\ninclude a.conf\n' }, a);
  assertRejected(r, { files: [b, a], line: 2, code: 'CFG_INCLUDE_CYCLE' });
});

test('bad input: a file that includes itself', () => {
  const r = check({ [MAIN]: 'include keepalived.conf\nvrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n}\n' });
  assertRejected(r, { line: 1, code: 'CFG_INCLUDE_CYCLE' });
});

test('bad input: a file that includes itself through a glob and a roundabout path', () => {
  const r = check({ [MAIN]: 'include ../keepalived/./*.conf\n' });
  assertRejected(r, { line: 1, code: 'CFG_INCLUDE_CYCLE' });
});

test('bad input (real file, CLI): include cycle a -> b -> a', () => {
  withTempDir((dir) => {
    fs.writeFileSync(path.join(dir, 'a.conf'), 'include b.conf\n');
    fs.writeFileSync(path.join(dir, 'b.conf'), 'include a.conf\n');
    assertCliRejects(path.join(dir, 'a.conf'), { locatedIn: path.join(dir, 'b.conf'), line: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Unreadable file, directory, empty file, lone `}`

/** memoryFs plus files that exist but cannot be read (EACCES), which memoryFs cannot express. */
function withUnreadable(tree: MemoryTree, unreadable: readonly string[]): ConfigFs {
  const base = memoryFs(tree);
  return {
    ...base,
    readFile: (p) => (unreadable.includes(p) ? { ok: false, code: 'EACCES', message: 'Permission denied' } : base.readFile(p)),
  };
}

test('bad input: unreadable main file (EACCES)', () => {
  const r = check({}, MAIN, withUnreadable({ [MAIN]: 'global_defs {\n}\n' }, [MAIN]));
  assertRejected(r);
});

test('bad input: unreadable file behind `includer` (EACCES)', () => {
  const part = '/etc/keepalived/part.conf';
  const r = check({}, MAIN, withUnreadable({ [MAIN]: 'global_defs {\n}\nincluder part.conf\n', [part]: 'vrrp_instance A {\n}\n' }, [part]));
  assertRejected(r, { line: 3, code: 'CFG_INCLUDE_FAILED' });
});

test('bad input (real file, CLI): unreadable main file (mode 000, read as a user the kernel refuses)', (t) => {
  withTempDir((dir) => {
    const file = path.join(dir, 'unreadable.conf');
    fs.writeFileSync(file, 'global_defs {\n    router_id lb1\n}\n');
    fs.chmodSync(file, 0o000);
    // root reads mode-000 files (CAP_DAC_OVERRIDE), so as root run the CLI as `nobody`.
    const asNobody = isRoot;
    if (asNobody && SETPRIV === null) {
      t.skip('running as root without setpriv: cannot make the read fail');
      return;
    }
    const probe = spawn([process.execPath, '-e', `require('fs').readFileSync(${JSON.stringify(file)})`], asNobody);
    if (probe.status === 0) {
      t.skip('the file is still readable (capabilities?); cannot test EACCES here');
      return;
    }
    const cliVisible = spawn([process.execPath, '-e', `require(${JSON.stringify(CLI)})`], asNobody);
    if (cliVisible.status !== 0) {
      t.skip(`nobody cannot load the CLI from this checkout: ${cliVisible.stderr.slice(0, 200)}`);
      return;
    }
    const stderr = assertCliRejects(file, { asNobody });
    assert.match(stderr, /Permission denied/);
  });
});

test('bad input: a directory given as the config file', () => {
  const r = check({ [MAIN]: null });
  assertRejected(r, { code: 'CFG_MAIN_FILE' });
});

test('bad input (real file, CLI): a directory given as the config file', () => {
  withTempDir((dir) => {
    fs.writeFileSync(path.join(dir, 'keepalived.conf'), 'global_defs {\n}\n');
    const stderr = assertCliRejects(dir, { locatedIn: dir });
    assert.match(stderr, /directory/);
  });
});

test('empty file: no exception, and the exit keepalived gives (0, corpus case 259-syntax-empty-file)', () => {
  const r = check({ [MAIN]: '' });
  assertLocated(r.diagnostics, [MAIN]);
  assert.equal(r.exitCode, 0, describe(r.diagnostics));
});

test('bad input: a file that is only `}` is rejected on line 1', () => {
  const r = check({ [MAIN]: '}\n' });
  assertRejected(r, { line: 1 });
  assert.ok(r.diagnostics.some((d) => d.code === 'CFG_EXTRA_EOB'), describe(r.diagnostics));
});


// ---------------------------------------------------------------------------------------------
// Blow-ups in the preprocessor (found while writing the above)

test('bad input (real file, CLI): brace-expansion bomb in an include pattern ({a,b} x 18 = 262 144 names)', () => {
  // Through the CLI: whether this overflows the stack depends on the thread's stack size.
  withTempDir((dir) => {
    const file = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(file, `include ${dir}/${'{a,b}'.repeat(18)}.conf\nthis_is_not_a_keyword\n`);
    assertCliRejects(file, { line: 2 });
  });
});

test('bad input: self-doubling definition ($A=$A $A, "billion laughs")', async () => {
  const r = await checkGuarded({ [MAIN]: '$A=$A $A\n$A\n' }, MAIN, ['eth0'], 256);
  assertRejected(r, { line: 2 });
});

test('bad input: multi-line definition that uses itself', async () => {
  // Expanding $A yields the line `$A` again, which expands again, forever.
  const r = await checkGuarded({ [MAIN]: '$A= \\\nx \\\n$A\n$A\n' }, MAIN, ['eth0'], 256);
  assertRejected(r, { line: 4 });
});
