/**
 * Bounded, deterministic fuzzing of the config front end: the differential corpus
 * (test/config-corpus/cases) mutated line-, brace-, quote-, byte- and number-wise, with real
 * keepalived keywords, includes, `@id` lines and `$NAME=` definitions spliced in. Every case
 * goes through checkConfig on memoryFs (includes resolve inside it) and fakeHost. Required:
 * no exception escapes, every diagnostic has a location (a file of the tree, 1 <= line <=
 * lines in that file + 1), and the exit code is one of 0, 2, 4, 5, 6.
 *
 * Deterministic: a seeded PRNG (TSVRRPD_FUZZ_SEED, default below) derives one seed per case.
 * TSVRRPD_FUZZ_CASES sets the number of cases, TSVRRPD_FUZZ_CASE replays one case. A failure
 * prints the seed, the case number, the mutations, and writes the failing inputs to a
 * temporary directory.
 *
 * The cases run in a worker thread so that a hang (no progress for STALL_MS) fails the test
 * with the case that hung instead of blocking `npm test`; that is a hang guard, not a timing
 * assertion.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { checkConfig } from '../../../src/config/check';
import { renderDiagnostic, type Diagnostic } from '../../../src/config/diagnostics';
import { fakeHost, memoryFs, type MemoryTree } from '../../support/config-harness';
import { makeRng } from '../../support/lab';

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'config-corpus');
const CASES_DIR = path.join(CORPUS, 'cases');
const DEFAULT_SEED = 0x7e57c0de;
const DEFAULT_CASES = 15_000;
/** Hang guard: a case (a few KB) normally takes milliseconds. */
const STALL_MS = 30_000;
/** Small: the inputs are small, and a runaway expansion then fails fast. */
const WORKER_HEAP_MB = 256;
const MAX_RESTARTS = 4;
const EXIT_CODES = new Set([0, 2, 4, 5, 6]);
/** Where each corpus case lives in the memory file system. */
const ROOT = '/k';

// ---------------------------------------------------------------------------------------------
// PRNG

type Rng = () => number;


