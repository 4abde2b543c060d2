/**
 * POSIX path helpers for the pure config code (it may not import node:path).
 * Only what include resolution needs: absolute test, dirname, join, normalise.
 */

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function dirname(p: string): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return trimmed.slice(0, i);
}

export function normalize(p: string): string {
  const abs = isAbsolute(p);
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(part);
  }
  const body = out.join('/');
  return abs ? `/${body}` : body || '.';
}

/** Resolve `p` against directory `base` unless it is absolute. */
export function resolveFrom(base: string, p: string): string {
  return normalize(isAbsolute(p) ? p : `${base}/${p}`);
}
