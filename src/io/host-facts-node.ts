/**
 * The real host behind the HostFacts port, read the way keepalived -t sees it: interfaces
 * from /sys/class/net (ARPHRD type 772 = loopback), users and groups from the passwd and group
 * databases, and script files resolved on PATH with keepalived's "writable by non-root"
 * test along the whole path.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostFacts, InterfaceFacts, ScriptFileFacts } from '../config/host-facts';

const ARPHRD_LOOPBACK = 772;

function readNames(file: string): Set<string> {
  try {
    return new Set(fs.readFileSync(file, 'utf8').split('\n').map((l) => l.split(':')[0] ?? '').filter((n) => n.length > 0));
  } catch {
    return new Set();
  }
}

function interfaceFacts(name: string): InterfaceFacts | null {
  if (name.includes('/') || name === '.' || name === '..') return null;
  try {
    const type = Number(fs.readFileSync(`/sys/class/net/${name}/type`, 'utf8').trim());
    return { name, loopback: type === ARPHRD_LOOPBACK };
  } catch {
    return null;
  }
}

/** keepalived notify.c check_security(): any non-root-writable component makes it unsafe. */
function writableByNonRoot(file: string): boolean {
  let p = file;
  for (;;) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return false;
    }
    const sticky = st.isDirectory() && (st.mode & 0o1000) !== 0;
    if (st.uid !== 0) return true;
    if ((st.mode & 0o020) !== 0 && st.gid !== 0 && !sticky) return true;
    if ((st.mode & 0o002) !== 0 && !sticky) return true;
    const parent = path.dirname(p);
    if (parent === p) return false;
    p = parent;
  }
}

function resolveProgram(program: string): string | null {
  if (program.includes('/')) return fs.existsSync(program) ? fs.realpathSync(program) : null;
  for (const dir of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const candidate = path.join(dir || '.', program);
    try {
      if (fs.statSync(candidate).isFile()) return fs.realpathSync(candidate);
    } catch {
      // not in this directory
    }
  }
  return null;
}

export function nodeHostFacts(): HostFacts {
  const users = readNames('/etc/passwd');
  const groups = readNames('/etc/group');
  // One read per interface name and check: a 1 000-instance file names the same few hundreds of times.
  const interfaces = new Map<string, InterfaceFacts | null>();
  // Likewise one lookup per script program: each is a PATH search, realpath and a stat of
  // every directory above it, and a large file runs the same few notify scripts everywhere.
  const scripts = new Map<string, ScriptFileFacts>();
  return {
    hostname: os.hostname(),
    runningAsRoot: process.getuid?.() === 0,
    interface: (name) => {
      let facts = interfaces.get(name);
      if (facts === undefined) interfaces.set(name, (facts = interfaceFacts(name)));
      return facts;
    },
    userExists: (n) => users.has(n),
    groupExists: (n) => groups.has(n),
    scriptFile(program: string): ScriptFileFacts {
      let facts = scripts.get(program);
      if (facts === undefined) scripts.set(program, (facts = scriptFileFacts(program)));
      return facts;
    },
  };
}

function scriptFileFacts(program: string): ScriptFileFacts {
  const resolved = resolveProgram(program);
  if (resolved === null) return { path: null, executable: false, writableByNonRoot: false };
  let executable = false;
  try {
    fs.accessSync(resolved, fs.constants.X_OK);
    executable = fs.statSync(resolved).isFile();
  } catch {
    executable = false;
  }
  return { path: resolved, executable, writableByNonRoot: writableByNonRoot(resolved) };
}