/** The seed of case `i`: independent of every other case, so one case can be replayed alone. */
function caseSeed(base: number, i: number): number {
  let h = (base ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[int(rng, xs.length)] as T;
}

// ---------------------------------------------------------------------------------------------
// Corpus

interface Seed {
  readonly id: string;
  readonly main: string;
  readonly tree: Readonly<Record<string, string>>;
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/** Every corpus case whose main file is readable, as a memory tree under /k/<id>/. */
function loadCorpus(): Seed[] {
  const seeds: Seed[] = [];
  for (const name of fs.readdirSync(CASES_DIR).sort()) {
    const full = path.join(CASES_DIR, name);
    const id = name.replace(/\.conf$/, '');
    const main = `${ROOT}/${id}/keepalived.conf`;
    const tree: Record<string, string> = {};
    if (fs.statSync(full).isDirectory()) {
      const files: string[] = [];
      walk(full, files);
      for (const f of files) {
        try {
          tree[`${ROOT}/${id}/${path.relative(full, f).split(path.sep).join('/')}`] = fs.readFileSync(f, 'latin1');
        } catch {
          // e.g. 286's dangling symlink
        }
      }
    } else {
      tree[main] = fs.readFileSync(full, 'latin1');
    }
    // Cases about a missing main file are not about its contents (bad-input.test.ts has them).
    if (tree[main] !== undefined) seeds.push({ id, main, tree });
  }
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** Real keepalived keywords (all levels), spliced in at random places. */
const KEYWORDS = [
  'global_defs', 'vrrp_instance', 'vrrp_script', 'vrrp_sync_group', 'static_ipaddress', 'static_routes', 'static_rules',
  'virtual_server', 'virtual_server_group', 'real_server', 'track_file', 'vrrp_track_file', 'track_process', 'garp_group',
  'linkbeat_interfaces', 'notification_email', 'notification_email_from', 'smtp_server', 'smtp_connect_timeout', 'router_id',
  'vrrp_mcast_group4', 'vrrp_garp_master_delay', 'vrrp_garp_master_repeat', 'vrrp_version', 'vrrp_strict', 'vrrp_skip_check_adv_addr',
  'enable_script_security', 'script_user', 'max_auto_priority', 'dynamic_interfaces', 'default_interface', 'lvs_sync_daemon',
  'state', 'interface', 'virtual_router_id', 'priority', 'advert_int', 'authentication', 'auth_type', 'auth_pass',
  'virtual_ipaddress', 'virtual_ipaddress_excluded', 'virtual_routes', 'virtual_rules', 'unicast_src_ip', 'unicast_peer',
  'track_interface', 'track_script', 'notify', 'notify_master', 'notify_backup', 'notify_fault', 'notify_stop',
  'nopreempt', 'preempt_delay', 'garp_master_delay', 'smtp_alert', 'use_vmac', 'vmac_xmit_base', 'dont_track_primary',
  'mcast_src_ip', 'version', 'accept', 'no_accept', 'strict_mode', 'script', 'interval', 'timeout', 'weight', 'rise', 'fall',
  'user', 'init_fail', 'group', 'global_tracking', 'sync_group_tracking_weight', 'delay_loop', 'lb_algo', 'lb_kind',
  'protocol', 'HTTP_GET', 'TCP_CHECK', 'MISC_CHECK', 'url', 'path', 'status_code', 'connect_timeout', 'misc_path',
  'include', 'includer', 'includem', 'includew', 'includeb', 'includea', '}', '{',
];

/** Extreme and malformed values for numbers. */
const EXTREMES = [
  '-1', '0', '1', '255', '256', '65535', '65536', '2147483647', '2147483648', '4294967295', '4294967296',
  '99999999999999999999', '1.5', '-0', '0x10', '1e3', 'abc', '', '""', '00000000000000000051', '+5', '0.000001', 'NaN', 'Infinity',
];

const WORDS = [
  'eth0', 'eth1', 'eth9', 'lo', 'VI_1', 'VI_2', 'chk', 'MASTER', 'BACKUP', 'PASS', 'AH', '10.0.0.100', '10.0.0.999', '10.0.0.1/33',
  'fe80::1', '::1/129', '224.0.0.18', 'dev', 'label', 'weight', 'reverse', 'root', 'nobody', '"quoted word"', '"unterminated',
  '/usr/bin/true', '/no/such/script', '"/usr/bin/test -e /tmp/x"', 'src', 'via', 'table', '{', '}', '$X', '${X}', '${_RANDOM 1 10}',
  '${_PWD}', '${_HASH}', '${_BANG}', '${_INSTANCE}', '@lb1', '\\', '#', '!', ';',
];

const INCLUDES = [
  'include extra.conf', 'include *.conf', 'include keepalived.conf', 'include ./keepalived.conf', 'includea nothere.conf',
  'include {extra,missing}.conf', 'includeb {extra,missing}.conf', 'includer conf.d/*.conf', 'includem conf.d/', 'include conf.d',
  'include', 'includew nothing-*.conf', 'include ../', 'include /', 'include ${DIR}/extra.conf', 'include extra.conf extra.conf',
  'include "extra.conf"', 'include /k/../k/./nothere/*.conf', 'includer extra.conf',
];

const CONDITIONALS = ['@lb1 ', '@^lb1 ', '@other ', '@^other ', '@', '@^', '@lb1', '@ ', '@@lb1 '];

const DEFINITIONS = [
  '$X=eth0', '$X=', '$X=10.0.0.100', '$X=virtual_router_id 51', '$DIR=.', '$X=${_RANDOM 1 255}', '$Y=$X',
  '$X = 1', '$=1', '$1X=1', '$X=a\\', '$M= \\\nvrrp_instance M { \\\n    interface eth0 \\\n}', '$X=}', '$X={', '$X="',
  '$X', '${X}', '${X 1}', '${X', '$M', '${_RANDOM}', '${_RANDOM 5 1}', '${_RANDOM 99999999999999999999}', '${_PWD}', '$_HASH',
];

type Mutator = (rng: Rng, text: string, ctx: MutationContext) => string;

interface MutationContext {
  /** Texts of other corpus files, for splicing. */
  readonly donors: readonly string[];
}

const lines = (t: string): string[] => t.split('\n');
const unlines = (ls: readonly string[]): string => ls.join('\n');

function randomArgs(rng: Rng): string {
  const n = int(rng, 4);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng() < 0.5 ? pick(rng, EXTREMES) : pick(rng, WORDS));
  return out.join(' ');
}

function insertLine(rng: Rng, text: string, line: string): string {
  const ls = lines(text);
  ls.splice(int(rng, ls.length + 1), 0, line);
  return unlines(ls);
}

function insertAt(rng: Rng, text: string, s: string): string {
  const p = int(rng, text.length + 1);
  return text.slice(0, p) + s + text.slice(p);
}

function deleteOneOf(rng: Rng, text: string, chars: string): string {
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i] as string)) at.push(i);
  if (at.length === 0) return text;
  const p = pick(rng, at);
  return text.slice(0, p) + text.slice(p + 1);
}

