/**
 * Spawning one script the way keepalived does (lib/notify.c, now keepalived/core/notify.c:
 * system_call_script(), find_path(), check_script_secure(), set_uid_gid(),
 * get_default_script_user(), cmd_str()). Owns: who a script runs as, whether it is exec'd
 * directly or handed to /bin/sh, its argument vector, environment and process group. It never
 * decides what an exit status means (check-script.ts and the notifier do) and never throws
 * asynchronously: every spawn failure comes back through `exited`.
 *
 * Identity (keepalived notify_script_init(), get_default_script_user()): the command's own
 * `user [group]`, else global `script_user`, else `keepalived_script` if that user exists,
 * else the daemon's own uid/gid (root in production). The group defaults to the user's
 * primary group; supplementary groups are cleared (libuv calls setgroups(0) when uid/gid are
 * given, and they are always given when the daemon is root). A group written `:name`
 * (keepalived: "also set the supplementary groups") is accepted as `name`, but tsvrrpd cannot
 * set supplementary groups from Node, so only the primary gid applies.
 *
 * Direct exec or shell (keepalived check_script_secure() sets SC_EXECABLE, system_call_script()
 * execs or calls system()):
 *  1. A first word starting with `<` or `>` is a shell redirection test (`</etc/file` = "can
 *     it be opened"): shell.
 *  2. Otherwise the first word is resolved: with a `/` it is a path (relative paths are taken
 *     from `/`, the scripts' working directory, as keepalived's daemon chdir()s to `/`); without
 *     one, PATH is searched like find_path() (the daemon's PATH, or `/bin:/usr/bin` when unset;
 *     an empty entry is the working directory), taking the first regular file executable for
 *     the identity (keepalived is_executable(): root needs any x bit, the owner u+x, the group
 *     g+x, others o+x). A PATH hit replaces argv[0] with the full path, as keepalived does.
 *  3. A resolved file that is an ELF binary or starts with `#!` is exec'd directly:
 *     argv = [argv0, args[1..], extra...], no shell, no word splitting.
 *  4. A resolved file without `#!` is run through the shell (keepalived built with libmagic:
 *     "Please add a #! shebang", SC_EXECABLE cleared, system()).
 *  5. A first word that resolves to nothing executable goes to the shell too. keepalived
 *     would have disabled such a script at load (config/script-security.ts reports it and
 *     drops track scripts); tsvrrpd hands what still reaches it to system(), so a shell
 *     builtin such as `exit 3` works and a missing program is sh's status 127.
 *  The shell command is keepalived's cmd_str(): every word (extra arguments included) in
 *  single quotes, an embedded `'` written `'\''`, a leading redirection word left bare, run as
 *  `/bin/sh -c <text>` with argv[0] `sh` like system(3). Quoting every word means shell syntax
 *  inside the configured words (`|`, `;`, `$(...)`) is never interpreted: a pipeline needs a
 *  script file or an explicit `/bin/sh -c '...'` command, exactly as with keepalived.
 *
 * The child (keepalived system_call_script()): its own session and process group (detached,
 * so kill(-pid) reaches its children), stdio on /dev/null, cwd `/`, default signal handlers
 * (libuv resets them), no inherited descriptors (libuv sets close-on-exec), and the
 * environment minus IFS, LD_PRELOAD and LD_LIBRARY_PATH.
 * Deviations from keepalived, deliberate:
 *  - keepalived's system() branch turns sh's 126/127 into exit 0 and a failed execve into
 *    exit 0 ("script errors aren't server errors"), so a missing command counts as success;
 *    tsvrrpd keeps sh's status and reports a failed spawn as `spawnError`, a failure.
 *  - PR_SET_PDEATHSIG (scripts get SIGTERM if keepalived dies) is not available from Node.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GlobalDefs, ScriptCommand } from '../config/model';
import { systemAccounts, type AccountDb } from './accounts';
import { errorMessage } from './errors';

export type { AccountDb } from './accounts';

export type ScriptExecErrorCode = 'SCRIPT_USER_UNKNOWN' | 'SCRIPT_GROUP_UNKNOWN';

/** A script identity that cannot be resolved on this host. */
export class ScriptExecError extends Error {
  override readonly name = 'ScriptExecError';
  constructor(
    readonly code: ScriptExecErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ScriptIdentity {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

const DEFAULT_SCRIPT_USER = 'keepalived_script';

function ownIdentity(): ScriptIdentity {
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  return { user: uid === 0 ? 'root' : String(uid), uid, gid };
}

function namedIdentity(user: string, group: string | null, db: AccountDb): ScriptIdentity {
  const u = db.user(user);
  if (u === null) throw new ScriptExecError('SCRIPT_USER_UNKNOWN', `Script user '${user}' does not exist`);
  // keepalived set_uid_gid(): a leading ':' asks for supplementary groups too.
  const groupName = group !== null && group.startsWith(':') ? (group.length > 1 ? group.slice(1) : null) : group;
  if (groupName === null) return { user, uid: u.uid, gid: u.gid };
  const gid = db.group(groupName);
  if (gid === null) throw new ScriptExecError('SCRIPT_GROUP_UNKNOWN', `Script group '${groupName}' does not exist`);
  return { user, uid: u.uid, gid };
}

/** Who runs `cmd` (see the header). Throws ScriptExecError for an unknown user or group. */
export function resolveScriptIdentity(cmd: ScriptCommand, scriptUser: GlobalDefs['scriptUser'], db: AccountDb = systemAccounts): ScriptIdentity {
  if (cmd.user !== null) return namedIdentity(cmd.user, cmd.group, db);
  if (scriptUser !== null) return namedIdentity(scriptUser.user, scriptUser.group, db);
  if (db.user(DEFAULT_SCRIPT_USER) !== null) return namedIdentity(DEFAULT_SCRIPT_USER, null, db);
  return ownIdentity();
}

/** How a command will be started. */
export interface ExecPlan {
  /** The file handed to execve(). */
  readonly file: string;
  /** argv[1..]. */
  readonly args: readonly string[];
  readonly argv0: string;
  readonly viaShell: boolean;
}

const SHELL = '/bin/sh';
/** glibc confstr(_CS_PATH), keepalived's fallback when PATH is unset. */
const CS_PATH = '/bin:/usr/bin';
const SCRIPT_CWD = '/';

/** keepalived is_executable(). */
function executableFor(st: fs.Stats, who: ScriptIdentity): boolean {
  const mode = st.mode;
  if (who.uid === 0) return (mode & 0o111) !== 0;
  if (who.uid === st.uid) return (mode & 0o100) !== 0;
  if (who.gid === st.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

function executableFile(file: string, who: ScriptIdentity): boolean {
  try {
    const st = fs.statSync(file);
    return st.isFile() && executableFor(st, who);
  } catch {
    return false;
  }
}

/** What libmagic calls " executable": an ELF image or a `#!` script. */
function hasExecFormat(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4);
    const n = fs.readSync(fd, head, 0, 4, 0);
    return (n >= 2 && head[0] === 0x23 && head[1] === 0x21) || (n === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])));
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** keepalived find_path(): the first PATH entry holding a file `who` may execute. */
function searchPath(name: string, who: ScriptIdentity, envPath: string | undefined): string | null {
  for (const dir of (envPath ?? CS_PATH).split(':')) {
    const candidate = dir === '' ? path.resolve(SCRIPT_CWD, name) : `${dir}/${name}`;
    if (executableFile(path.resolve(SCRIPT_CWD, candidate), who)) return candidate;
  }
  return null;
}

/** keepalived cmd_str(): the words as one shell command line, each single-quoted. */
export function shellCommandText(words: readonly string[]): string {
  return words
    .map((w, i) => (i === 0 && (w.startsWith('<') || w.startsWith('>')) ? w : `'${w.replace(/'/g, "'\\''")}'`))
    .join(' ');
}

function shellPlan(words: readonly string[]): ExecPlan {
  return { file: SHELL, args: ['-c', shellCommandText(words)], argv0: 'sh', viaShell: true };
}

/** Decide direct exec or shell for `cmd` run as `who` (see the header, rules 1-5). */
export function planScriptExec(cmd: ScriptCommand, who: ScriptIdentity, extraArgs: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): ExecPlan {
  const words = [...cmd.args, ...extraArgs];
  const program = words[0] ?? '';
  if (program === '' || program.startsWith('<') || program.startsWith('>')) return shellPlan(words);
  const argv0 = program.includes('/') ? program : searchPath(program, who, env['PATH']);
  if (argv0 === null) return shellPlan(words);
  const file = path.resolve(SCRIPT_CWD, argv0);
  if (!executableFile(file, who) || !hasExecFormat(file)) return shellPlan(words);
  return { file, args: words.slice(1), argv0, viaShell: false };
}

/** keepalived system_call_script(): variables removed before exec. */
const UNSAFE_ENV = ['IFS', 'LD_PRELOAD', 'LD_LIBRARY_PATH'];

export function scriptEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of UNSAFE_ENV) delete out[k];
  return out;
}

