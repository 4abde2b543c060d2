/**
 * InstanceTracking (src/protocol/tracking.ts): keepalived's tracker arithmetic, checked against
 * transcriptions of vrrp_track.c process_script_update_priority() and
 * initialise_interface_tracking_priorities(), keepalived_netlink.c's link-change branch
 * (total_priority ± abs(weight) × weight_multiplier), and track_file.c
 * update_track_file_status() / process_update_vrrp_track_file_status() /
 * initialise_vrrp_file_tracking_priorities(). The multiplier is −1 with `reverse`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstanceTracking, type TrackerKind, type TrackerSpec } from '../../../src/protocol/tracking';

const spec = (kind: TrackerKind, name: string, weight: number, reverse = false): TrackerSpec => ({ kind, name, weight, reverse });

function one(s: TrackerSpec, status: boolean | number | null): InstanceTracking {
  const t = new InstanceTracking([s]);
  if (status !== null) t.set(s.kind, s.name, status);
  return t;
}

/**
 * keepalived's running total for one weighted script (or interface) tracker, transcribed from
 * vrrp_track.c process_script_update_priority(): called on the first result and then on each
 * change of state only (vrrp_scheduler.c vrrp_script_child_thread()).
 */
class KeepalivedWeighted {
  total = 0;
  private init = true;
  private last: boolean | null = null;
  constructor(
    private readonly weight: number,
    private readonly multiplier: 1 | -1,
  ) {}
  result(ok: boolean): void {
    if (this.last === ok) return;
    this.last = ok;
    const w = this.weight;
    const m = this.multiplier;
    if (this.init) {
      this.init = false;
      if (ok) {
        if (w > 0) this.total += w * m;
      } else if (w < 0) this.total += w * m;
    } else if (ok) this.total += Math.abs(w) * m;
    else this.total -= Math.abs(w) * m;
  }
}

// ---- scripts, weight 0 ----

test('keepalived process_script_update_priority(): weight 0, failure → FAULT (script_ok != (multiplier == 1))', () => {
  const t = one(spec('script', 'chk', 0), false);
  assert.equal(t.faultReason, 'script chk');
  assert.equal(t.delta, 0);
});

test('keepalived process_script_update_priority(): weight 0, success → no FAULT, no delta', () => {
  const t = one(spec('script', 'chk', 0), true);
  assert.equal(t.faultReason, null);
  assert.equal(t.delta, 0);
});

test('keepalived process_script_update_priority(): weight 0 reverse (multiplier −1), success → FAULT, failure → up', () => {
  assert.equal(one(spec('script', 'chk', 0, true), true).faultReason, 'script chk');
  assert.equal(one(spec('script', 'chk', 0, true), false).faultReason, null);
});

test('keepalived num_script_init: a weight-0 script without a result holds no FAULT and adds nothing', () => {
  for (const reverse of [false, true]) {
    const t = one(spec('script', 'chk', 0, reverse), null);
    assert.equal(t.faultReason, null);
    assert.equal(t.delta, 0);
    assert.equal(t.status('script', 'chk'), null);
  }
});

// ---- scripts, weighted: table from keepalived's code with multiplier ±1 ----

const weightedTable: { weight: number; reverse: boolean; ok: number; failed: number }[] = [
  // weight > 0 adds W×m while OK; nothing while failed.
  { weight: 10, reverse: false, ok: 10, failed: 0 },
  { weight: 10, reverse: true, ok: -10, failed: 0 },
  // weight < 0 adds W×m while failed; nothing while OK.
  { weight: -10, reverse: false, ok: 0, failed: -10 },
  { weight: -10, reverse: true, ok: 0, failed: 10 },
  { weight: 253, reverse: false, ok: 253, failed: 0 },
  { weight: -253, reverse: true, ok: 0, failed: 253 },
];

for (const row of weightedTable) {
  const label = `weight ${row.weight}${row.reverse ? ' reverse' : ''}`;
  test(`keepalived process_script_update_priority(): script ${label} contributes ${row.ok} while OK, ${row.failed} while failed`, () => {
    assert.equal(one(spec('script', 's', row.weight, row.reverse), true).delta, row.ok);
    assert.equal(one(spec('script', 's', row.weight, row.reverse), false).delta, row.failed);
    assert.equal(one(spec('script', 's', row.weight, row.reverse), null).delta, 0, 'no result yet contributes nothing');
    assert.equal(one(spec('script', 's', row.weight, row.reverse), false).faultReason, null, 'a weighted script never faults');
  });
  test(`keepalived track_interface (initialise_interface_tracking_priorities(), netlink link change): ${label} contributes ${row.ok} while up, ${row.failed} while down`, () => {
    assert.equal(one(spec('interface', 'eth1', row.weight, row.reverse), true).delta, row.ok);
    assert.equal(one(spec('interface', 'eth1', row.weight, row.reverse), false).delta, row.failed);
    assert.equal(one(spec('interface', 'eth1', row.weight, row.reverse), false).faultReason, null);
  });
}