const MUTATORS: Readonly<Record<string, Mutator>> = {
  deleteLine: (rng, t) => {
    const ls = lines(t);
    ls.splice(int(rng, ls.length), 1);
    return unlines(ls);
  },
  deleteLines: (rng, t) => {
    const ls = lines(t);
    ls.splice(int(rng, ls.length), 1 + int(rng, 8));
    return unlines(ls);
  },
  duplicateLine: (rng, t) => {
    const ls = lines(t);
    const i = int(rng, ls.length);
    ls.splice(i, 0, ls[i] ?? '');
    return unlines(ls);
  },
  swapLines: (rng, t) => {
    const ls = lines(t);
    const i = int(rng, ls.length);
    const j = int(rng, ls.length);
    [ls[i], ls[j]] = [ls[j] as string, ls[i] as string];
    return unlines(ls);
  },
  joinLines: (rng, t) => {
    const nl: number[] = [];
    for (let i = 0; i < t.length; i++) if (t[i] === '\n') nl.push(i);
    if (nl.length === 0) return t;
    const p = pick(rng, nl);
    return `${t.slice(0, p)} ${t.slice(p + 1)}`;
  },
  splitLine: (rng, t) => insertAt(rng, t, '\n'),
  insertBrace: (rng, t) => (rng() < 0.5 ? insertAt(rng, t, pick(rng, ['{', '}', ' { ', ' } ', '{}', '}{'])) : insertLine(rng, t, pick(rng, ['{', '}', '{ }', '} }', '{ {']))),
  deleteBrace: (rng, t) => deleteOneOf(rng, t, '{}'),
  insertQuote: (rng, t) => insertAt(rng, t, '"'),
  deleteQuote: (rng, t) => deleteOneOf(rng, t, '"'),
  flipByte: (rng, t) => {
    if (t.length === 0) return String.fromCharCode(int(rng, 256));
    const p = int(rng, t.length);
    return t.slice(0, p) + String.fromCharCode(int(rng, 256)) + t.slice(p + 1);
  },
  flipBit: (rng, t) => {
    if (t.length === 0) return t;
    const p = int(rng, t.length);
    return t.slice(0, p) + String.fromCharCode((t.charCodeAt(p) ^ (1 << int(rng, 8))) & 0xff) + t.slice(p + 1);
  },
  insertSpecial: (rng, t) => insertAt(rng, t, pick(rng, ['\0', '\r', '\t', '\\', '\\\n', '\r\n', '#', '!', '\\#', '\f', '\v', '\x7f', '\xff'])),
  truncate: (rng, t) => t.slice(0, int(rng, t.length + 1)),
  replaceNumber: (rng, t) => {
    const nums = [...t.matchAll(/\d+(?:\.\d+)?/g)];
    if (nums.length === 0) return t;
    const m = pick(rng, nums);
    const p = m.index ?? 0;
    return t.slice(0, p) + pick(rng, EXTREMES) + t.slice(p + m[0].length);
  },
  replaceWord: (rng, t) => {
    const words = [...t.matchAll(/[A-Za-z_][A-Za-z0-9_.:/-]*/g)];
    if (words.length === 0) return t;
    const m = pick(rng, words);
    const p = m.index ?? 0;
    return t.slice(0, p) + (rng() < 0.5 ? pick(rng, KEYWORDS) : pick(rng, WORDS)) + t.slice(p + m[0].length);
  },
  insertKeyword: (rng, t) => {
    const kw = pick(rng, KEYWORDS);
    const tail = rng() < 0.25 ? ' {' : '';
    return insertLine(rng, t, `${' '.repeat(int(rng, 9))}${kw} ${randomArgs(rng)}${tail}`);
  },
  insertBlock: (rng, t) => {
    const kw = pick(rng, KEYWORDS);
    const body = Array.from({ length: int(rng, 4) }, () => `    ${pick(rng, KEYWORDS)} ${randomArgs(rng)}`);
    return insertLine(rng, t, [`${kw} ${pick(rng, WORDS)} {`, ...body, ...(rng() < 0.8 ? ['}'] : [])].join('\n'));
  },
  insertInclude: (rng, t) => insertLine(rng, t, pick(rng, INCLUDES)),
  insertConditional: (rng, t) => {
    const ls = lines(t);
    const i = int(rng, ls.length);
    ls[i] = pick(rng, CONDITIONALS) + (ls[i] ?? '').trimStart();
    return unlines(ls);
  },
  insertDefinition: (rng, t) => {
    let out = insertLine(rng, t, pick(rng, DEFINITIONS));
    if (rng() < 0.7) out = insertLine(rng, out, `${' '.repeat(int(rng, 5))}${pick(rng, WORDS)} ${pick(rng, ['$X', '${X}', '$M', '$Y', '${_RANDOM 1 10}'])}`);
    return out;
  },
  splice: (rng, t, ctx) => {
    const donor = lines(pick(rng, ctx.donors));
    const from = int(rng, donor.length);
    const chunk = donor.slice(from, from + 1 + int(rng, 12));
    const ls = lines(t);
    ls.splice(int(rng, ls.length + 1), 0, ...chunk);
    return unlines(ls);
  },
};

