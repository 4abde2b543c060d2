/**
 * Spawning scripts on the real kernel (src/io/script-exec.ts), keepalived
 * system_call_script(), find_path(), cmd_str(), set_uid_gid(): direct exec with exactly the
 * configured arguments, the /bin/sh fallback with keepalived's quoting, extra notify arguments,
 * the script user, the cleaned environment, spawn failures as results, and the process group.
 * Real processes, no mocks; the `nobody` case needs root.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScriptCommand } from '../../src/config/model';
import {
  planScriptExec,
  resolveScriptIdentity,
  ScriptExecError,
  shellCommandText,
  spawnPlan,
  spawnScript,
  type AccountDb,
  type ScriptIdentity,
} from '../../src/io/script-exec';
import { waitFor } from '../support/netns';
import { alive, pgrpOf, tempDir, writeScript } from '../support/scripts';

const isRoot = process.geteuid?.() === 0;
/** A hang fails the test instead of blocking the run. */
const OPTS = { timeout: 15_000 };

function cmd(args: string[], user: string | null = null, group: string | null = null): ScriptCommand {
  return { args, text: args.join(' '), user, group, at: { file: 'keepalived.conf', line: 1, col: 1 } };
}

/** A temp dir every user may enter, removed after the test. */
const execDir = (t: TestContext): string => tempDir(t, 'tsv-exec-', 0o755);

/** An output file any script user may write. */
function outFile(dir: string, name = 'out'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '');
  fs.chmodSync(file, 0o666);
  return file;
}

const me = (): ScriptIdentity => resolveScriptIdentity(cmd(['x']), null, { user: () => null, group: () => null });

/** Writes $0, $# and each argument on its own line. */
const ARGS_SCRIPT = (out: string): string => `#!/bin/sh\n{ echo "$0"; echo "$#"; for a in "$@"; do echo "[$a]"; done; } > '${out}'\n`;

test('keepalived system_call_script(): an executable path is exec\'d with exactly its words, no shell', OPTS, async (t) => {
  const dir = execDir(t);
  const out = outFile(dir);
  const script = writeScript(dir, 'args.sh', ARGS_SCRIPT(out));
  const c = cmd([script, 'a b', "it's", '$HOME', '*', '']);
  const run = spawnScript(c, me());
  assert.equal(run.plan.viaShell, false);
  assert.equal(run.plan.file, script);
  assert.ok(run.pid !== null && run.pid > 0);
  assert.deepEqual(await run.exited, { code: 0, signal: null, spawnError: null });
  assert.equal(fs.readFileSync(out, 'utf8'), `${script}\n5\n[a b]\n[it's]\n[$HOME]\n[*]\n[]\n`);
});

test('keepalived notify: extra arguments are appended to the argument vector', OPTS, async (t) => {
  const dir = execDir(t);
  const out = outFile(dir);
  const script = writeScript(dir, 'notify.sh', ARGS_SCRIPT(out));
  const run = spawnScript(cmd([script, 'first']), me(), ['INSTANCE', 'VI_1', 'MASTER', '100']);
  assert.equal((await run.exited).code, 0);
  assert.equal(fs.readFileSync(out, 'utf8'), `${script}\n5\n[first]\n[INSTANCE]\n[VI_1]\n[MASTER]\n[100]\n`);
});

test('keepalived find_path(): a bare name is searched on PATH and replaced by the full path', (t) => {
  const dir = execDir(t);
  fs.mkdirSync(path.join(dir, 'a'));
  fs.mkdirSync(path.join(dir, 'b'));
  writeScript(path.join(dir, 'a'), 'tool', '#!/bin/sh\n', 0o644); // not executable: skipped
  const found = writeScript(path.join(dir, 'b'), 'tool', '#!/bin/sh\n');
  const env = { PATH: `${dir}/missing:${dir}/a:${dir}/b` };
  const plan = planScriptExec(cmd(['tool', 'x']), me(), ['y'], env);
  assert.deepEqual(plan, { file: found, args: ['x', 'y'], argv0: found, viaShell: false });
  // Nothing executable on PATH: handed to the shell (keepalived would have disabled it).
  assert.equal(planScriptExec(cmd(['tool']), me(), [], { PATH: `${dir}/a` }).viaShell, true);
});