test('keepalived process_script_update_priority(): every result sequence matches the transcribed running total', () => {
  let sequences = 0;
  for (const weight of [-253, -30, -1, 1, 7, 253]) {
    for (const reverse of [false, true]) {
      // Every sequence of 1..6 results.
      for (let len = 1; len <= 6; len++) {
        for (let bits = 0; bits < 1 << len; bits++) {
          const ka = new KeepalivedWeighted(weight, reverse ? -1 : 1);
          const s = spec('script', 's', weight, reverse);
          const t = new InstanceTracking([s]);
          for (let i = 0; i < len; i++) {
            const ok = ((bits >> i) & 1) === 1;
            ka.result(ok);
            t.set('script', 's', ok);
            assert.equal(t.delta, ka.total, `weight ${weight} reverse ${reverse} after ${i + 1} of ${bits.toString(2)}`);
          }
          sequences++;
        }
      }
    }
  }
  assert.equal(sequences, 12 * 126);
});

test('keepalived keepalived_netlink.c link change: interface up/down sequences match the weighted running total', () => {
  for (const weight of [-50, 50]) {
    for (const reverse of [false, true]) {
      const ka = new KeepalivedWeighted(weight, reverse ? -1 : 1);
      const t = new InstanceTracking([spec('interface', 'eth1', weight, reverse)]);
      for (const up of [true, false, false, true, false, true, true]) {
        ka.result(up);
        t.set('interface', 'eth1', up);
        assert.equal(t.delta, ka.total, `weight ${weight} reverse ${reverse}`);
      }
    }
  }
});

// ---- interfaces, weight 0 ----

test('keepalived initialise_interface_tracking_priorities(): unweighted interface down → FAULT, up → none', () => {
  assert.equal(one(spec('interface', 'eth1', 0), false).faultReason, 'interface eth1');
  assert.equal(one(spec('interface', 'eth1', 0), true).faultReason, null);
  assert.equal(one(spec('interface', 'eth1', 0), null).faultReason, null, 'no state read yet');
});

test('keepalived IF_FLAGS_UP(ifp) != (weight_multiplier == 1): unweighted reverse interface is a FAULT while up', () => {
  assert.equal(one(spec('interface', 'eth1', 0, true), true).faultReason, 'interface eth1');
  assert.equal(one(spec('interface', 'eth1', 0, true), false).faultReason, null);
});

// ---- track_file ----

/**
 * keepalived's contribution of one track_file to total_priority, and its fault, transcribed:
 * update_track_file_status() computes `status` (INT_MIN for a weight-0 fault), then
 * process_update_vrrp_track_file_status() clamps it to [−254, 253]; −254 = FAULT.
 */
function keepalivedFile(value: number, weight: number, reverse: boolean): { delta: number; fault: boolean } {
  const m = reverse ? -1 : 1;
  let status = weight === 0 ? ((value === 0) !== (m === 1) ? -2147483648 : 0) : value * weight * m;
  if (status < -254) status = -254;
  else if (status > 253) status = 253;
  return status === -254 ? { delta: 0, fault: true } : { delta: status, fault: false };
}

const fileTable: { value: number; weight: number; reverse: boolean; delta: number; fault: boolean }[] = [
  { value: 0, weight: 1, reverse: false, delta: 0, fault: false },
  { value: 5, weight: 1, reverse: false, delta: 5, fault: false },
  { value: 5, weight: 3, reverse: false, delta: 15, fault: false },
  { value: 5, weight: 3, reverse: true, delta: -15, fault: false },
  { value: -5, weight: 3, reverse: true, delta: 15, fault: false },
  { value: -5, weight: -3, reverse: false, delta: 15, fault: false },
  { value: -253, weight: 1, reverse: false, delta: -253, fault: false },
  { value: -254, weight: 1, reverse: false, delta: 0, fault: true },
  { value: -127, weight: 2, reverse: false, delta: 0, fault: true },
  { value: -100000, weight: 1, reverse: false, delta: 0, fault: true },
  { value: 253, weight: 1, reverse: false, delta: 253, fault: false },
  { value: 254, weight: 1, reverse: false, delta: 253, fault: false },
  { value: 200, weight: 2, reverse: false, delta: 253, fault: false },
  { value: 2147483648, weight: 254, reverse: false, delta: 253, fault: false },
  { value: 254, weight: 1, reverse: true, delta: 0, fault: true },
  // weight 0: a non-zero value is a FAULT; with reverse, zero is.
  { value: 0, weight: 0, reverse: false, delta: 0, fault: false },
  { value: 1, weight: 0, reverse: false, delta: 0, fault: true },
  { value: -1, weight: 0, reverse: false, delta: 0, fault: true },
  { value: 0, weight: 0, reverse: true, delta: 0, fault: true },
  { value: 7, weight: 0, reverse: true, delta: 0, fault: false },
];

