/**
 * Writes keepalived's dump files (SIGUSR1 keepalived.data, SIGUSR2 keepalived.stats, JSON
 * keepalived.json; their names and rules are runtime/status.ts's dumpFilePath()). Better than
 * keepalived 2.2.7, which renames an empty temporary file over the old one and then writes into
 * it, the text is written whole and then renamed into place (atomic-file.ts), mode 0600 as
 * keepalived's umask leaves its files, so a reader (an exporter scraping every few seconds)
 * sees the old file or the new one, never part of one. Failures are logged, never thrown.
 */
import { writeFileAtomic } from './atomic-file';
import { errorMessage } from './errors';

/** keepalived's dump files are -rw------- root:root. */
export const DUMP_FILE_MODE = 0o600;

/** Write `text` to `file` atomically; false (after `onError`) when it could not be written. */
export function writeDumpFile(file: string, text: string, onError: (message: string) => void): boolean {
  try {
    writeFileAtomic(file, text, DUMP_FILE_MODE);
    return true;
  } catch (e) {
    onError(`cannot write ${file}: ${errorMessage(e)}`);
    return false;
  }
}