test('keepalived is_executable(): the x bit that counts is the one for the script user', (t) => {
  const dir = execDir(t);
  const file = writeScript(dir, 'owner-only', '#!/bin/sh\n', 0o744);
  const root: ScriptIdentity = { user: 'root', uid: 0, gid: 0 };
  const other: ScriptIdentity = { user: 'nobody', uid: 65534, gid: 65534 };
  assert.equal(planScriptExec(cmd([file]), root).viaShell, false);
  // uid 65534 is neither the owner nor in the group, and o+x is clear.
  assert.equal(planScriptExec(cmd([file]), other).viaShell, true);
});

test('keepalived system(): a shell builtin goes through /bin/sh and its status comes back', OPTS, async () => {
  const run = spawnScript(cmd(['exit', '3']), me());
  assert.deepEqual(run.plan, { file: '/bin/sh', args: ['-c', "'exit' '3'"], argv0: 'sh', viaShell: true });
  assert.deepEqual(await run.exited, { code: 3, signal: null, spawnError: null });
});

test('keepalived cmd_str(): every word is single-quoted, so shell syntax in words is inert', OPTS, async (t) => {
  const dir = execDir(t);
  const marker = path.join(dir, 'pwned');
  assert.equal(shellCommandText(['a', "it's", '$(x)']), "'a' 'it'\\''s' '$(x)'");
  const run = spawnScript(cmd(['no-such-program-tsv', `$(touch ${marker})`, '|', 'true']), me());
  assert.equal(run.plan.viaShell, true);
  // sh: command not found.
  assert.equal((await run.exited).code, 127);
  assert.equal(fs.existsSync(marker), false);
});

test('keepalived check_script_secure(): a leading `<` redirection is a file test run by the shell', OPTS, async (t) => {
  const dir = execDir(t);
  const present = outFile(dir, 'present');
  const yes = spawnScript(cmd([`<${present}`]), me());
  assert.equal(yes.plan.viaShell, true);
  assert.equal((await yes.exited).code, 0);
  const no = await spawnScript(cmd([`<${dir}/absent`]), me()).exited;
  assert.notEqual(no.code, 0);
  assert.equal(no.spawnError, null);
});

test('keepalived with libmagic: an executable without #! runs through the shell, with its arguments', OPTS, async (t) => {
  const dir = execDir(t);
  const out = outFile(dir);
  const script = writeScript(dir, 'no-shebang', `echo "$#:$1:$2" > '${out}'\n`);
  const run = spawnScript(cmd([script, 'x y']), me(), ['MASTER']);
  assert.equal(run.plan.viaShell, true);
  assert.equal(run.plan.args[1], `'${script}' 'x y' 'MASTER'`);
  assert.equal((await run.exited).code, 0);
  assert.equal(fs.readFileSync(out, 'utf8'), '2:x y:MASTER\n');
});

test('keepalived set_uid_gid(): a script configured for `nobody` runs as nobody, without extra groups', { ...OPTS, skip: !isRoot && 'needs root' }, async (t) => {
  const dir = execDir(t);
  const out = outFile(dir);
  const script = writeScript(dir, 'id.sh', `#!/bin/sh\n{ id -u; id -g; id -G; pwd; } > '${out}'\n`);
  const c = cmd([script], 'nobody');
  const who = resolveScriptIdentity(c, null);
  assert.equal(who.user, 'nobody');
  const run = spawnScript(c, who);
  assert.equal((await run.exited).code, 0);
  assert.equal(fs.readFileSync(out, 'utf8'), `${who.uid}\n${who.gid}\n${who.gid}\n/\n`);
  assert.notEqual(who.uid, 0);
});

test('keepalived get_default_script_user(): own user, else script_user, else keepalived_script, else us', () => {
  const db: AccountDb = {
    user: (n) => ({ alice: { uid: 1001, gid: 1001 }, keepalived_script: { uid: 900, gid: 901 } })[n] ?? null,
    group: (n) => ({ wheel: 10 })[n] ?? null,
  };
  assert.deepEqual(resolveScriptIdentity(cmd(['x'], 'alice', 'wheel'), { user: 'keepalived_script', group: null }, db), { user: 'alice', uid: 1001, gid: 10 });
  assert.deepEqual(resolveScriptIdentity(cmd(['x'], 'alice', ':wheel'), null, db), { user: 'alice', uid: 1001, gid: 10 });
  assert.deepEqual(resolveScriptIdentity(cmd(['x']), { user: 'alice', group: null }, db), { user: 'alice', uid: 1001, gid: 1001 });
  assert.deepEqual(resolveScriptIdentity(cmd(['x']), null, db), { user: 'keepalived_script', uid: 900, gid: 901 });
  const noDefault: AccountDb = { user: () => null, group: () => null };
  const own = resolveScriptIdentity(cmd(['x']), null, noDefault);
  assert.equal(own.uid, process.geteuid?.());
  assert.equal(own.gid, process.getegid?.());
});

