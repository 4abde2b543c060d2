/**
 * Value readers for keyword arguments, with keepalived's messages and acceptance rules:
 * integers as strtol/strtoul read them, decimals with a fixed number of places (timers),
 * booleans (on/off/true/false/yes/no), and the "missing parameter" rule.
 * keepalived: lib/parser.c read_int_func(), read_unsigned_func(),
 * read_decimal_unsigned_long_func(), check_true_false(), null_strvec().
 * Each reader reports through the context and returns null when the value is unusable
 * (keepalived -t does not apply an out-of-range value either).
 */
import type { KeywordContext } from './keyword';
import type { Word } from './lexer';

/**
 * keepalived null_strvec(): a keyword without a required argument stops keepalived with exit 2.
 * We report it with its own class (the verdict code is 2) and carry on parsing.
 */
export function requireArg(ctx: KeywordContext, keyword: Word, args: readonly Word[], index: number): Word | null {
  const w = args[index];
  if (w !== undefined) return w;
  const prev = index === 0 ? keyword : args[index - 1];
  ctx.report(
    'MISSING_PARAMETER',
    'CFG_MISSING_PARAMETER',
    `*** Configuration line starting \`${keyword.text}\` is missing a parameter after keyword \`${prev?.text ?? keyword.text}\` at word position ${index + 2}`,
    keyword,
  );
  return null;
}

/** C strtol/strtoul prefix: optional blanks, sign, digits. Returns the value and what is left. */
function strtoNumber(text: string): { value: number; rest: string; negative: boolean } {
  const m = /^[ \t\n\r\v\f]*([+-]?)([0-9]*)(.*)$/s.exec(text) as RegExpExecArray;
  const digits = m[2] as string;
  // No digits: strtol leaves endptr at the very start, so anything but "" is invalid.
  if (digits.length === 0) return { value: 0, rest: text, negative: m[1] === '-' };
  const v = Number(digits);
  return { value: m[1] === '-' ? -v : v, rest: m[3] as string, negative: m[1] === '-' };
}

/** keepalived read_unsigned_func(): base 10, no sign, in [min, max]. */
export function readUnsigned(ctx: KeywordContext, w: Word, min: number, max: number): number | null {
  const r = strtoNumber(w.text);
  if (r.negative) {
    ctx.report('INVALID_NUMBER', 'CFG_NEGATIVE_NUMBER', `negative number '${w.text}'`, w);
    return null;
  }
  if (r.rest.length > 0) {
    ctx.report('INVALID_NUMBER', 'CFG_INVALID_NUMBER', `invalid number '${w.text}'`, w);
    return null;
  }
  if (r.value > 4294967295) {
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${w.text}' outside unsigned integer range`, w);
    return null;
  }
  if (r.value < min || r.value > max) {
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${w.text}' outside range [${min}, ${max}]`, w);
    return null;
  }
  return r.value;
}

/** keepalived read_int_func(): base 10, signed, in [min, max]. */
export function readInt(ctx: KeywordContext, w: Word, min: number, max: number): number | null {
  const r = strtoNumber(w.text);
  if (r.rest.length > 0) {
    ctx.report('INVALID_NUMBER', 'CFG_INVALID_NUMBER', `invalid number '${w.text}'`, w);
    return null;
  }
  if (r.value < -2147483648 || r.value > 2147483647) {
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${w.text}' outside integer range`, w);
    return null;
  }
  if (r.value < min || r.value > max) {
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${w.text}' outside range [${min}, ${max}]`, w);
    return null;
  }
  return r.value;
}

/**
 * keepalived read_decimal_unsigned_long_func(): a decimal with at most `places` decimals,
 * returned scaled by 10^places (so `places` 6 reads seconds into microseconds), over the full
 * unsigned-long range (TIMER_MAXIMUM prints as 18446744073709.551614). With `ignoreError`
 * (as most handlers call it) an invalid number whose leading digits fall in range is still
 * used, even under -t; too many decimals is reported but rounded and accepted.
 */
const ULONG_MAX = (1n << 64n) - 1n;
/** keepalived TIMER_MAXIMUM (ULONG_MAX - 1 microseconds). */
export const TIMER_MAXIMUM = ULONG_MAX - 1n;

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

export function readDecimal(
  ctx: KeywordContext,
  w: Word,
  min: bigint | number,
  max: bigint | number,
  places: number,
  ignoreError = false,
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

/** keepalived TIMER_HZ_DIGITS: timers are read as seconds with 6 decimals, i.e. microseconds. */
export const TIMER_PLACES = 6;
export const US_PER_SEC = 1_000_000;
/** keepalived TIMER_MAX_SEC: the largest timer in seconds. */
export const TIMER_MAX_SEC = 1000;

/** keepalived read_timer(…, true): seconds with 6 decimals, in µs; maxUs 0 = TIMER_MAXIMUM. */
export function readTimerUs(ctx: KeywordContext, w: Word, minUs: number, maxUs: number): number | null {
  return readDecimal(ctx, w, minUs, maxUs === 0 ? TIMER_MAXIMUM : maxUs, TIMER_PLACES, true);
}

/** keepalived check_true_false(): true/on/yes, false/off/no, else null (caller reports). */
export function parseBool(text: string): boolean | null {
  if (text === 'true' || text === 'on' || text === 'yes') return true;
  if (text === 'false' || text === 'off' || text === 'no') return false;
  return null;
}

/**
 * An optional boolean argument (keepalived's `<BOOL>` keywords): absent means true.
 * Reports `message` (keepalived's per-keyword wording) when the word is not a boolean.
 */
export function optionalBool(ctx: KeywordContext, args: readonly Word[], message: (bad: string) => string): boolean | null {
  const w = args[0];
  if (w === undefined) return true;
  const b = parseBool(w.text);
  if (b === null) ctx.report('GENERAL_ERROR', 'CFG_INVALID_BOOL', message(w.text), w);
  return b;
}
