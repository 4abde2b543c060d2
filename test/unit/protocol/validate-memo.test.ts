/**
 * ValidationMemo (src/protocol/validate-memo.ts): an advert identical to the last accepted one
 * gets the same answer as validateAdvert() would give; any difference in the bytes, the IP
 * fields, the parameters or the options is validated afresh; rejections are never remembered.
 * And the instance that uses it still counts and handles every advert it hears.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAdvert } from '../../../src/protocol/advert';
import { validateAdvert } from '../../../src/protocol/validate';
import { ValidationMemo } from '../../../src/protocol/validate-memo';
import { labFields, labParams, received } from '../../support/protocol-wire';
import { advertFrom } from '../../support/adverts';
import { SEC, started, stats } from '../../support/instance-harness';

const opts = { unicast: false, checkVipAddr: true };

test('an identical packet: the remembered answer, equal to a fresh validation; the bytes are copied', () => {
  const memo = new ValidationMemo();
  const params = labParams({ vrid: 51 });
  const payload = encodeAdvert(labFields({ priority: 100 }));
  const packet = received(payload);
  assert.equal(memo.lookup(packet, params, opts), null, 'nothing remembered yet');
  const v = validateAdvert(packet, params, opts);
  assert.equal(v.ok, true);
  memo.remember(packet, params, opts, v);
  const again = received(Uint8Array.from(payload));
  assert.equal(memo.lookup(again, params, opts), v);
  assert.deepEqual(memo.lookup(again, params, opts), validateAdvert(again, params, opts));
  payload[2] = 200; // the caller reuses its buffer: the memo kept its own copy
  assert.equal(memo.lookup(received(payload), params, opts), null);
  assert.equal(memo.lookup(again, params, opts), v);
  memo.clear();
  assert.equal(memo.lookup(again, params, opts), null);
});

test('any difference is validated afresh: bytes, length, TTL, source, destination, IP lengths, params, options', () => {
  const memo = new ValidationMemo();
  const params = labParams({ vrid: 51 });
  const payload = encodeAdvert(labFields({ priority: 100 }));
  const packet = received(payload);
  memo.remember(packet, params, opts, validateAdvert(packet, params, opts));
  const flipped = Uint8Array.from(payload);
  flipped[payload.length - 1] = (flipped[payload.length - 1] as number) ^ 1;
  const padded = new Uint8Array(payload.length + 6);
  padded.set(payload);
  const misses = [
    [received(flipped), params, opts],
    [received(padded, { ipTotalLength: 20 + payload.length }), params, opts],
    [received(payload, { ttl: 64 }), params, opts],
    [received(payload, { srcIp: '10.77.0.61' }), params, opts],
    [received(payload, { dstIp: '10.77.0.1' }), params, opts],
    [received(payload, { ipTotalLength: 21 + payload.length }), params, opts],
    [received(payload, { ipHeaderLength: 24 }), params, opts],
    [packet, labParams({ vrid: 51 }), opts],
    [packet, params, { unicast: true, checkVipAddr: true }],
    [packet, params, { unicast: false, checkVipAddr: false }],
  ] as const;
  for (const [p, pa, o] of misses) assert.equal(memo.lookup(p, pa, o), null, JSON.stringify({ ttl: p.ttl, src: p.srcIp, dst: p.dstIp, o }));
});

test('a rejection is not remembered: the same bad packet is checked (and reported) every time', () => {
  const memo = new ValidationMemo();
  const params = labParams({ vrid: 51 });
  const packet = received(encodeAdvert(labFields({ priority: 100 })), { ttl: 64 });
  const v = validateAdvert(packet, params, opts);
  assert.equal(v.ok, false);
  memo.remember(packet, params, opts, v);
  assert.equal(memo.lookup(packet, params, opts), null);
});

test('a BACKUP hearing the same advert again still counts it and resets Master_Down_Timer each time (§6.4.2)', () => {
  const inst = started();
  for (let i = 1; i <= 3; i++) {
    assert.deepEqual(inst.handle(advertFrom('10.77.0.1', 150), i * SEC), [{ type: 'CountStat', counter: 'advert_rcvd' }]);
    assert.ok((inst.nextDeadlineUs() ?? 0) > i * SEC);
  }
  assert.equal(stats(inst.handle(advertFrom('10.77.0.1', 150, { ttl: 64 }), 4 * SEC))[0], 'ip_ttl_err');
});
