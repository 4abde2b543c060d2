/**
 * io/faults.ts: what would unwind into native code (and abort the process) is reported to one
 * sink instead, rate-limited per place; the process-level handlers keep a daemon alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { FAULT_REPORT_INTERVAL_MS, guard, guardEmitter, reportFault, setFaultSink } from '../../../src/io/faults';

function collecting(): { reports: { where: string; message: string; suppressed: number }[]; restore: () => void } {
  const reports: { where: string; message: string; suppressed: number }[] = [];
  const previous = setFaultSink((where, e, suppressed) => reports.push({ where, message: e instanceof Error ? e.message : String(e), suppressed }));
  return { reports, restore: () => setFaultSink(previous) };
}

test('guard(): what the function throws is reported, not thrown; its arguments pass through', () => {
  const { reports, restore } = collecting();
  try {
    const seen: number[] = [];
    const f = guard('test place A', (n: number) => {
      seen.push(n);
      if (n === 2) throw new Error('boom');
    });
    f(1);
    f(2);
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(reports, [{ where: 'test place A', message: 'boom', suppressed: 0 }]);
  } finally {
    restore();
  }
});

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
    assert.deepEqual(
      reports.map((r) => `${r.where}: ${r.message}`),
      ['test emitter (message event): listener bug', 'test emitter (error event): no listener'],
    );
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
    for (let i = 0; i < 50; i++) reportFault('test place B', new Error(`n${i}`), t0 + i * 100);
    reportFault('test place C', new Error('other'), t0);
    reportFault('test place B', new Error('later'), t0 + FAULT_REPORT_INTERVAL_MS);
    assert.deepEqual(
      reports.map((r) => `${r.where} ${r.message} +${r.suppressed}`),
      ['test place B n0 +0', 'test place C other +0', 'test place B later +49'],
    );
  } finally {
    restore();
  }
});

test('installProcessFaultHandlers(): an uncaught exception and an unhandled rejection are reported and the process goes on', () => {
  const faults = path.resolve(__dirname, '../../../src/io/faults.js');
  const script = `
    const f = require(${JSON.stringify(faults)});
    f.setFaultSink((where, e) => process.stdout.write(where + ': ' + e.message + '\\n'));
    f.installProcessFaultHandlers();
    setTimeout(() => { throw new Error('thrown from a timer'); }, 1);
    Promise.reject(new Error('never caught'));
    setTimeout(() => process.stdout.write('still running\\n'), 30);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['an uncaught exception: thrown from a timer', 'an unhandled promise rejection: never caught', 'still running']);
});
