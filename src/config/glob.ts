/**
 * glob(3) as keepalived calls it for `include`: GLOB_BRACE | GLOB_MARK, counting the files and
 * directories that were looked for and missing (keepalived's gl_lstat/gl_opendir hooks decide
 * "Config files missing" from those counts). Pure: reads directories through ConfigFs.
 */
import type { ConfigFs } from './config-fs';

export interface GlobResult {
  /** The pattern had more brace alternatives than MAX_BRACE_EXPANSIONS: nothing was read. */
  readonly tooManyAlternatives: boolean;
  /** Matches in glob order; directories end in `/` (GLOB_MARK). */
  readonly paths: readonly string[];
  readonly missingFiles: number;
  readonly missingDirectories: number;
  readonly hadWildcards: boolean;
  readonly hadBraces: boolean;
}

/** More alternatives than this from one include pattern is refused (glibc has no limit). */
export const MAX_BRACE_EXPANSIONS = 4096;

/** Thrown inside expandBraces when a pattern expands past MAX_BRACE_EXPANSIONS. */
class TooManyAlternatives extends Error {}

/**
 * Expand `{a,b}` alternatives (nested, `\`-escapes respected) like GLOB_BRACE; null when the
 * pattern would give more than MAX_BRACE_EXPANSIONS names.
 */
export function expandBraces(pattern: string): string[] | null {
  try {
    return expand(pattern, { left: MAX_BRACE_EXPANSIONS });
  } catch (e) {
    if (e instanceof TooManyAlternatives) return null;
    throw e;
  }
}

function expand(pattern: string, budget: { left: number }): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') {
      if (depth === 0) {
        open = i;
        commas.length = 0;
      }
      depth++;
    } else if (c === ',' && depth === 1) {
      commas.push(i);
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        if (commas.length === 0) {
          // glibc GLOB_BRACE: a group without a comma expands to its content ({x} -> x).
          return expand(pattern.slice(0, open) + pattern.slice(open + 1, i) + pattern.slice(i + 1), budget);
        }
        const pre = pattern.slice(0, open);
        const post = pattern.slice(i + 1);
        const bounds = [open, ...commas, i];
        const out: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) {
          const alt = pattern.slice((bounds[k] as number) + 1, bounds[k + 1]);
          for (const name of expand(pre + alt + post, budget)) out.push(name);
        }
        return out;
      }
    }
  }
  if (--budget.left < 0) throw new TooManyAlternatives();
  return [pattern];
}

function hasWildcard(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

function unescape(segment: string): string {
  return segment.replace(/\\(.)/g, '$1');
}

/** Compile one path segment of a glob pattern to a RegExp (fnmatch without FNM_PERIOD quirks). */
export function segmentRegExp(segment: string): RegExp {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment[++i] as string);
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(`${re}$`, 's');
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

interface Counters {
  missingFiles: number;
  missingDirectories: number;
  hadWildcards: boolean;
}

function globOne(fs: ConfigFs, pattern: string, counters: Counters): string[] {
  const abs = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || (i === 0 && abs));
  if (abs) segments.shift();
  let bases: string[] = [abs ? '/' : ''];
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s] as string;
    const next: string[] = [];
    if (!hasWildcard(seg)) {
      for (const b of bases) next.push(join(b, unescape(seg)));
    } else {
      counters.hadWildcards = true;
      const re = segmentRegExp(seg);
      for (const b of bases) {
        const names = fs.readDir(b === '' ? '.' : b);
        if (names === null) {
          counters.missingDirectories++;
          continue;
        }
        const matched = names
          .filter((n) => re.test(n) && (!n.startsWith('.') || seg.startsWith('.')))
          .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        for (const n of matched) next.push(join(b, n));
      }
    }
    bases = next;
  }
  const out: string[] = [];
  for (const p of bases) {
    const st = fs.stat(p);
    if (st === null) {
      counters.missingFiles++;
      continue;
    }
    out.push(st.kind === 'directory' && !p.endsWith('/') ? `${p}/` : p);
  }
  return out;
}

function join(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

/** glob(pattern, GLOB_BRACE | GLOB_MARK) with keepalived's missing-file accounting. */
export function glob(fs: ConfigFs, pattern: string): GlobResult {
  const counters: Counters = { missingFiles: 0, missingDirectories: 0, hadWildcards: false };
  const alternatives = expandBraces(pattern);
  if (alternatives === null) return { tooManyAlternatives: true, paths: [], ...counters, hadBraces: true };
  const paths: string[] = [];
  for (const alt of alternatives) for (const p of globOne(fs, alt, counters)) paths.push(p);
  return { tooManyAlternatives: false, paths, ...counters, hadBraces: alternatives.length > 1 };
}
