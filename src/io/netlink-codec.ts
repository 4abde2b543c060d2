/**
 * Pure helpers for the rtnetlink adapter (src/io/netlink.ts): IPv4 text <-> wire bytes, address
 * scope names <-> rtnetlink numbers (iproute2's rt_scopes), link-state reading and the small
 * bookkeeping the link watcher does. It never loads `netlink` or touches the OS, so unit tests
 * exercise it without a kernel; failures are TsvrrpdIoError with code EINVAL.
 */
import { parseIpv4 } from '../config/addresses';
import { TsvrrpdIoError } from './errors';

/** rtnetlink RT_SCOPE_* values by the names `ip` prints and keepalived's `scope` keyword takes. */
export const SCOPES: Readonly<Record<string, number>> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };

/** `10.1.2.3` -> 4 bytes in network order; anything else is EINVAL. */
export function ipv4ToBytes(text: string): Uint8Array {
  const octets = parseIpv4(text);
  if (octets === null) throw new TsvrrpdIoError('EINVAL', `parse IPv4 address '${text}'`);
  return Uint8Array.from(octets);
}

/** 4 bytes in network order -> `10.1.2.3`; a wrong length is EINVAL. */
export function bytesToIpv4(bytes: Uint8Array): string {
  if (bytes.length !== 4) throw new TsvrrpdIoError('EINVAL', `decode IPv4 address of ${bytes.length} bytes`);
  return Array.from(bytes).join('.');
}

/** Scope name or decimal number (0..255) -> rtnetlink number; absent is global (0). */
export function scopeToNumber(scope: string | null | undefined): number {
  if (scope === null || scope === undefined) return 0;
  const named = SCOPES[scope];
  if (named !== undefined) return named;
  if (/^(0|[1-9][0-9]{0,2})$/.test(scope) && Number(scope) <= 255) return Number(scope);
  throw new TsvrrpdIoError('EINVAL', `parse address scope '${scope}'`);
}

/** rtnetlink scope number -> name where one exists, else the decimal number (as `ip` prints). */
export function scopeToName(scope: number): string {
  for (const [name, value] of Object.entries(SCOPES)) if (value === scope) return name;
  return String(scope);
}

/** The IFF_* flags the watcher reads (as the `netlink` package decodes them). */
export interface LinkFlags {
  readonly up?: boolean;
  readonly running?: boolean;
}

/**
 * A link is up for VRRP when it is administratively up (IFF_UP) and operationally up
 * (IFF_RUNNING, which the kernel sets from operstate: carrier present, not dormant).
 */
export function isOperUp(flags: LinkFlags | undefined): boolean {
  return flags?.up === true && flags.running === true;
}

/** The errno number carried by an error (`netlink`'s ErrnoException has a positive `errno`). */
export function errnoOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('errno' in err)) return undefined;
  const errno = (err as { errno: unknown }).errno;
  return typeof errno === 'number' && Number.isInteger(errno) && errno !== 0 ? Math.abs(errno) : undefined;
}

/** Primary addresses first, secondaries after, each group in kernel order (stable). */
export function primaryFirst<T extends { readonly secondary: boolean }>(addresses: readonly T[]): T[] {
  return [...addresses.filter((a) => !a.secondary), ...addresses.filter((a) => a.secondary)];
}

/**
 * Whether a link report is a transition worth an event. An interface not seen before counts
 * as down, so a new interface that appears up reports `up`, and one that appears down is quiet.
 */
export function isLinkTransition(previousUp: boolean | undefined, up: boolean): boolean {
  return (previousUp ?? false) !== up;
}

/** What changed between two address snapshots of one interface: added and deleted, sorted. */
export function diffAddressSets(before: ReadonlySet<string>, after: ReadonlySet<string>): { added: string[]; deleted: string[] } {
  return {
    added: [...after].filter((a) => !before.has(a)).sort(),
    deleted: [...before].filter((a) => !after.has(a)).sort(),
  };
}