test('unknown script user or group is a typed ScriptExecError, not a crash', () => {
  assert.throws(
    () => resolveScriptIdentity(cmd(['x'], 'no-such-user-tsv'), null),
    (e: unknown) => e instanceof ScriptExecError && e.code === 'SCRIPT_USER_UNKNOWN',
  );
  assert.throws(
    () => resolveScriptIdentity(cmd(['x']), { user: 'root', group: 'no-such-group-tsv' }),
    (e: unknown) => e instanceof ScriptExecError && e.code === 'SCRIPT_GROUP_UNKNOWN',
  );
  assert.deepEqual(resolveScriptIdentity(cmd(['x'], 'root', 'root'), null), { user: 'root', uid: 0, gid: 0 });
});

test('keepalived system_call_script(): IFS, LD_PRELOAD and LD_LIBRARY_PATH are removed from the environment', OPTS, async (t) => {
  const dir = execDir(t);
  const out = outFile(dir);
  const script = writeScript(dir, 'env.sh', `#!/bin/sh\nenv > '${out}'\n`);
  const saved = { ...process.env };
  t.after(() => {
    for (const k of ['IFS', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'TSV_KEPT']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  process.env['LD_PRELOAD'] = 'libtsvrrpd-absent.so';
  process.env['LD_LIBRARY_PATH'] = '/nonexistent-tsv';
  process.env['IFS'] = ':';
  process.env['TSV_KEPT'] = 'yes';
  assert.equal((await spawnScript(cmd([script]), me()).exited).code, 0);
  const env = fs.readFileSync(out, 'utf8').split('\n');
  assert.ok(env.includes('TSV_KEPT=yes'), 'the rest of the environment is kept');
  assert.equal(env.filter((l) => /^(IFS|LD_PRELOAD|LD_LIBRARY_PATH)=/.test(l)).length, 0, env.join('\n'));
});

test('a missing program gives a result, never a throw: sh 127, or spawnError for a direct exec', OPTS, async (t) => {
  const dir = execDir(t);
  const viaShell = spawnScript(cmd(['/nonexistent-tsv/prog', 'a']), me());
  assert.equal(viaShell.plan.viaShell, true);
  assert.deepEqual(await viaShell.exited, { code: 127, signal: null, spawnError: null });
  const missing = spawnPlan({ file: '/nonexistent-tsv/prog', args: [], argv0: 'prog', viaShell: false }, me());
  assert.equal(missing.pid, null);
  assert.deepEqual(await missing.exited, { code: null, signal: null, spawnError: 'ENOENT' });
  assert.equal(missing.killGroup('SIGTERM'), false);
  const notExec = writeScript(dir, 'plain', '#!/bin/sh\n', 0o644);
  const denied = await spawnPlan({ file: notExec, args: [], argv0: notExec, viaShell: false }, me()).exited;
  assert.equal(denied.spawnError, 'EACCES');
});

test('keepalived setpgid(): killing the process group takes down the script and its background child', OPTS, async (t) => {
  const dir = execDir(t);
  const out = outFile(dir);
  const script = writeScript(dir, 'tree.sh', `#!/bin/sh\nsleep 1000 &\necho "$$ $!" > '${out}'\nsleep 1000\n`);
  const run = spawnScript(cmd([script]), me());
  t.after(() => void run.killGroup('SIGKILL'));
  await waitFor('the script to start its child', () => fs.readFileSync(out, 'utf8').includes(' '), 10_000);
  const [scriptPid, childPid] = fs.readFileSync(out, 'utf8').trim().split(' ').map(Number) as [number, number];
  assert.equal(scriptPid, run.pid);
  assert.ok(alive(childPid), 'the background child runs');
  assert.equal(pgrpOf(childPid), run.pid, 'the child is in the script\'s own process group');
  assert.notEqual(pgrpOf(scriptPid), pgrpOf(process.pid));
  assert.equal(run.killGroup('SIGTERM'), true);
  assert.deepEqual(await run.exited, { code: null, signal: 'SIGTERM', spawnError: null });
  await waitFor('the background child to die', () => !alive(childPid), 5000);
  assert.equal(alive(scriptPid), false);
});
