/**
 * The first module the command line loads (cli.ts): before anything else is compiled, a daemon
 * run gets the V8 flags of v8-tuning.ts. A side effect on purpose, kept to this one file.
 */
import { tuneV8For } from './v8-tuning';

tuneV8For(process.argv.slice(2));
