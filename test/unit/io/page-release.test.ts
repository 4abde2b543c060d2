/**
 * Giving back start-up code pages (native/src/mem_pageout.c, src/io/page-release.ts): on the
 * real kernel, the read-only mappings of a file only this process maps leave its resident set
 * while its writable mappings stay; and releaseStartupPages() never rejects, whatever the addon
 * does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NATIVE_ADDON_PATH } from '../../../src/io/native';
import { releaseStartupPages } from '../../../src/io/page-release';
import type { Logger } from '../../../src/io/logger';

/**
 * A child loads a private copy of the addon (so no other process maps that file: the kernel
 * keeps a page another process maps), and reports the resident kB of the copy's read-only and
 * writable mappings before and after pageOutFileMappings().
 */
const CHILD = `
const fs = require('fs');
const copy = process.argv[1];
const rss = () => {
  const out = { ro: 0, rw: 0 };
  let cur = null;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
    const m = /^[0-9a-f]+-[0-9a-f]+ (\\S+) \\S+ \\S+ \\S+\\s+(.*)$/.exec(line);
    if (m) { cur = m[2] === copy ? (m[1][1] === 'w' ? 'rw' : 'ro') : null; continue; }
    const r = /^Rss:\\s+(\\d+) kB/.exec(line);
    if (r && cur) out[cur] += Number(r[1]);
  }
  return out;
};
const addon = require(copy);
addon.rawSendTo(2147483000, new Uint8Array(20), 1); // run some of its code
// A page read in a moment ago may still sit in a per-CPU batch, not yet on the LRU lists
// the kernel reclaims from: a first call puts it there, the measured one reclaims it.
addon.pageOutFileMappings().then(() => new Promise((r) => setTimeout(r, 300))).then(() => {
const before = rss();
return addon.pageOutFileMappings().then(
  (bytes) => process.stdout.write(JSON.stringify({ bytes, before, after: rss() })),
  );
}).catch((e) => process.stdout.write(JSON.stringify({ error: e.code, syscall: e.syscall })));
`;

test('pageOutFileMappings: the read-only pages of a file only this process maps leave its resident set; writable mappings stay', { timeout: 20_000 }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsvrrpd-pageout-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const copy = path.join(dir, 'addon-copy.node');
  fs.copyFileSync(NATIVE_ADDON_PATH, copy);
  // Written back first: a dirty page-cache page cannot be reclaimed until it is.
  const fd = fs.openSync(copy, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  const r = spawnSync(process.execPath, ['-e', CHILD, copy], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { bytes?: number; before?: { ro: number; rw: number }; after?: { ro: number; rw: number }; error?: string };
  if (out.error === 'EINVAL') {
    t.skip('this kernel has no MADV_PAGEOUT (Linux < 5.4)');
    return;
  }
  assert.equal(out.error, undefined, `rejected: ${out.error}`);
  assert.ok(out.bytes !== undefined && out.before !== undefined && out.after !== undefined);
  assert.ok(out.bytes > 1 << 20, `advised only ${out.bytes} bytes (node's own code is tens of MB)`);
  assert.ok(out.before.ro > 0, 'the copy had resident read-only pages before');
  assert.ok(out.after.ro < out.before.ro, `read-only resident kB ${out.before.ro} -> ${out.after.ro}`);
  assert.equal(out.after.rw, out.before.rw, 'a writable mapping is never paged out');
});

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const put = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { log: { info: put('info'), warn: put('warn'), error: put('error'), debug: put('debug') }, lines };
}

test('releaseStartupPages: the MiB advised, with a debug line', async () => {
  const { log, lines } = recorder();
  const mib = await releaseStartupPages(log, () => ({ pageOutFileMappings: () => Promise.resolve(3 * 1048576) }));
  assert.equal(mib, 3);
  assert.deepEqual(lines, ["debug released the start-up's code pages: MADV_PAGEOUT over 3.0 MiB of file mappings"]);
});

test('releaseStartupPages: a rejection, a throwing call or an addon that cannot load resolve 0 with a debug line, never a rejection', async () => {
  const cases: (() => { pageOutFileMappings: () => Promise<number> })[] = [
    () => ({ pageOutFileMappings: () => Promise.reject(Object.assign(new Error('madvise EINVAL: Invalid argument (MADV_PAGEOUT)'), { code: 'EINVAL' })) }),
    () => ({
      pageOutFileMappings: () => {
        throw new Error('boom');
      },
    }),
    () => {
      throw new Error('native addon not built');
    },
  ];
  for (const addon of cases) {
    const { log, lines } = recorder();
    assert.equal(await releaseStartupPages(log, addon), 0);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^debug start-up code pages kept resident: /);
  }
});