export interface ScriptExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The errno name (or message) when the process could not be started. */
  readonly spawnError: string | null;
}

export interface RunningScript {
  /** null when the spawn failed. */
  readonly pid: number | null;
  readonly plan: ExecPlan;
  /** Resolves once the child has been reaped (or the spawn failed); never rejects. */
  readonly exited: Promise<ScriptExit>;
  /** Signal the script's whole process group; false if nothing was signalled. */
  killGroup(signal: NodeJS.Signals): boolean;
}

function errorName(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : errorMessage(e);
}

function failedSpawn(plan: ExecPlan, e: unknown): RunningScript {
  return { pid: null, plan, exited: Promise.resolve({ code: null, signal: null, spawnError: errorName(e) }), killGroup: () => false };
}

/** Signal process group `pgid`; false when it does not exist or may not be signalled. */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Start `cmd` as `identity` with `extraArgs` appended (see the header). */
export function spawnScript(cmd: ScriptCommand, identity: ScriptIdentity, extraArgs: readonly string[] = []): RunningScript {
  let plan: ExecPlan;
  try {
    plan = planScriptExec(cmd, identity, extraArgs);
  } catch (e) {
    return failedSpawn(shellPlan([...cmd.args, ...extraArgs]), e);
  }
  return spawnPlan(plan, identity);
}

