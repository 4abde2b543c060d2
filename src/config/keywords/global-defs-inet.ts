/**
 * How keepalived's global keywords read an address: inet_stosockaddr() (the family chosen by a
 * ':', anything from a '-' or '/' on dropped, then inet_pton) and, for `smtp_server`,
 * domain_stosockaddr() (getaddrinfo). Pure: a host name is not resolved here; it is accepted
 * when it could be one, and numeric forms getaddrinfo would take (inet_aton's `127.1`,
 * `0x7f.0.0.1`, an IPv6 address with a `%scope`) are read like glibc reads them.
 * keepalived: lib/utils.c inet_stosockaddr(), domain_stosockaddr().
 */
import { parseAddress, parseIpv6, type ParsedAddress } from '../addresses';

/** keepalived inet_stosockaddr(): cut the text at its first '-' (else its first '/'). */
export function stripRange(text: string): string {
  const dash = text.indexOf('-');
  const cut = dash >= 0 ? dash : text.indexOf('/');
  return cut >= 0 ? text.slice(0, cut) : text;
}

/** keepalived inet_stosockaddr() without a port: null where keepalived fails. */
export function parseInetAddress(text: string): ParsedAddress | null {
  const bare = stripRange(text);
  const a = parseAddress(bare);
  if (a === null) return null;
  // The family comes from the whole text: `1.2.3.4-::1` is read as IPv6 and fails.
  return a.family === (text.includes(':') ? 6 : 4) ? a : null;
}

/** glibc inet_aton(): `a`, `a.b`, `a.b.c`, `a.b.c.d`, each part decimal, 0octal or 0xhex. */
export function inetAton(text: string): string | null {
  const parts = text.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]+$/.test(p)) v = parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = p.length > 1 ? parseInt(p.slice(1), 8) : 0;
    else if (/^[1-9][0-9]*$/.test(p)) v = Number(p);
    else return null;
    values.push(v);
  }
  const last = values.pop() as number;
  if (values.some((v) => v > 255)) return null;
  const lastBits = 8 * (4 - values.length);
  if (last >= 2 ** lastBits) return null;
  let n = 0;
  for (const v of values) n = n * 256 + v;
  n = n * 2 ** lastBits + last;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** A name a resolver could answer: LDH labels (and '_'), the last one not all digits. */
function plausibleHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l))) return false;
  return /[A-Za-z_]/.test(labels[labels.length - 1] as string);
}

/**
 * keepalived domain_stosockaddr()'s getaddrinfo(), without resolving: the host to connect to
 * (a numeric form made canonical, or the name as written), or null where it must fail.
 */
export function smtpHost(text: string): string | null {
  const scoped = /^([^%]+)%(.+)$/.exec(text);
  if (scoped && text.includes(':')) return parseIpv6(scoped[1] as string) ? text.toLowerCase() : null;
  const direct = parseAddress(text);
  if (direct) return direct.address;
  if (/^[0-9]/.test(text) && /^[0-9a-fA-FxX.]+$/.test(text)) return inetAton(text);
  return plausibleHostName(text) ? text : null;
}
