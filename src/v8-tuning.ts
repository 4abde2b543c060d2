/**
 * V8 settings for the daemon's takeover path. A BACKUP runs the code that sends its first
 * advert as MASTER once in a long while, and by default V8 compiles a function on its first
 * call, flushes the bytecode of functions that have not run for a few collections, and starts
 * them in the interpreter without type feedback. On the takeover (RFC 3768 §6.4.2) that cost
 * lands between the Master_Down deadline and the advert: measured with npm run bench:failover,
 * deadline → advert 1.1–1.5 ms on a daemon's first takeover and 0.2–0.4 ms on later ones, so
 * the slowest crash takeover was ~1.5 ms behind keepalived's. With these flags: 3.6096 /
 * 3.6097 / 3.6101 s (min / median / max of 5, MDI 3.6094 s; keepalived 3.6095–3.6098 s).
 *
 * cli.ts loads boot.ts first, which sets the flags before any other module is compiled. They
 * cost ~5 MB of RSS and ~0.1 s of CPU at start-up (--always-sparkplug as well would add 9 MB
 * more for nothing measurable), so only a daemon run gets them, not -t, -d, -v or -h. The
 * tuning changes when code is compiled, never what it does.
 */
import type * as V8 from 'node:v8';

export const DAEMON_V8_FLAGS: readonly string[] = [
  '--no-lazy', // compile every function when its module loads, not on the first takeover
  '--no-lazy-feedback-allocation', // inline caches from the first call
  '--no-flush-bytecode', // keep the code of a path that has not run for a while
];

/**
 * The options of cli.ts's buildProgram() that take a value (so `-f -t` is a file named "-t",
 * not -t) and those that print or check and exit. This module runs before commander is loaded,
 * so it cannot ask the program; test/unit/runtime/v8-tuning.test.ts checks both lists against it.
 */
export const VALUE_SHORT: ReadonlySet<string> = new Set(['f', 'i', 'S', 'p', 'r']);
export const VALUE_LONG: ReadonlySet<string> = new Set(['--use-file', '--config-id', '--log-facility', '--pid', '--vrrp_pid', '--signum']);
export const EXIT_SHORT: ReadonlySet<string> = new Set(['t', 'd', 'v', 'h']);
export const EXIT_LONG: ReadonlySet<string> = new Set(['--check-config', '--dump-conf', '--version', '--help', '--signum']);

/** Does this command line start the daemon (rather than check, dump, print and exit)? */
export function runsDaemon(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a.startsWith('--')) {
      const name = a.split('=', 1)[0] ?? a;
      if (EXIT_LONG.has(name)) return false;
      if (VALUE_LONG.has(name) && !a.includes('=')) i++;
    } else if (a.startsWith('-') && a.length > 1) {
      // A cluster such as -nlD or -nf <file>: letters up to the first that takes a value.
      for (let j = 1; j < a.length; j++) {
        const letter = a[j] ?? '';
        if (EXIT_SHORT.has(letter)) return false;
        if (VALUE_SHORT.has(letter)) {
          if (j === a.length - 1) i++; // the value is the next argument
          break;
        }
      }
    }
  }
  return true;
}

/** Set DAEMON_V8_FLAGS when `argv` (the CLI's arguments) starts the daemon; true if set. */
export function tuneV8For(argv: readonly string[]): boolean {
  if (!runsDaemon(argv)) return false;
  // Loaded only here: node:v8 costs ~5 ms to load, and -t (run on every render) has no use for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v8 = require('node:v8') as typeof V8;
  for (const flag of DAEMON_V8_FLAGS) v8.setFlagsFromString(flag);
  return true;
}
