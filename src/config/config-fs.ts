/**
 * The port through which the config front end reads files. The parser stays pure: the CLI
 * injects the real file system (src/io/config-fs-node.ts), tests inject an in-memory one.
 * Every method answers with data or a typed failure; none throws.
 */

export type FsErrorCode = 'ENOENT' | 'EACCES' | 'EISDIR' | 'ENOTDIR' | 'ELOOP' | 'EMFILE' | 'EIO' | 'OTHER';

export type ReadResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly code: FsErrorCode; readonly message: string };

export interface FileStat {
  readonly kind: 'file' | 'directory' | 'other';
  /** Any execute bit set (keepalived refuses executable config files). */
  readonly executable: boolean;
  /** A stable identity (device:inode) so include cycles are found through links too. */
  readonly identity: string;
}

export interface ConfigFs {
  /** The file's bytes as text (latin1: one char per byte, so binary input stays harmless). */
  readFile(path: string): ReadResult;
  /** stat(2): follows links; null when the path does not exist or cannot be reached. */
  stat(path: string): FileStat | null;
  /** Names in a directory (no `.`/`..`), or null when it cannot be read. */
  readDir(path: string): readonly string[] | null;
}
