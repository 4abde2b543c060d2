/**
 * The real file system behind the config front end's ConfigFs port: synchronous reads (the
 * config is read once at start and on reload), errno translated into FsErrorCode.
 */
import * as fs from 'node:fs';
import type { ConfigFs, FileStat, FsErrorCode, ReadResult } from '../config/config-fs';

function errnoCode(err: unknown): FsErrorCode {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'EACCES':
    case 'EISDIR':
    case 'ENOTDIR':
    case 'ELOOP':
    case 'EMFILE':
    case 'EIO':
      return code;
    default:
      return 'OTHER';
  }
}

const MESSAGES: Readonly<Record<FsErrorCode, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  EIO: 'Input/output error',
  OTHER: 'cannot be read',
};

export const nodeConfigFs: ConfigFs = {
  readFile(path: string): ReadResult {
    try {
      return { ok: true, text: fs.readFileSync(path, 'latin1') };
    } catch (err) {
      const code = errnoCode(err);
      return { ok: false, code, message: MESSAGES[code] };
    }
  },
  stat(path: string): FileStat | null {
    try {
      const st = fs.statSync(path);
      const kind = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
      return { kind, executable: (st.mode & 0o111) !== 0, identity: `${st.dev}:${st.ino}` };
    } catch {
      return null;
    }
  },
  readDir(path: string): readonly string[] | null {
    try {
      return fs.readdirSync(path);
    } catch {
      return null;
    }
  },
};
