/**
 * `track_file`: an integer read from a file whenever it changes (inotify through fs.watch on
 * its directory, never polling), as keepalived trackers/track_file.c process_track_file():
 * a missing or empty file reads 0, the text is read like strtol(buf, NULL, 0) (leading blanks,
 * sign, 0x hex, leading-0 octal, stops at the first other character), and a value outside
 * 32 bits is logged and ignored. `init_file [V] [overwrite]` writes V (default 0) at start-up
 * when the file is missing, or always with `overwrite`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrackFile } from '../config/model';
import type { Logger } from './logger';

const INT32_MIN = -2_147_483_648;
const INT32_MAX_PLUS_1 = 2_147_483_648;
/** Quiet time after the last change event before the file is read (see rereadSoon()). */
const SETTLE_MS = 50;

/** strtol(text, NULL, 0) over the file's first 127 bytes; null when out of range. */
export function parseTrackFileValue(text: string): number | null {
  const m = /^[ \t\n\r\f\v]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?/.exec(text.slice(0, 127));
  const digits = m?.[2];
  if (digits === undefined) return 0;
  const magnitude = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith('0') ? parseInt(digits, 8) || 0 : parseInt(digits, 10);
  const value = m?.[1] === '-' ? -magnitude : magnitude;
  return value < INT32_MIN || value > INT32_MAX_PLUS_1 ? null : value;
}

export class TrackFileWatcher {
  private watcher: fs.FSWatcher | null = null;
  private settle: NodeJS.Timeout | null = null;
  private last = 0;

  constructor(
    readonly trackFile: TrackFile,
    private readonly log: Logger,
    private readonly onChange: (value: number) => void,
  ) {}

  get value(): number {
    return this.last;
  }

  /** Write init_file if asked, read the value, and watch the file's directory. */
  start(): number {
    const tf = this.trackFile;
    if (tf.initFile !== null && (tf.initFile.overwrite || !fs.existsSync(tf.file))) {
      try {
        fs.writeFileSync(tf.file, `${tf.initFile.value}\n`);
      } catch (e) {
        this.log.error(`Unable to initialise track file ${tf.name}: ${(e as Error).message}`);
      }
    }
    this.last = this.read() ?? 0;
    try {
      const base = path.basename(tf.file);
      this.watcher = fs.watch(path.dirname(tf.file), { persistent: false }, (_event, name) => {
        if (name === null || name === base) this.rereadSoon();
      });
      this.watcher.on('error', (e) => this.log.error(`track_file ${tf.name}: watching ${tf.file} failed: ${e.message}`));
    } catch (e) {
      this.log.error(`track_file ${tf.name}: cannot watch ${tf.file}: ${(e as Error).message}`);
    }
    return this.last;
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.settle) clearTimeout(this.settle);
    this.settle = null;
  }

  /**
   * keepalived reads on IN_CLOSE_WRITE / IN_MOVED_TO / IN_DELETE only; fs.watch also reports
   * IN_MODIFY (a truncation before the write), so the read waits until the file has been
   * quiet for SETTLE_MS, and a writer's half-written state is not reported (deviation: a writer
   * that pauses longer than that between truncating and writing may be read as 0 for a moment).
   */
  private rereadSoon(): void {
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.reread();
    }, SETTLE_MS);
  }

  private reread(): void {
    const v = this.read();
    if (v === null || v === this.last) return;
    this.last = v;
    this.onChange(v);
  }

  /** The value now, or null when it is to be ignored. */
  private read(): number | null {
    let text: string;
    try {
      const fd = fs.openSync(this.trackFile.file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      try {
        const buf = Buffer.alloc(127);
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        text = buf.subarray(0, n).toString('latin1');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return 0;
    }
    const v = parseTrackFileValue(text);
    if (v === null) this.log.info(`Invalid number read from ${this.trackFile.file} - ignoring`);
    return v;
  }
}
