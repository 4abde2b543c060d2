/**
 * System failures as typed errors with a stable `code` and the original `cause`
 * (shared/design/ARCHITECTURE.md §3): errno is translated at the adapter, and callers branch
 * on `code`, never on message text.
 */

export type IoErrorCode =
  | 'EPERM'
  | 'EACCES'
  | 'ENODEV'
  | 'ENOENT'
  | 'EEXIST'
  | 'EADDRNOTAVAIL'
  | 'ENETDOWN'
  | 'ENETUNREACH'
  | 'EINVAL'
  | 'EBUSY'
  | 'ENOBUFS'
  | 'EIO'
  | 'UNKNOWN';

export class TsvrrpdIoError extends Error {
  override readonly name = 'TsvrrpdIoError';
  constructor(
    readonly code: IoErrorCode,
    /** What was being done, e.g. "add 10.0.0.1/24 to eth0". */
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${code}`, options);
  }
}

const KNOWN: ReadonlySet<string> = new Set(['EPERM', 'EACCES', 'ENODEV', 'ENOENT', 'EEXIST', 'EADDRNOTAVAIL', 'ENETDOWN', 'ENETUNREACH', 'EINVAL', 'EBUSY', 'ENOBUFS', 'EIO']);

/** errno numbers the kernel returns in netlink errors (Linux asm-generic/errno*.h). */
const ERRNO_NUMBERS: Readonly<Record<number, IoErrorCode>> = {
  1: 'EPERM',
  2: 'ENOENT',
  5: 'EIO',
  13: 'EACCES',
  16: 'EBUSY',
  17: 'EEXIST',
  19: 'ENODEV',
  22: 'EINVAL',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  105: 'ENOBUFS',
};

/** Map an errno name or (positive or negative) number to an IoErrorCode. */
export function ioCode(errno: string | number | undefined): IoErrorCode {
  if (typeof errno === 'number') return ERRNO_NUMBERS[Math.abs(errno)] ?? 'UNKNOWN';
  return errno !== undefined && KNOWN.has(errno) ? (errno as IoErrorCode) : 'UNKNOWN';
}

/** The message of anything thrown (a TsvrrpdIoError's is `operation: CODE`). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
