/**
 * formatIpv4 memoizes its dotted quads in a bounded table: whatever it has seen, and however
 * many distinct addresses pass (a flood from random sources), each answer is the address.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv4, parseIpv4Octets } from '../../../src/protocol/ipv4';

const plain = (o: Uint8Array, at: number): string => `${o[at]}.${o[at + 1]}.${o[at + 2]}.${o[at + 3]}`;

describe('formatIpv4', () => {
  it('formats the octets at an offset, high octets included', () => {
    const bytes = Uint8Array.of(9, 255, 255, 255, 255, 0, 0, 0, 0, 128, 1, 2, 3);
    assert.equal(formatIpv4(bytes, 1), '255.255.255.255');
    assert.equal(formatIpv4(bytes, 5), '0.0.0.0');
    assert.equal(formatIpv4(bytes, 9), '128.1.2.3');
    assert.equal(formatIpv4(bytes, 1), '255.255.255.255', 'a second time, from the table');
    assert.throws(() => formatIpv4(bytes, 10), RangeError);
    assert.throws(() => formatIpv4(bytes, -1), RangeError);
  });

  it('stays right past the table bound (20 000 distinct addresses, each formatted twice)', () => {
    let seed = 12345;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const all = Array.from({ length: 20_000 }, () => Uint8Array.of(next(), next(), next(), next()));
    for (const round of [1, 2]) {
      for (const o of all) {
        const text = formatIpv4(o);
        assert.equal(text, plain(o, 0), `round ${round}`);
        assert.deepEqual(parseIpv4Octets(text), o);
      }
    }
  });
});
