/**
 * keepalived's decimal reader exactly as its checker/VRRP handlers call it, including what
 * values.ts does not model: the full unsigned-long range (TIMER_MAXIMUM prints as
 * 18446744073709.551614) and the `ignore_error` leniency, under which an invalid number whose
 * leading digits fall in range is still accepted (keepalived applies the `ignore_error` result
 * of this reader even in config-test mode). keepalived: lib/parser.c
 * read_decimal_unsigned_long_func(), read_timer(). Pure.
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';

const ULONG_MAX = (1n << 64n) - 1n;
/** keepalived TIMER_MAXIMUM (ULONG_MAX - 1 microseconds). */
export const TIMER_MAXIMUM = ULONG_MAX - 1n;
const TIMER_DIGITS = 6;

/** strtoull(base 10): value (saturated, as with ERANGE) and whether the whole text was used. */
function strtoull(s: string): { value: bigint; erange: boolean; whole: boolean } {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(s);
  if (!m) return { value: 0n, erange: false, whole: s.length === 0 };
  let v = BigInt(m[2] as string);
  const erange = v > ULONG_MAX;
  if (erange) v = ULONG_MAX;
  else if (m[1] === '-' && v !== 0n) v = (1n << 64n) - v;
  return { value: v, erange, whole: m[0].length === s.length };
}

function fmt(v: bigint, places: number): string {
  const scale = 10n ** BigInt(places);
  return `${v / scale}.${(v % scale).toString().padStart(places, '0')}`;
}

/**
 * keepalived read_decimal_unsigned_long_func(): `places` decimals, result scaled by
 * 10^places; null when keepalived would not use the value.
 */
export function readKaDecimal(
  ctx: KeywordContext,
  w: Word,
  min: bigint | number,
  max: bigint | number,
  places: number,
  ignoreError: boolean,
): number | null {
  const text = w.text;
  const lo = BigInt(min);
  const hi = BigInt(max);
  if (text.startsWith('-')) {
    ctx.report('INVALID_NUMBER', 'CFG_NEGATIVE_NUMBER', `negative number '${text}'`, w);
    return null;
  }
  const dp = text.indexOf('.');
  let numDp = dp >= 0 ? text.length - dp - 1 : 0;
  let roundUp = false;
  if (numDp > places) {
    ctx.report('INVALID_NUMBER', 'CFG_TOO_MANY_DECIMALS', `number '${text}' has too many decimal places`, w);
    roundUp = (text[dp + places + 1] ?? '\0') >= '5';
    numDp = places;
  }
  const digits = (dp >= 0 ? text.slice(0, dp) + text.slice(dp + 1, dp + 1 + numDp) : text) + '0'.repeat(places - numDp);
  const r = strtoull(digits);
  const val = r.value + (roundUp ? 1n : 0n);
  if (!r.whole) {
    ctx.report('INVALID_NUMBER', 'CFG_INVALID_NUMBER', `invalid number '${text}'`, w);
  } else if (r.erange || val > ULONG_MAX) {
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${text}' outside unsigned decimal range`, w);
    return null;
  } else if (val < lo || val > hi) {
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${text}' outside range [${fmt(lo, places)}, ${fmt(hi, places)}]`, w);
  } else {
    return Number(val);
  }
  return ignoreError && val >= lo && val <= hi ? Number(val) : null;
}

/** keepalived read_timer(strvec, i, &t, min, max, true): microseconds; max 0 = TIMER_MAXIMUM. */
export function readKaTimer(ctx: KeywordContext, w: Word, minUs: number, maxUs: number): number | null {
  return readKaDecimal(ctx, w, minUs, maxUs === 0 ? TIMER_MAXIMUM : maxUs, TIMER_DIGITS, true);
}