const MUTATOR_NAMES = Object.keys(MUTATORS);

interface FuzzCase {
  readonly index: number;
  readonly seed: number;
  readonly source: string;
  readonly main: string;
  readonly target: string;
  readonly mutations: readonly string[];
  readonly tree: Record<string, string>;
}

/** Case `index` of a run with base seed `base`: deterministic from (base, index) alone. */
function makeCase(corpus: readonly Seed[], donors: readonly string[], base: number, index: number): FuzzCase {
  const seed = caseSeed(base, index);
  const rng = makeRng(seed);
  const src = corpus[int(rng, corpus.length)] as Seed;
  const tree: Record<string, string> = { ...src.tree };
  const dir = `${ROOT}/${src.id}`;
  // Files for the spliced-in include lines to find (sometimes).
  if (rng() < 0.5) tree[`${dir}/extra.conf`] = pick(rng, donors);
  if (rng() < 0.3) tree[`${dir}/conf.d/a.conf`] = pick(rng, donors);
  const files = Object.keys(tree).filter((f) => !f.endsWith('.sh'));
  const target = rng() < 0.75 ? src.main : pick(rng, files);
  const mutations: string[] = [];
  let text = tree[target] ?? '';
  const n = 1 + int(rng, 4);
  for (let k = 0; k < n; k++) {
    const name = pick(rng, MUTATOR_NAMES);
    mutations.push(name);
    text = (MUTATORS[name] as Mutator)(rng, text, { donors });
  }
  tree[target] = text;
  return { index, seed, source: src.id, main: src.main, target, mutations, tree };
}

// ---------------------------------------------------------------------------------------------
// Checking one case

interface Failure {
  readonly index: number;
  readonly seed: number;
  readonly source: string;
  readonly target: string;
  readonly mutations: readonly string[];
  /** Groups failures: the exception's first line, or the invariant and diagnostic code. */
  readonly kind: string;
  readonly detail: string;
}

const HOST = fakeHost({
  interfaces: ['eth0', 'eth1', 'eth2', 'eth3'],
  users: ['root', 'nobody'],
  groups: ['root', 'nogroup'],
  scripts: Object.fromEntries(['/usr/bin/true', '/usr/bin/test', '/usr/bin/pgrep', '/usr/bin/killall', '/usr/bin/logger'].map((p) => [p, {}])),
});

function lineCounts(tree: Readonly<Record<string, string>>): Map<string, number> {
  const m = new Map<string, number>();
  for (const [f, t] of Object.entries(tree)) m.set(f, t.split('\n').length);
  return m;
}

function describeDiag(d: Diagnostic): string {
  return `[${d.cls}] ${d.code} at=${JSON.stringify(d.at)} ${renderDiagnostic(d).slice(0, 200)}`;
}

interface CaseOutcome {
  /** Invariant violations (empty when the case passes). */
  readonly failures: readonly { readonly kind: string; readonly detail: string }[];
  /** The exit code, or null when checkConfig threw. */
  readonly exit: number | null;
  readonly diagnostics: number;
}

