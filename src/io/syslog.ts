/**
 * Logging to syslog as keepalived does by default: RFC 3164 lines
 * `<PRI>Mmm dd hh:mm:ss tsvrrpd[pid]: message` sent as datagrams to /dev/log through the native
 * addon (Node has no unix datagram sockets). Facility LOG_DAEMON, or LOG_LOCAL<N> with
 * keepalived's `-S N`. A syslog that cannot be reached is reported once and then left alone:
 * logging must never stop the daemon.
 */
import { loadNative, type NativeAddon } from './native';
import { errorMessage } from './errors';

/** syslog(3) facility numbers. */
export const LOG_DAEMON = 3;
export const LOG_LOCAL0 = 16;

export type SyslogSeverity = 'error' | 'warn' | 'info' | 'debug';
const SEVERITY: Readonly<Record<SyslogSeverity, number>> = { error: 3, warn: 4, info: 6, debug: 7 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** keepalived -S: "-S N" selects LOG_LOCAL<N>, N in 0..7. */
export function facilityFromOption(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 7) throw new RangeError(`log facility must be 0..7, got ${n}`);
  return LOG_LOCAL0 + n;
}

/** One RFC 3164 line (local time, as syslog(3) writes it). */
export function syslogLine(facility: number, severity: SyslogSeverity, message: string, pid: number, date: Date): string {
  const pri = facility * 8 + SEVERITY[severity];
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `<${pri}>${stamp} tsvrrpd[${pid}]: ${message}`;
}

export class SyslogWriter {
  private broken = false;

  constructor(
    private readonly facility: number,
    private readonly socket = '/dev/log',
    private readonly addon: () => Pick<NativeAddon, 'sendDatagram'> = loadNative,
    private readonly onFirstFailure: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {}

  write(severity: SyslogSeverity, message: string): void {
    if (this.broken) return;
    try {
      this.addon().sendDatagram(this.socket, syslogLine(this.facility, severity, message, process.pid, new Date()));
    } catch (e) {
      this.broken = true;
      this.onFirstFailure(`tsvrrpd: cannot log to syslog (${this.socket}): ${errorMessage(e)}; syslog logging off`);
    }
  }
}
