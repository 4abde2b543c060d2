/**
 * Writes keepalived's dump files (SIGUSR1 keepalived.data, SIGUSR2 keepalived.stats, JSON
 * keepalived.json; their names and rules are runtime/status.ts's dumpFilePath()). Better than
 * keepalived 2.2.7, which renames an empty temporary file over the old one and then writes into
 * it: the text is written whole into a temporary file in the same directory (mode 0600, as
 * keepalived's umask leaves its files; O_EXCL and O_NOFOLLOW, so nothing planted there is
 * followed), then renamed over the old file, so a reader (an exporter scraping every few
 * seconds) sees the old file or the new one, never part of one. Failures are logged, never thrown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from './errors';

/** keepalived's dump files are -rw------- root:root. */
export const DUMP_FILE_MODE = 0o600;

/** Write `text` to `file` atomically; false (after `onError`) when it could not be written. */
export function writeDumpFile(file: string, text: string, onError: (message: string) => void): boolean {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.rmSync(tmp, { force: true });
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, DUMP_FILE_MODE);
    try {
      fs.writeSync(fd, text);
      fs.fchmodSync(fd, DUMP_FILE_MODE);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    return true;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    onError(`cannot write ${file}: ${errorMessage(e)}`);
    return false;
  }
}
