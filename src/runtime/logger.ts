/**
 * Logging with winston in the form operators grep keepalived's logs for:
 * `<ISO time> tsvrrpd[<pid>]: (VI_1) Entering MASTER STATE`. `-D` (detail) adds debug lines.
 */
import winston from 'winston';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface LoggerOptions {
  /** keepalived -D/--log-detail: include debug lines. */
  readonly detail: boolean;
  readonly stream?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const pid = process.pid;
  const line = winston.format.printf((info) => `${String(info['timestamp'])} tsvrrpd[${pid}]: ${String(info.message)}`);
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
  const w = winston.createLogger({
    level: opts.detail ? 'debug' : 'info',
    format: winston.format.combine(winston.format.timestamp(), line),
    transports: [transport],
  });
  return {
    info: (m) => w.info(m),
    warn: (m) => w.warn(m),
    error: (m) => w.error(m),
    debug: (m) => w.debug(m),
  };
}
