/**
 * The vrrp_script rise/fall counter (src/protocol/script-result.ts): keepalived
 * vrrp_scheduler.c vrrp_init_script() and vrrp_script_child_thread().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptResult, type ScriptReport } from '../../../src/protocol/script-result';

/** Feed a run sequence ('+' success, '-' failure); returns the report of each run. */
function feed(r: ScriptResult, runs: string): (ScriptReport | null)[] {
  return [...runs].map((c) => r.record(c === '+'));
}

test('keepalived vrrp_init_script(): no result before the first run (init state)', () => {
  const r = new ScriptResult({ rise: 3, fall: 2, initFail: false });
  assert.equal(r.status, null);
  assert.equal(r.counter, 2);
});

test('keepalived vrrp_init_script(): init_fail starts FAILED with the counter at 0', () => {
  const r = new ScriptResult({ rise: 3, fall: 2, initFail: true });
  assert.equal(r.status, false);
  assert.equal(r.counter, 0);
});

test('keepalived vrrp_script_child_thread(): rise 1 / fall 1 reports every change, once', () => {
  const r = new ScriptResult({ rise: 1, fall: 1, initFail: false });
  assert.deepEqual(feed(r, '++--+-'), ['ok', null, 'failed', null, 'ok', 'failed']);
  assert.equal(r.status, false);
});

test('keepalived vrrp_init_script(): in the init state one success is enough, even with rise 3', () => {
  const r = new ScriptResult({ rise: 3, fall: 2, initFail: false });
  assert.deepEqual(feed(r, '+'), ['ok']);
  assert.equal(r.status, true);
  assert.equal(r.counter, 4);
});

test('keepalived vrrp_script_child_thread(): the first failure in the init state is reported', () => {
  const r = new ScriptResult({ rise: 3, fall: 2, initFail: false });
  assert.deepEqual(feed(r, '-'), ['failed']);
  assert.equal(r.status, false);
  assert.equal(r.counter, 0);
});

test('keepalived vrrp_script_child_thread(): rise 3 / fall 2 needs 2 failures down and 3 successes up', () => {
  const r = new ScriptResult({ rise: 3, fall: 2, initFail: false });
  assert.deepEqual(feed(r, '+'), ['ok']);
  // One failure only counts down (4 -> 3): still OK.
  assert.deepEqual(feed(r, '-'), [null]);
  assert.equal(r.status, true);
  // A success goes straight back to the top.
  assert.deepEqual(feed(r, '+'), [null]);
  assert.equal(r.counter, 4);
  assert.deepEqual(feed(r, '--'), [null, 'failed']);
  assert.equal(r.status, false);
  // After the init state, `rise` consecutive successes are needed.
  assert.deepEqual(feed(r, '++'), [null, null]);
  assert.equal(r.status, false);
  assert.deepEqual(feed(r, '+'), ['ok']);
  assert.equal(r.status, true);
});

test('keepalived vrrp_script_child_thread(): a failure while rising restarts the count, unreported', () => {
  const r = new ScriptResult({ rise: 3, fall: 2, initFail: false });
  feed(r, '-');
  assert.deepEqual(feed(r, '++-'), [null, null, null]);
  assert.equal(r.counter, 0);
  assert.deepEqual(feed(r, '+++'), [null, null, 'ok']);
});

test('keepalived init_fail: failures at 0 are not reported again, rise successes turn it OK', () => {
  const r = new ScriptResult({ rise: 2, fall: 1, initFail: true });
  assert.deepEqual(feed(r, '-'), [null]);
  assert.equal(r.status, false);
  assert.deepEqual(feed(r, '+'), [null]);
  assert.equal(r.status, false);
  assert.deepEqual(feed(r, '+'), ['ok']);
  assert.deepEqual(feed(r, '-'), ['failed']);
});

test('keepalived init_fail with rise 1: the first success reports OK', () => {
  const r = new ScriptResult({ rise: 1, fall: 3, initFail: true });
  assert.deepEqual(feed(r, '+'), ['ok']);
  assert.equal(r.counter, 3);
  assert.deepEqual(feed(r, '--'), [null, null]);
  assert.equal(r.status, true);
  assert.deepEqual(feed(r, '-'), ['failed']);
});

test('keepalived vrrp_script_child_thread(): the counter stays within 0 .. rise+fall-1', () => {
  const r = new ScriptResult({ rise: 2, fall: 3, initFail: false });
  for (let i = 0; i < 10; i++) r.record(true);
  assert.equal(r.counter, 4);
  for (let i = 0; i < 10; i++) r.record(false);
  assert.equal(r.counter, 0);
});
