/**
 * A Logger (src/io/logger) that keeps every line it is given, with its level, for tests
 * that assert on what was logged.
 */
import type { Logger } from '../../src/io/logger';

export interface LoggedLine {
  readonly level: string;
  readonly message: string;
}

/** A Logger whose `lines` are every call so far, in order. */
export function recordingLog(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at = (level: string) => (message: string): void => void lines.push({ level, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}
