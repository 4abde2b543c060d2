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
  if (digits.length === 0) return { value: 0, rest: text.replace(/^[ \t\n\r\v\f]*/, ''), negative: m[1] === '-' };
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
  if (r.rest.length > 0 || (r.value === 0 && !/[0-9]/.test(w.text) && w.text.trim().length > 0)) {
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
 * returned scaled by 10^places (so `places` 6 reads seconds into microseconds). min and max
 * are in the scaled unit. Too many decimals is reported but rounded and accepted.
 */
export function readDecimal(ctx: KeywordContext, w: Word, min: number, max: number, places: number): number | null {
  const text = w.text;
  if (text.startsWith('-')) {
    ctx.report('INVALID_NUMBER', 'CFG_NEGATIVE_NUMBER', `negative number '${text}'`, w);
    return null;
  }
  const dot = text.indexOf('.');
  let intPart = dot >= 0 ? text.slice(0, dot) : text;
  let frac = dot >= 0 ? text.slice(dot + 1) : '';
  let roundUp = false;
  if (frac.length > places) {
    ctx.report('INVALID_NUMBER', 'CFG_TOO_MANY_DECIMALS', `number '${text}' has too many decimal places`, w);
    roundUp = (frac[places] ?? '0') >= '5';
    frac = frac.slice(0, places);
  }
  intPart = intPart + frac.padEnd(places, '0');
  const r = strtoNumber(intPart);
  if (r.rest.length > 0 || r.negative) {
    ctx.report('INVALID_NUMBER', 'CFG_INVALID_NUMBER', `invalid number '${text}'`, w);
    return null;
  }
  const value = r.value + (roundUp ? 1 : 0);
  if (!Number.isSafeInteger(value)) {
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${text}' outside unsigned decimal range`, w);
    return null;
  }
  if (value < min || value > max) {
    const scale = 10 ** places;
    const fmt = (v: number): string => `${Math.floor(v / scale)}.${String(v % scale).padStart(places, '0')}`;
    ctx.report('INVALID_NUMBER', 'CFG_NUMBER_RANGE', `number '${text}' outside range [${fmt(min)}, ${fmt(max)}]`, w);
    return null;
  }
  return value;
}

/** keepalived TIMER_HZ_DIGITS: timers are read as seconds with 6 decimals, i.e. microseconds. */
export const TIMER_PLACES = 6;
export const US_PER_SEC = 1_000_000;
/** keepalived TIMER_MAX_SEC: the largest timer in seconds. */
export const TIMER_MAX_SEC = 1000;

/** keepalived read_timer(): seconds with up to 6 decimals, returned in microseconds. */
export function readTimerUs(ctx: KeywordContext, w: Word, minUs: number, maxUs: number): number | null {
  return readDecimal(ctx, w, minUs, maxUs, TIMER_PLACES);
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
