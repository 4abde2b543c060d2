/**
 * src/io/logger.ts: the console line keepalived's users grep for, and debug lines only
 * with -D (to the console and to syslog alike). Without -D a debug line is not even formatted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/io/logger';
import type { SyslogWriter } from '../../../src/io/syslog';

function capture(detail: boolean): { log: ReturnType<typeof createLogger>; lines: () => string[]; sys: string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const sys: string[] = [];
  const syslog = { write: (level: string, m: string) => void sys.push(`${level} ${m}`) } as unknown as SyslogWriter;
  const log = createLogger({ detail, stream, syslog });
  return { log, lines: () => text.split('\n').filter((l) => l.length > 0), sys };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('createLogger(): "<ISO time> tsvrrpd[<pid>]: message" on the console, and to syslog', async () => {
  const { log, lines, sys } = capture(false);
  log.info('(VI_1) Entering MASTER STATE');
  await settle();
  assert.equal(lines().length, 1);
  assert.match(lines()[0] ?? '', new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z tsvrrpd\\[${process.pid}\\]: \\(VI_1\\) Entering MASTER STATE$`));
  assert.deepEqual(sys, ['info (VI_1) Entering MASTER STATE']);
});

test('createLogger(): debug lines only with -D (detail), on both destinations', async () => {
  const quiet = capture(false);
  quiet.log.debug('(VI_1) Receive advertisement timeout');
  quiet.log.warn('w');
  await settle();
  assert.deepEqual(quiet.lines().map((l) => l.replace(/^.*: /, '')), ['w']);
  assert.deepEqual(quiet.sys, ['warn w']);

  const detailed = capture(true);
  detailed.log.debug('(VI_1) Receive advertisement timeout');
  await settle();
  assert.deepEqual(detailed.lines().map((l) => l.replace(/^.*\]: /, '')), ['(VI_1) Receive advertisement timeout']);
  assert.deepEqual(detailed.sys, ['debug (VI_1) Receive advertisement timeout']);
});