/** Run one case and check the invariants. */
function runCase(c: FuzzCase): CaseOutcome {
  const rng = makeRng(c.seed ^ 0xa5a5a5a5);
  let result;
  try {
    result = checkConfig({
      file: c.main,
      configId: 'lb1',
      fs: memoryFs(c.tree),
      host: HOST,
      random: (min, max) => min + Math.floor(rng() * (Math.max(max, min) - min + 1)),
    });
  } catch (e) {
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    const kind = `exception: ${stack.split('\n')[0] ?? ''} @ ${(stack.split('\n')[1] ?? '').trim()}`;
    return { failures: [{ kind, detail: stack }], exit: null, diagnostics: 0 };
  }
  const failures: { kind: string; detail: string }[] = [];
  if (!EXIT_CODES.has(result.exitCode)) failures.push({ kind: `exit code ${result.exitCode}`, detail: `exit ${result.exitCode}` });
  const counts = lineCounts(c.tree);
  for (const d of result.diagnostics) {
    let why: string | null = null;
    if (d.at === null) why = 'diagnostic without a location';
    else if (typeof d.at.file !== 'string' || d.at.file.length === 0) why = 'diagnostic without a file';
    else if (!Number.isInteger(d.at.line) || d.at.line < 1) why = 'diagnostic with line < 1';
    else if (!counts.has(d.at.file)) why = 'diagnostic in a file that is not in the tree';
    else if (d.at.line > (counts.get(d.at.file) as number) + 1) why = 'diagnostic past the end of its file';
    if (why) failures.push({ kind: `${why}: ${d.code}`, detail: describeDiag(d) });
  }
  return { failures, exit: result.exitCode, diagnostics: result.diagnostics.length };
}

// ---------------------------------------------------------------------------------------------
// Worker: runs the cases, reports progress and failures

interface WorkerInput {
  readonly base: number;
  readonly first: number;
  readonly count: number;
}

type WorkerMessage =
  | { readonly t: 'start'; readonly index: number }
  | { readonly t: 'result'; readonly exit: number | null; readonly diagnostics: number; readonly failures: readonly Failure[] }
  | { readonly t: 'done' };

function workerMain(input: WorkerInput): void {
  const port = parentPort as NonNullable<typeof parentPort>;
  const corpus = loadCorpus();
  const donors = corpus.map((s) => s.tree[s.main] as string);
  for (let i = input.first; i < input.first + input.count; i++) {
    port.postMessage({ t: 'start', index: i } satisfies WorkerMessage);
    const c = makeCase(corpus, donors, input.base, i);
    const r = runCase(c);
    const failures = r.failures.map((f) => ({ index: i, seed: c.seed, source: c.source, target: c.target, mutations: c.mutations, ...f }));
    port.postMessage({ t: 'result', exit: r.exit, diagnostics: r.diagnostics, failures } satisfies WorkerMessage);
  }
  port.postMessage({ t: 'done' } satisfies WorkerMessage);
}

// ---------------------------------------------------------------------------------------------
// The test

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
}

