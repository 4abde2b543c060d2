/**
 * keepalived's `~SEQ(var, start, step, end) text` line loops (and `~SEQx` for hex values):
 * the rest of the line is read once per value with `$var` defined. The parameters follow
 * strtol(…, 0), so `0x10` and `010` are read as C does. keepalived: lib/parser.c add_seq().
 */

export interface SeqLoop {
  readonly variable: string;
  readonly values: readonly string[];
  readonly text: string;
}

/** A loop longer than this is refused rather than expanded (keepalived has no limit). */
export const MAX_SEQ_VALUES = 100_000;

function strtol(s: string): { value: number; rest: string } {
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?(.*)$/s.exec(s) as RegExpExecArray;
  const digits = m[2];
  if (digits === undefined) return { value: 0, rest: m[3] as string };
  const v = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.startsWith('0') && digits.length > 1 ? parseInt(digits, 8) : Number(digits);
  return { value: m[1] === '-' ? -v : v, rest: m[3] as string };
}

/**
 * Parse a `~SEQ` line whose parameters have already had `$NAME`s substituted.
 * Returns the loop, or keepalived's message for an invalid one.
 */
export function parseSeq(buf: string): SeqLoop | { error: string } {
  let p = buf.slice(4);
  const hex = p.startsWith('x');
  if (hex) p = p.slice(1);
  p = p.replace(/^[ \t]*/, '');
  if (!p.startsWith('(')) return { error: `Invalid ~SEQ specification '${buf}'` };
  p = p.slice(1).replace(/^[ \t]*/, '');
  const varMatch = /^[^ \t,)]*/.exec(p) as RegExpExecArray;
  const variable = varMatch[0];
  p = p.slice(variable.length).replace(/^[ \t]*/, '');
  if (p.length === 0 || p.startsWith(')') || variable.length === 0) return { error: `Invalid ~SEQ definition '${buf}'` };
  const close = p.indexOf(')');
  if (close < 0) return { error: `Invalid ~SEQ definition '${buf}'` };
  const nums: number[] = [];
  let rest = p.slice(1, close + 1);
  for (;;) {
    const r = strtol(rest);
    nums.push(r.value);
    rest = r.rest.replace(/^[ \t]*/, '');
    if (rest.startsWith(')')) break;
    if (!rest.startsWith(',') || nums.length === 3) return { error: `Invalid ~SEQ definition '${buf}'` };
    rest = rest.slice(1);
  }
  let start: number;
  let step: number;
  let end: number;
  if (nums.length === 1) {
    end = nums[0] as number;
    step = end < 1 ? -1 : 1;
    start = end < 0 ? -1 : 1;
  } else if (nums.length === 2) {
    [start, end] = nums as [number, number];
    step = start <= end ? 1 : -1;
  } else {
    [start, step, end] = nums as [number, number, number];
    if (step === 0 || (start < end && step < 0) || (start > end && step > 0)) return { error: `Invalid ~SEQ values '${buf}'` };
  }
  if (hex && (start < 0 || end < 0)) return { error: `~SEQx is only valid for positive numbers '${buf}'` };
  const count = Math.floor((end - start) / step) + 1;
  if (count > MAX_SEQ_VALUES) return { error: `~SEQ expands to ${count} lines, more than tsvrrpd's limit of ${MAX_SEQ_VALUES} '${buf}'` };
  const values: string[] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) values.push(hex ? v.toString(16) : String(v));
  const text = p.slice(close + 1).replace(/^[ \t]*/, '');
  return { variable, values, text };
}
