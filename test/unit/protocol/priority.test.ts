/**
 * Effective priority (src/protocol/priority.ts): keepalived vrrp_track.c
 * vrrp_set_effective_priority(): base + tracker delta clamped to 1..254, owner stays 255.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectivePriority } from '../../../src/protocol/priority';

test('keepalived vrrp_set_effective_priority(): base plus delta inside the range', () => {
  assert.equal(effectivePriority(100, 0), 100);
  assert.equal(effectivePriority(100, 50), 150);
  assert.equal(effectivePriority(100, -98), 2);
});

test('keepalived vrrp_set_effective_priority(): clamped to 254 above and 1 below', () => {
  assert.equal(effectivePriority(100, 154), 254);
  assert.equal(effectivePriority(100, 155), 254);
  assert.equal(effectivePriority(200, 253), 254);
  assert.equal(effectivePriority(100, -99), 1);
  assert.equal(effectivePriority(100, -253), 1);
});

test('§5.3.4 / keepalived: an owner (255) ignores tracker weights', () => {
  assert.equal(effectivePriority(255, -50), 255);
  assert.equal(effectivePriority(255, 10), 255);
});
