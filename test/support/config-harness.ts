/**
 * Test doubles for the config front end's ports: an in-memory file system and a fake host.
 * Unit tests drive the real parser through these; the real ports are proven in the
 * integration tests.
 */
import type { ConfigFs, FileStat, ReadResult } from '../../src/config/config-fs';
import type { HostFacts, InterfaceFacts, ScriptFileFacts } from '../../src/config/host-facts';
import { checkConfig, type CheckResult } from '../../src/config/check';
import { renderDiagnostic } from '../../src/config/diagnostics';

/** Files by absolute path; a value of `null` makes a directory; `{ mode }` marks executables. */
export type MemoryTree = Record<string, string | null | { text: string; executable: boolean }>;

export function memoryFs(tree: MemoryTree): ConfigFs {
  const files = new Map<string, { text: string; executable: boolean }>();
  const dirs = new Set<string>(['/']);
  const addParents = (p: string): void => {
    let d = p;
    while ((d = d.slice(0, d.lastIndexOf('/')) || '/') !== '/') dirs.add(d);
  };
  for (const [path, v] of Object.entries(tree)) {
    addParents(path);
    if (v === null) dirs.add(path);
    else if (typeof v === 'string') files.set(path, { text: v, executable: false });
    else files.set(path, v);
  }
  const norm = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  return {
    readFile(path: string): ReadResult {
      const f = files.get(norm(path));
      if (f) return { ok: true, text: f.text };
      if (dirs.has(norm(path))) return { ok: false, code: 'EISDIR', message: 'Is a directory' };
      return { ok: false, code: 'ENOENT', message: 'No such file or directory' };
    },
    stat(path: string): FileStat | null {
      const p = norm(path);
      const f = files.get(p);
      if (f) return { kind: 'file', executable: f.executable, identity: p };
      if (dirs.has(p)) return { kind: 'directory', executable: true, identity: p };
      return null;
    },
    readDir(path: string): readonly string[] | null {
      const p = norm(path);
      if (!dirs.has(p)) return null;
      const prefix = p === '/' ? '/' : `${p}/`;
      const names = new Set<string>();
      for (const k of [...files.keys(), ...dirs]) {
        if (k !== p && k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0] as string);
      }
      return [...names];
    },
  };
}

export interface FakeHostOptions {
  interfaces?: readonly string[];
  hostname?: string;
  users?: readonly string[];
  groups?: readonly string[];
  /** Script programs by path; anything else is "not found". */
  scripts?: Record<string, Partial<ScriptFileFacts>>;
  runningAsRoot?: boolean;
}

export function fakeHost(opts: FakeHostOptions = {}): HostFacts {
  const ifs = new Map<string, InterfaceFacts>();
  ifs.set('lo', { name: 'lo', loopback: true });
  for (const n of opts.interfaces ?? ['eth0']) ifs.set(n, { name: n, loopback: n === 'lo' });
  const users = new Set(opts.users ?? ['root']);
  const groups = new Set(opts.groups ?? ['root']);
  return {
    hostname: opts.hostname ?? 'lb1',
    runningAsRoot: opts.runningAsRoot ?? true,
    interface: (name) => ifs.get(name) ?? null,
    userExists: (n) => users.has(n),
    groupExists: (n) => groups.has(n),
    scriptFile: (program) => {
      const s = opts.scripts?.[program];
      if (!s) return { path: null, executable: false, writableByNonRoot: false };
      return { path: s.path ?? program, executable: s.executable ?? true, writableByNonRoot: s.writableByNonRoot ?? false };
    },
  };
}

/** Parse `text` as /etc/keepalived/keepalived.conf on a fake host. */
export function checkText(text: string, host: FakeHostOptions = {}, extra: MemoryTree = {}): CheckResult {
  const file = '/etc/keepalived/keepalived.conf';
  return checkConfig({ file, configId: 'lb1', fs: memoryFs({ [file]: text, ...extra }), host: fakeHost(host) });
}

/** The rendered diagnostics that affect the verdict (everything but notices). */
export function errors(r: CheckResult): string[] {
  return r.diagnostics.filter((d) => d.cls !== 'NOTICE').map(renderDiagnostic);
}

/** Line numbers of verdict-affecting diagnostics, sorted and unique. */
export function errorLines(r: CheckResult): number[] {
  const lines = r.diagnostics.filter((d) => d.cls !== 'NOTICE' && d.at).map((d) => d.at?.line ?? 0);
  return [...new Set(lines)].sort((a, b) => a - b);
}
