/**
 * io/faults.ts: what would unwind into native code (and abort the process) is reported to one
 * sink instead, rate-limited per place; the process-level handlers keep a daemon alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { FAULT_REPORT_INTERVAL_MS, guardEmitter, reportFault, setFaultSink } from '../../../src/io/faults';

/** The first line of each report (the stack's first line is "Error: message"). */
function collecting(): { reports: string[]; restore: () => void } {
  const reports: string[] = [];
  const previous = setFaultSink((line) => reports.push(line.split('\n', 1)[0] ?? ''));
  return { reports, restore: () => setFaultSink(previous) };
}

test("guardEmitter(): a throwing listener (or an 'error' nobody listens to) never unwinds out of emit()", () => {
  const { reports, restore } = collecting();
  try {
    const e = new EventEmitter();
    guardEmitter(e, 'test emitter');
    e.on('message', () => {
      throw new Error('listener bug');
    });
    assert.equal(e.emit('message', 1), true);
    assert.doesNotThrow(() => e.emit('error', new Error('no listener')));
    assert.deepEqual(reports, ['internal error in test emitter (message event): Error: listener bug', 'internal error in test emitter (error event): Error: no listener']);
    const plain = {};
    guardEmitter(plain, 'not an emitter');
    assert.deepEqual(plain, {}, 'an object without emit() is left alone');
  } finally {
    restore();
  }
});

test('reportFault(): one report per place per interval, then the count of those held back', () => {
  const { reports, restore } = collecting();
  try {
    const t0 = 1_000_000_000;
    // Thrown values that are not Errors have no stack: the whole report is one line.
    for (let i = 0; i < 50; i++) reportFault('test place B', `n${i}`, t0 + i * 100);
    reportFault('test place C', 'other', t0);
    reportFault('test place B', 'later', t0 + FAULT_REPORT_INTERVAL_MS);
    assert.deepEqual(reports, [
      'internal error in test place B: n0',
      'internal error in test place C: other',
      'internal error in test place B: later (49 more since the last report)',
    ]);
  } finally {
    restore();
  }
});

test('installProcessFaultHandlers(): an uncaught exception and an unhandled rejection are reported and the process goes on', () => {
  const faults = path.resolve(__dirname, '../../../src/io/faults.js');
  const script = `
    const f = require(${JSON.stringify(faults)});
    f.setFaultSink((line) => process.stdout.write(line.split('\\n')[0] + '\\n'));
    f.installProcessFaultHandlers();
    setTimeout(() => { throw new Error('thrown from a timer'); }, 1);
    Promise.reject(new Error('never caught'));
    setTimeout(() => process.stdout.write('still running\\n'), 30);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['internal error in an uncaught exception: Error: thrown from a timer', 'internal error in an unhandled promise rejection: Error: never caught', 'still running']);
});
