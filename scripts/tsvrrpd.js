#!/usr/bin/env -S node --max-semi-space-size=2
// The `tsvrrpd` command (package.json "bin"). The flags on the line above are the daemon's
// heap settings (they must be on node's command line: V8 sizes its heap before any script
// runs). --max-semi-space-size=2 caps the young generation at 2 MB a half instead of 16: a
// 1 000-instance daemon's RSS 122 -> ~78 MB, and its scavenges pause ~1 ms rather than 5-10 ms
// (each one stalled every advert due meanwhile). Tests and benches run dist/src/cli.js with
// the same flags (test/support/tsvrrpd-command.ts reads them from this line).
// From a checkout it first makes sure the
// dependencies are installed and the TypeScript is compiled, so `npx tsvrrpd` works on a
// fresh clone; then it runs dist/src/cli.js.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'src', 'cli.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function prepare() {
  const quiet = { cwd: root, stdio: ['ignore', 2, 2] };
  if (!fs.existsSync(path.join(root, 'node_modules', 'typescript'))) {
    process.stderr.write('tsvrrpd: installing dependencies (first run)...\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], quiet);
  }
  if (!fs.existsSync(cli) || fs.statSync(cli).mtimeMs < newestMtime(path.join(root, 'src'))) {
    process.stderr.write('tsvrrpd: building...\n');
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], quiet);
  }
}

try {
  prepare();
} catch {
  process.stderr.write('tsvrrpd: could not install or build (see above)\n');
  process.exit(1);
}
Promise.resolve(require(cli).main(process.argv.slice(2))).then((code) => {
  process.exitCode = code;
});