/** Write the failing case's files to a temp directory, for replay with the real CLI or a debugger. */
function saveCase(c: FuzzCase): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tsvrrpd-fuzz-${c.seed.toString(16)}-`));
  for (const [f, text] of Object.entries(c.tree as MemoryTree)) {
    const p = path.join(dir, f);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text as string, 'latin1');
  }
  return path.join(dir, c.main);
}

function report(base: number, failures: readonly Failure[], replay: (i: number) => FuzzCase): string {
  const byKind = new Map<string, Failure[]>();
  for (const f of failures) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  const parts = [`${failures.length} invariant violations in ${byKind.size} kinds (TSVRRPD_FUZZ_SEED=${base}):`];
  for (const [kind, group] of byKind) {
    const f = group[0] as Failure;
    const c = replay(f.index);
    parts.push(
      `\n* ${kind}  (${group.length}x; first: TSVRRPD_FUZZ_SEED=${base} TSVRRPD_FUZZ_CASE=${f.index}, case seed ${f.seed})`,
      `  source ${f.source}, mutated ${f.target} by ${f.mutations.join(', ')}`,
      `  input saved as ${saveCase(c)}`,
      `  ${f.detail.split('\n').slice(0, 8).join('\n  ')}`,
    );
  }
  return parts.join('\n');
}

type WorkerEnd = { readonly kind: 'done' } | { readonly kind: 'stalled' } | { readonly kind: 'error'; readonly error: Error } | { readonly kind: 'exit'; readonly code: number };

interface Tally {
  readonly failures: Failure[];
  readonly exits: Record<number, number>;
  diagnostics: number;
}

/**
 * Run cases in a worker, adding their outcomes to `tally`. It ends when all are done, or (hang
 * guard) when the worker made no progress for STALL_MS, ran out of memory or died; `current`
 * is then the case it was on.
 */
async function runWorker(input: WorkerInput, tally: Tally): Promise<{ end: WorkerEnd; current: number }> {
  const worker = new Worker(__filename, { workerData: input, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  let current = -1;
  let timer: NodeJS.Timeout | undefined;
  const end = await new Promise<WorkerEnd>((resolve) => {
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => resolve({ kind: 'stalled' }), STALL_MS);
    };
    arm();
    worker.on('message', (m: WorkerMessage) => {
      if (m.t === 'start') {
        current = m.index;
        arm();
      } else if (m.t === 'result') {
        tally.failures.push(...m.failures);
        if (m.exit !== null) tally.exits[m.exit] = (tally.exits[m.exit] ?? 0) + 1;
        tally.diagnostics += m.diagnostics;
      } else resolve({ kind: 'done' });
    });
    worker.once('error', (error: Error) => resolve({ kind: 'error', error }));
    worker.once('exit', (code: number) => resolve({ kind: 'exit', code }));
  });
  clearTimeout(timer);
  await worker.terminate();
  return { end, current };
}

if (isMainThread) {
  const base = envInt('TSVRRPD_FUZZ_SEED', DEFAULT_SEED);
  const only = process.env.TSVRRPD_FUZZ_CASE;
  const first = only !== undefined && only !== '' ? envInt('TSVRRPD_FUZZ_CASE', 0) : 0;
  const count = only !== undefined && only !== '' ? 1 : envInt('TSVRRPD_FUZZ_CASES', DEFAULT_CASES);

  test('the fuzz corpus loads', () => {
    const corpus = loadCorpus();
    assert.ok(corpus.length >= 250, `only ${corpus.length} corpus cases`);
    // Sanity: the unmutated corpus itself satisfies the invariants the fuzz checks.
    const bad: string[] = [];
    for (const s of corpus) {
      const c: FuzzCase = { index: -1, seed: 0, source: s.id, main: s.main, target: s.main, mutations: [], tree: { ...s.tree } };
      for (const f of runCase(c).failures) bad.push(`${s.id}: ${f.kind}\n    ${f.detail.split('\n').slice(0, 3).join('\n    ')}`);
    }
    assert.deepEqual(bad, [], `unmutated corpus cases already break the invariants:\n${bad.join('\n')}`);
  });

  test(`fuzz: ${count} mutated corpus configs (seed ${base}${only ? `, case ${first}` : ''})`, async () => {
    const corpus = loadCorpus();
    const donors = corpus.map((s) => s.tree[s.main] as string);
    const replay = (i: number): FuzzCase => makeCase(corpus, donors, base, i);
    const tally: Tally = { failures: [], exits: {}, diagnostics: 0 };
    // A case that hangs or kills the worker is recorded, and the run goes on after it (a few times).
    let next = first;
    for (let restarts = 0; next < first + count; restarts++) {
      const run = await runWorker({ base, first: next, count: first + count - next }, tally);
      if (run.end.kind === 'done') break;
      const i = run.current < 0 ? next : run.current;
      const c = replay(i);
      const kind =
        run.end.kind === 'stalled'
          ? `hang: no progress for ${STALL_MS / 1000} s`
          : run.end.kind === 'error'
            ? `worker died: ${(run.end.error.stack ?? String(run.end.error)).split('\n')[0] ?? ''}`
            : `worker exited with code ${run.end.code}`;
      tally.failures.push({ index: i, seed: c.seed, source: c.source, target: c.target, mutations: c.mutations, kind, detail: kind });
      if (restarts >= MAX_RESTARTS) {
        tally.failures.push({ index: i, seed: c.seed, source: c.source, target: c.target, mutations: c.mutations, kind: `gave up after ${MAX_RESTARTS + 1} dead workers`, detail: `cases after ${i} were not run` });
        break;
      }
      next = i + 1;
    }
    const { failures, exits, diagnostics } = tally;
    const stats = `exit codes ${JSON.stringify(exits)}, ${diagnostics} diagnostics`;
    assert.equal(failures.length, 0, `${report(base, failures, replay)}\n\n(${stats})`);
    // The mutations must reach several verdicts, or the fuzz is not exploring anything.
    if (count >= 100) assert.ok(Object.keys(exits).length >= 3, `the fuzz reached too few verdicts: ${stats}`);
  });
} else {
  workerMain(workerData as WorkerInput);
}
