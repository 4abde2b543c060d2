/**
 * A file written whole or not at all: the text goes into a temporary file in the same
 * directory (O_EXCL and O_NOFOLLOW, so nothing planted there is followed; `mode` set
 * explicitly, whatever the umask), which is then renamed over `file`. A reader sees the old
 * file or the new one, never part of one. Throws the system error; the temporary file is gone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(file: string, text: string, mode: number): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.rmSync(tmp, { force: true });
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
    try {
      fs.writeSync(fd, text);
      fs.fchmodSync(fd, mode);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
