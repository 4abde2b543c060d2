/**
 * Logging in the form operators grep keepalived's logs for: to syslog (keepalived's default;
 * `-S` facility, `-G` off) and, with `-l`, to the console through winston as
 * `<ISO time> tsvrrpd[<pid>]: (VI_1) Entering MASTER STATE`. `-D` (detail) adds debug lines.
 */
import winston from 'winston';
import type { SyslogWriter } from './syslog';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface LoggerOptions {
  /** keepalived -D/--log-detail: include debug lines. */
  readonly detail: boolean;
  /** keepalived -l/--log-console: also log to the console (stderr). */
  readonly console?: boolean;
  readonly stream?: NodeJS.WritableStream;
  /** keepalived's default destination; null with -G/--no-syslog. */
  readonly syslog?: SyslogWriter | null;
}

export function createLogger(opts: LoggerOptions): Logger {
  const pid = process.pid;
  const line = winston.format.printf((info) => `${String(info['timestamp'])} tsvrrpd[${pid}]: ${String(info.message)}`);
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
  const w =
    opts.console === false
      ? null
      : winston.createLogger({
          level: opts.detail ? 'debug' : 'info',
          format: winston.format.combine(winston.format.timestamp(), line),
          transports: [transport],
        });
  const sys = opts.syslog ?? null;
  const both = (level: 'info' | 'warn' | 'error' | 'debug') => (m: string): void => {
    w?.[level](m);
    if (sys && (level !== 'debug' || opts.detail)) sys.write(level, m);
  };
  // Without -D a debug line goes nowhere: skip winston's format pipeline (~70 µs on a cold
  // path), which would otherwise run before the takeover advert is sent.
  const debug = opts.detail ? both('debug') : (): void => undefined;
  return { info: both('info'), warn: both('warn'), error: both('error'), debug };
}