for (const row of fileTable) {
  test(`keepalived process_update_vrrp_track_file_status(): value ${row.value} × weight ${row.weight}${row.reverse ? ' reverse' : ''} → ${row.fault ? 'FAULT' : `delta ${row.delta}`}`, () => {
    assert.deepEqual(keepalivedFile(row.value, row.weight, row.reverse), { delta: row.delta, fault: row.fault }, 'table agrees with the transcription');
    const t = one(spec('file', 'tf', row.weight, row.reverse), row.value);
    assert.equal(t.delta, row.delta);
    assert.equal(t.faultReason, row.fault ? 'tracked file tf' : null);
  });
}

test('keepalived initialise_vrrp_file_tracking_priorities(): a file not read yet counts as value 0', () => {
  assert.equal(one(spec('file', 'tf', 0), null).faultReason, null);
  assert.equal(one(spec('file', 'tf', 0, true), null).faultReason, 'tracked file tf');
  assert.equal(one(spec('file', 'tf', 10), null).delta, 0);
});

test('keepalived track_file.c: value changes move the contribution by new − previous, through FAULT and back', () => {
  const t = new InstanceTracking([spec('file', 'tf', 2)]);
  const seen: [number, string | null][] = [];
  for (const v of [0, 10, -10, -127, -126, 500, 0]) {
    t.set('file', 'tf', v);
    seen.push([t.delta, t.faultReason]);
  }
  assert.deepEqual(seen, [
    [0, null],
    [20, null],
    [-20, null],
    [0, 'tracked file tf'],
    [-252, null],
    [253, null],
    [0, null],
  ]);
});

// ---- several trackers ----

test('keepalived total_priority: several trackers sum, and every faulting tracker is named in order', () => {
  const t = new InstanceTracking([
    spec('interface', 'eth0', 0),
    spec('script', 'up', 20),
    spec('script', 'down', -30),
    spec('script', 'gate', 0),
    spec('interface', 'eth1', -5),
    spec('file', 'tf', 4),
  ]);
  t.set('interface', 'eth0', true);
  t.set('script', 'up', true);
  t.set('script', 'down', false);
  t.set('script', 'gate', true);
  t.set('interface', 'eth1', false);
  t.set('file', 'tf', 3);
  assert.equal(t.delta, 20 - 30 - 5 + 12);
  assert.equal(t.faultReason, null);
  t.set('interface', 'eth0', false);
  t.set('script', 'gate', false);
  t.set('file', 'tf', -100);
  assert.equal(t.faultReason, 'interface eth0, script gate, tracked file tf');
  assert.equal(t.delta, 20 - 30 - 5, 'a faulting file contributes nothing to the sum');
});

test('InstanceTracking: statuses are kept per kind, so a script and an interface may share a name', () => {
  const t = new InstanceTracking([spec('script', 'eth1', 10), spec('interface', 'eth1', 0)]);
  t.set('script', 'eth1', true);
  assert.equal(t.status('interface', 'eth1'), null);
  assert.equal(t.delta, 10);
  assert.equal(t.faultReason, null);
  t.set('interface', 'eth1', false);
  assert.equal(t.status('script', 'eth1'), true);
  assert.equal(t.faultReason, 'interface eth1');
});

test('InstanceTracking.tracks(): by kind and name', () => {
  const t = new InstanceTracking([spec('script', 'chk', 0), spec('file', 'tf', 1)]);
  assert.equal(t.tracks('script', 'chk'), true);
  assert.equal(t.tracks('file', 'tf'), true);
  assert.equal(t.tracks('interface', 'chk'), false);
  assert.equal(t.tracks('script', 'tf'), false);
});

test('keepalived num_script_init: scriptsInInit lists only unweighted scripts without a first result', () => {
  const t = new InstanceTracking([
    spec('script', 'a', 0),
    spec('script', 'b', 0, true),
    spec('script', 'w', 10),
    spec('script', 'c', 0),
    spec('interface', 'eth1', 0),
    spec('file', 'tf', 0),
  ]);
  assert.deepEqual(t.scriptsInInit, ['a', 'b', 'c']);
  t.set('script', 'b', true);
  assert.deepEqual(t.scriptsInInit, ['a', 'c']);
  t.set('script', 'a', false);
  t.set('script', 'c', true);
  assert.deepEqual(t.scriptsInInit, []);
  assert.equal(t.faultReason, 'script a, script b');
});

test('InstanceTracking: no trackers → delta 0, no fault, nothing in init', () => {
  const t = new InstanceTracking([]);
  assert.equal(t.delta, 0);
  assert.equal(t.faultReason, null);
  assert.deepEqual(t.scriptsInInit, []);
});

test('tracking.ts doc: an init_fail (already failed) script applies reverse at start-up too (deliberate divergence from initialise_track_script_state())', () => {
  // keepalived initialise_track_script_state() ignores weight_multiplier for a script that
  // already has a result; tsvrrpd follows the transition rule, as its module header says.
  assert.equal(one(spec('script', 's', -10, true), false).delta, 10);
  assert.equal(one(spec('script', 's', 0, true), false).faultReason, null);
});
