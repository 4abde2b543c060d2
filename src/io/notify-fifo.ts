/**
 * The notify FIFOs (reference B17): one line `TYPE "NAME" STATE PRIO\n` per event, written to
 * `notify_fifo` and `vrrp_notify_fifo`. Owns creating (mkfifo through native/), opening,
 * writing and closing the pipes. It must never block the event loop and never throw at the
 * caller: the pipe is opened O_RDWR|O_NONBLOCK (on Linux that open never waits for a reader,
 * and holding a read end means a write can never raise EPIPE/SIGPIPE), and a full pipe drops
 * the line and logs that once until writes go through again.
 *
 * keepalived: lib/notify.c fifo_open()/fifo_close(), vrrp_notify.c notify_fifo(),
 * core/global_data.c init_global_data() (same FIFO twice), global_parser.c notify_fifo()
 * and lib/notify.c get_default_script_user() (the owner of a created FIFO).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GlobalDefs, NotifyFifo } from '../config/model';
import { isNativeSystemError, loadNative } from './native';
import { systemAccounts, type AccountDb } from './accounts';
import type { Logger } from './logger';

export type FifoType = 'INSTANCE' | 'GROUP';

export type FifoState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED' | 'MASTER_RX_LOWER_PRI' | 'MASTER_PRIORITY' | 'BACKUP_PRIORITY';

/** keepalived fifo_open(): S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH, before the umask. */
export const FIFO_MODE = 0o644;

/** keepalived notify_fifo(): `INSTANCE "VI_1" MASTER 100\n`; groups report priority 0. */
export function fifoLine(type: FifoType, name: string, state: FifoState, priority: number): string {
  return `${type} "${name}" ${state} ${priority}\n`;
}

/** uid/gid to give a FIFO this process creates; -1 leaves that id unchanged (chown(2)). */
export interface FifoOwner {
  readonly uid: number;
  readonly gid: number;
}

export interface NotifyFifosOptions {
  /** Defaults to the native addon's mkfifo(3). */
  readonly mkfifo?: (path: string, mode: number) => void;
  /** Defaults to reading /etc/passwd and /etc/group. */
  readonly accounts?: AccountDb;
  /** This process's ids; default process.getuid()/getgid(). */
  readonly ourUid?: number;
  readonly ourGid?: number;
}

/**
 * keepalived global_parser.c notify_fifo(): the FIFO's `user [group]` (the group defaults to
 * the user's primary group), otherwise the default script user: `script_user`, else
 * `keepalived_script` if that user exists, else ourselves. null = keep our own ids.
 */
export function fifoOwner(fifo: NotifyFifo, global: Pick<GlobalDefs, 'scriptUser'>, accounts: AccountDb): FifoOwner | null {
  const who = fifo.user !== null ? { user: fifo.user, group: fifo.group } : global.scriptUser ?? { user: 'keepalived_script', group: null };
  const u = accounts.user(who.user);
  if (u === null) return null;
  const gid = who.group !== null ? accounts.group(who.group) : u.gid;
  return { uid: u.uid, gid: gid ?? u.gid };
}

interface OpenFifo {
  readonly path: string;
  readonly label: string;
  readonly fd: number;
  readonly created: boolean;
  /** Lines dropped since the last successful write; > 0 means the drop was logged. */
  dropped: number;
}

function errCode(e: unknown): string {
  if (isNativeSystemError(e)) return e.code;
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'UNKNOWN';
}

export class NotifyFifos {
  private closed = false;

  private constructor(
    private readonly fifos: OpenFifo[],
    private readonly log: Logger,
  ) {}

  /**
   * Open `notify_fifo` then `vrrp_notify_fifo` (keepalived notify_fifo_open() order). A FIFO
   * that cannot be created or opened, or whose path is not a FIFO, is logged and left out;
   * this never throws.
   */
  static open(global: GlobalDefs, log: Logger, options: NotifyFifosOptions = {}): NotifyFifos {
    const wanted: { fifo: NotifyFifo; kind: string }[] = [];
    if (global.notifyFifo !== null) wanted.push({ fifo: global.notifyFifo, kind: '' });
    if (global.vrrpNotifyFifo !== null) {
      // keepalived init_global_data(): the same FIFO twice would duplicate every line.
      if (global.notifyFifo !== null && path.resolve(global.notifyFifo.path) === path.resolve(global.vrrpNotifyFifo.path)) {
        log.info(`notify FIFO ${global.vrrpNotifyFifo.path} has been specified for global and vrrp FIFO - ignoring vrrp FIFO`);
      } else {
        wanted.push({ fifo: global.vrrpNotifyFifo, kind: 'vrrp_' });
      }
    }
    const opened: OpenFifo[] = [];
    for (const w of wanted) {
      const f = openOne(w.fifo, w.kind, global, log, options);
      if (f !== null) opened.push(f);
    }
    return new NotifyFifos(opened, log);
  }

