/**
 * How tests and benches start tsvrrpd: node with the flags the `tsvrrpd` command runs it with
 * (scripts/tsvrrpd.js's first line, the one place they are written), then dist/src/cli.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TSVRRPD_CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
export const TSVRRPD_LAUNCHER = path.join(ROOT, 'scripts', 'tsvrrpd.js');

/** The node flags on the launcher's `#!/usr/bin/env -S node ...` line. */
export function launcherNodeFlags(): string[] {
  const first = fs.readFileSync(TSVRRPD_LAUNCHER, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\/usr\/bin\/env(?: -S)? node(.*)$/.exec(first);
  if (m === null) throw new Error(`${TSVRRPD_LAUNCHER}: unexpected first line ${JSON.stringify(first)}`);
  return (m[1] ?? '').split(/\s+/).filter((f) => f !== '');
}

/** [node, its flags, cli.js]: put the CLI's arguments after it. */
export function tsvrrpdNode(): string[] {
  return [process.execPath, ...launcherNodeFlags(), TSVRRPD_CLI];
}
