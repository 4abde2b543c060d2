/**
 * The first module the command line loads (cli.ts), with two side effects on purpose, kept to
 * this one file: before anything else is compiled, a daemon run gets the V8 flags of
 * v8-tuning.ts; and a SIGUSR1 listener is installed at once, so the signal can never start
 * Node's inspector (a root-owned debugger on 127.0.0.1:9229): from this line on, SIGUSR1 is
 * only keepalived's DATA dump (io/signals.ts). Node itself handles SIGUSR1 only in the few
 * milliseconds of its own bootstrap, before any JavaScript runs.
 */
import { tuneV8For } from './v8-tuning';

process.on('SIGUSR1', () => undefined);
tuneV8For(process.argv.slice(2));
