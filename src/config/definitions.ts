/**
 * keepalived's `$NAME=value` definitions and their substitution (`$NAME`, `${NAME}`,
 * `${_RANDOM 1 10}`), including multi-line definitions continued with `\`.
 * keepalived: lib/parser.c check_definition(), find_definition(), replace_param().
 * Pure: the built-ins that depend on the outside world (_PWD, _INSTANCE, _RANDOM) take their
 * values from the environment object passed in.
 */

export interface DefinitionEnv {
  /** Directory of the file being read (for ${_PWD}). */
  currentDir(): string;
  /** keepalived's -i instance name (for ${_INSTANCE}); empty when none. */
  instanceName(): string;
  /** An integer in [min, max] (for ${_RANDOM min max}). */
  random(min: number, max: number): number;
}

interface Definition {
  value: string;
  /** Lines of a multi-line definition (value holds them joined by \n). */
  multiline: boolean;
  builtin?: (params: readonly number[]) => string;
  maxParams: number;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

export interface Substitution {
  /** The line after replacing every known definition. */
  readonly text: string;
  /** Further lines a multi-line definition contributes (read before the next file line). */
  readonly extraLines: readonly string[];
  readonly changed: boolean;
}

/** keepalived MAXBUF: the longest line substitution may produce. */
export const MAX_LINE_LEN = 1024;

export class Definitions {
  /** The last line whose substitution hit MAX_LINE_LEN (for the caller's notice). */
  overflow: string | null = null;
  private readonly defs = new Map<string, Definition>();
  /** The definition a multi-line `$X= ... \` is still collecting lines for. */
  private collecting: Definition | null = null;

  constructor(env: DefinitionEnv) {
    this.defs.set('_PWD', { value: '', multiline: false, maxParams: 0, builtin: () => env.currentDir() });
    this.defs.set('_INSTANCE', { value: '', multiline: false, maxParams: 0, builtin: () => env.instanceName() });
    this.defs.set('_RANDOM', {
      value: '',
      multiline: false,
      maxParams: 2,
      // keepalived get_random(): [min, max] with defaults 0 and 32767.
      builtin: (p) => String(env.random(p[0] ?? 0, p[1] ?? 32767)),
    });
    this.defs.set('_HASH', { value: '#', multiline: false, maxParams: 0 });
    this.defs.set('_BANG', { value: '!', multiline: false, maxParams: 0 });
  }

  get isCollecting(): boolean {
    return this.collecting !== null;
  }

  /**
   * Feed the next (decommented) line to a multi-line definition being collected. Returns false
   * when the definition ended before this line, which must then be read normally.
   */
  continueDefinition(line: string): boolean {
    const def = this.collecting;
    if (!def) return false;
    const cont = line.endsWith('\\');
    const text = cont ? line.slice(0, -1).replace(/[ \t]+$/, '') : line;
    if (text.length > 0) def.value = def.value.length > 0 ? `${def.value}\n${text}` : text;
    if (!cont) {
      this.collecting = null;
      if (def.value.length === 0) def.multiline = false;
    }
    return true;
  }

  /** keepalived check_definition(): is `line` a `$NAME=value` definition? Records it if so. */
  tryDefine(line: string): boolean {
    // The name runs straight into '=': `$X = 1` is not a definition in keepalived.
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)=[ \t]*(.*)$/s.exec(line);
    if (!m) return false;
    const name = m[1] as string;
    let value = m[2] as string;
    const multiline = value.endsWith('\\');
    if (multiline) value = value.slice(0, -1).replace(/[ \t]+$/, '');
    const def: Definition = { value, multiline, maxParams: 0 };
    this.defs.set(name, def);
    if (multiline) this.collecting = def;
    return true;
  }

  /** Define `name` as a one-line value (keepalived set_definition(), used by ~SEQ). */
  set(name: string, value: string): void {
    this.defs.set(name, { value, multiline: false, maxParams: 0 });
  }

  get hasUserDefinitions(): boolean {
    return this.defs.size > 5;
  }

  /** keepalived replace_param(): substitute `$NAME`/`${NAME}` where NAME is defined. */
  substitute(line: string): Substitution {
    let out = '';
    let changed = false;
    let extra: string[] = [];
    let i = 0;
    while (i < line.length) {
      const c = line[i];
      if (c !== '$' || i + 1 >= line.length) {
        out += c;
        i++;
        continue;
      }
      const found = this.lookup(line, i + 1);
      if (!found) {
        out += c;
        i++;
        continue;
      }
      const { def, end, params } = found;
      changed = true;
      const value = def.builtin ? def.builtin(params) : def.value;
      if (def.multiline) {
        const [first, ...rest] = value.split('\n');
        out += first ?? '';
        // The rest of this line follows the last line of the definition.
        const tail = line.slice(end);
        extra = rest;
        if (extra.length > 0) extra[extra.length - 1] += tail;
        else out += tail;
        return { text: out, extraLines: extra, changed };
      }
      // keepalived replace_param(): a line may not grow past MAXBUF; it is used as it stands.
      if (out.length + value.length + (line.length - end) >= MAX_LINE_LEN) {
        this.overflow = line;
        return { text: out + line.slice(i), extraLines: extra, changed };
      }
      out += value;
      i = end;
    }
    return { text: out, extraLines: extra, changed };
  }

  private lookup(line: string, start: number): { def: Definition; end: number; params: number[] } | null {
    const braces = line[start] === '{';
    let p = braces ? start + 1 : start;
    if (!NAME_START.test(line[p] ?? '')) return null;
    const nameStart = p;
    while (p < line.length && NAME_CHAR.test(line[p] as string)) p++;
    const name = line.slice(nameStart, p);
    const params: number[] = [];
    if (braces) {
      const paramText = /^([ 0-9]*)\}/.exec(line.slice(p));
      if (!paramText) return null;
      const raw = paramText[1] as string;
      if (raw.trim().length > 0) {
        if (/ $/.test(raw)) return null;
        for (const n of raw.trim().split(/ +/)) params.push(Number(n));
      }
      p += raw.length + 1;
    } else if (p < line.length && !/[ \t,)]/.test(line[p] as string)) {
      return null;
    }
    const def = this.defs.get(name);
    if (!def) return null;
    if (params.length > 0 && def.maxParams === 0) return null;
    // A multi-line definition may only be used where it is the whole rest of the line.
    if (def.multiline && p !== line.length) return null;
    return { def, end: p, params };
  }
}