  /** The paths being written to. */
  get paths(): readonly string[] {
    return this.fifos.map((f) => f.path);
  }

  /** One event line to every open FIFO; never blocks, never throws. */
  write(type: FifoType, name: string, state: FifoState, priority: number): void {
    if (this.closed || this.fifos.length === 0) return;
    const line = Buffer.from(fifoLine(type, name, state, priority));
    for (const f of this.fifos) this.writeOne(f, line);
  }

  private writeOne(f: OpenFifo, line: Buffer): void {
    let written: number;
    try {
      written = fs.writeSync(f.fd, line);
    } catch (e: unknown) {
      this.dropped(f, errCode(e) === 'EAGAIN' ? 'the pipe is full (is anything reading it?)' : `write failed: ${errCode(e)}`);
      return;
    }
    // Lines up to PIPE_BUF (4096 bytes) are written whole or not at all; a longer one can be cut.
    if (written < line.length) {
      this.dropped(f, `only ${written} of ${line.length} bytes of a line fitted in the pipe`);
      return;
    }
    if (f.dropped > 0) {
      this.log.info(`${f.label} ${f.path}: writing again, ${f.dropped} event line(s) were dropped`);
      f.dropped = 0;
    }
  }

  /** Rate limit: the first drop is logged, the next ones only counted until a write succeeds. */
  private dropped(f: OpenFifo, reason: string): void {
    if (f.dropped === 0) this.log.warn(`${f.label} ${f.path}: ${reason} - dropping event lines until it drains`);
    f.dropped++;
  }

  /**
   * Close every FIFO; one this process created is unlinked first, so a reader looping on
   * reopening it cannot reopen it (keepalived fifo_close()).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of this.fifos) {
      if (f.created) {
        try {
          fs.unlinkSync(f.path);
        } catch (e: unknown) {
          this.log.debug(`${f.label} ${f.path}: unlink on close failed: ${errCode(e)}`);
        }
      }
      try {
        fs.closeSync(f.fd);
      } catch {
        // already closed: nothing left to release
      }
    }
  }
}

/** keepalived fifo_open(): create if missing (mode 0644, chowned to the FIFO user), then open. */
function openOne(fifo: NotifyFifo, kind: string, global: GlobalDefs, log: Logger, options: NotifyFifosOptions): OpenFifo | null {
  const label = `${kind}notify_fifo`;
  const p = fifo.path;
  let created = false;
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(p);
  } catch (e: unknown) {
    if (errCode(e) !== 'ENOENT') {
      log.error(`Unable to create ${label} ${p}: ${errCode(e)} - FIFO disabled`);
      return null;
    }
  }
  if (st === null) {
    try {
      (options.mkfifo ?? ((fp: string, mode: number) => loadNative().mkfifo(fp, mode)))(p, FIFO_MODE);
      created = true;
    } catch (e: unknown) {
      if (errCode(e) !== 'EEXIST') {
        log.error(`Unable to create ${label} ${p}: ${errCode(e)} - FIFO disabled`);
        return null;
      }
    }
    if (created) chownCreated(fifo, label, global, log, options);
  } else if (!st.isFIFO()) {
    log.error(`${label} ${p} exists and is not a FIFO - FIFO disabled`);
    return null;
  }
  const fail = (msg: string): null => {
    log.error(`Unable to open ${label} ${p}: ${msg} - FIFO disabled`);
    if (created) fs.rmSync(p, { force: true });
    return null;
  };
  let fd: number;
  try {
    // O_NOFOLLOW as keepalived; libuv adds O_CLOEXEC.
    fd = fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (e: unknown) {
    return fail(errCode(e));
  }
  // Re-check on the open descriptor: the path may have been swapped since lstat.
  if (!fs.fstatSync(fd).isFIFO()) {
    fs.closeSync(fd);
    return fail('not a FIFO');
  }
  return { path: p, label, fd, created, dropped: 0 };
}

/** keepalived fifo_open(): only a FIFO we created is chowned, and only the ids that differ. */
function chownCreated(fifo: NotifyFifo, label: string, global: GlobalDefs, log: Logger, options: NotifyFifosOptions): void {
  const owner = fifoOwner(fifo, global, options.accounts ?? systemAccounts);
  if (owner === null) return;
  const ourUid = options.ourUid ?? process.getuid?.() ?? -1;
  const ourGid = options.ourGid ?? process.getgid?.() ?? -1;
  const uid = owner.uid !== ourUid ? owner.uid : -1;
  const gid = owner.gid !== ourGid ? owner.gid : -1;
  if (uid === -1 && gid === -1) return;
  try {
    fs.chownSync(fifo.path, uid, gid);
  } catch (e: unknown) {
    log.warn(`Failed to set uid:gid ${owner.uid}:${owner.gid} for ${label} ${fifo.path}: ${errCode(e)}`);
  }
}