/** Start an already planned command (spawnScript() without the resolution step). */
export function spawnPlan(plan: ExecPlan, identity: ScriptIdentity): RunningScript {
  const options: SpawnOptions = { argv0: plan.argv0, cwd: SCRIPT_CWD, detached: true, stdio: 'ignore', env: scriptEnvironment() };
  const root = process.geteuid?.() === 0;
  // As root always set them, so that libuv also clears the supplementary groups.
  if (root || identity.uid !== process.geteuid?.()) options.uid = identity.uid;
  if (root || identity.gid !== process.getegid?.()) options.gid = identity.gid;
  let child: ChildProcess;
  try {
    child = spawn(plan.file, [...plan.args], options);
  } catch (e) {
    return failedSpawn(plan, e);
  }
  const exited = new Promise<ScriptExit>((resolve) => {
    child.on('error', (e) => {
      // After a successful spawn 'error' only reports a failed child.kill(), never used here.
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: errorName(e) });
    });
    child.once('exit', (code, signal) => {
      resolve({ code, signal, spawnError: null });
    });
  });
  const pid = child.pid ?? null;
  return {
    pid,
    plan,
    exited,
    // The group outlives its leader while a child of the script is alive; the kernel does
    // not reuse the number as a pid while it is in use as a process group id.
    killGroup: (signal) => pid !== null && killProcessGroup(pid, signal),
  };
}
