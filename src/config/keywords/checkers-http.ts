/**
 * HTTP_GET and SSL_GET: their url blocks (path, digest, status_code, virtualhost, regex...)
 * and options, checked with keepalived's messages, never run. Regex compilation problems are
 * only logged by keepalived, so they are notices here (tsvrrpd does not compile PCRE2).
 * keepalived: check_http.c install_http_ssl_check_keyword(), url_check(), http_get_check_end().
 */
import { block, kw, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import { readUnsigned, requireArg } from '../values';
import { splitQuotedEscaped } from '../script-command';
import { boolKw, checkConnOpts, commonKeywords, newConnOpts, UINT_MAX, type CheckerBase } from './checkers-common';
import type { RsScope } from './lvs-real-server-scope';

interface HttpScope extends CheckerBase {
  urls: number;
}

interface UrlScope {
  readonly http: HttpScope;
  hasPath: boolean;
  digestSet: boolean;
  regex: boolean;
  regexParams: boolean;
  minOffset: number;
  maxOffset: number;
}

const MD5_HEX_LEN = 32;

/** One hex pair as strtoul(base 16) must consume it whole (blank or sign + one digit pass). */
function hexPairOk(pair: string): boolean {
  return /^(?:[0-9a-fA-F]{2}|[ \t\n\v\f\r+-][0-9a-fA-F])$/.test(pair);
}

function digestKw(): KeywordDef<UrlScope> {
  return kw('digest', (ctx, u, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    let digest = w.text;
    if (u.digestSet) {
      ctx.report('GENERAL_ERROR', 'CFG_HTTP_DIGEST', `Digest '${digest}' is a duplicate`, w);
      return;
    }
    if (digest.length !== MD5_HEX_LEN) {
      ctx.report('GENERAL_ERROR', 'CFG_HTTP_DIGEST', `digest '${digest}' character length should be ${MD5_HEX_LEN} rather than ${digest.length}`, w);
      return;
    }
    // keepalived reads the pairs from the last one, cutting the string as it goes.
    for (let i = MD5_HEX_LEN / 2 - 1; i >= 0; i--) {
      digest = digest.slice(0, 2 * i + 2);
      if (!hexPairOk(digest.slice(2 * i, 2 * i + 2))) {
        ctx.report('GENERAL_ERROR', 'CFG_HTTP_DIGEST', `Unable to interpret hex digit in '${digest}' at offset ${2 * i}/${2 * i + 1}`, w);
        return;
      }
    }
    u.digestSet = true;
  });
}

/** strtoul(base 10) on `s` from `i`: the value (NaN for a negative one) and where it stopped. */
function strtoul10(s: string, i: number): { value: number; end: number } {
  let j = i;
  while (j < s.length && ' \t\n\v\f\r'.includes(s[j] as string)) j++;
  let neg = false;
  if (s[j] === '+' || s[j] === '-') {
    neg = s[j] === '-';
    j++;
  }
  const m = /^[0-9]+/.exec(s.slice(j));
  if (!m) return { value: 0, end: i };
  const v = Number(m[0]);
  return { value: neg && v !== 0 ? Number.NaN : v, end: j + m[0].length };
}

/** keepalived status_code_handler(): N or N-M, each within 100..599. */
export function statusCodeOk(str: string): boolean {
  const a = strtoul10(str, 0);
  let b = a;
  if (str[a.end] === '-') b = strtoul10(str, a.end + 1);
  const inRange = (v: number): boolean => v >= 100 && v <= 599;
  return b.end === str.length && inRange(a.value) && inRange(b.value) && a.value <= b.value;
}

function offsetKw(name: 'regex_min_offset' | 'regex_max_offset'): KeywordDef<UrlScope> {
  const type = name === 'regex_min_offset' ? 'min' : 'max';
  return kw(name, (ctx, u, _k, args) => {
    let v = 0;
    if (args.length !== 1) {
      ctx.report('NOTICE', 'CFG_HTTP_REGEX', `Missing or too may options for regex_${type}_offset`);
    } else {
      const text = (args[0] as Word).text;
      const r = strtoul10(text, 0);
      if (r.end !== text.length) ctx.report('NOTICE', 'CFG_HTTP_REGEX', `Invalid regex_${type}_offset ${text} specified`, args[0]);
      else v = Number.isNaN(r.value) ? Number.MAX_SAFE_INTEGER : r.value;
    }
    if (type === 'min') u.minOffset = v;
    else u.maxOffset = v + 1;
    u.regexParams = true;
  });
}

const urlTable = table<UrlScope>(
  kw('path', (ctx, u, k, args) => {
    if (requireArg(ctx, k, args, 0)) u.hasPath = true;
  }),
  digestKw(),
  kw('status_code', (ctx, _u, _k, args) => {
    for (const w of args) {
      if (!statusCodeOk(w.text)) ctx.report('GENERAL_ERROR', 'CFG_HTTP_STATUS_CODE', `Invalid HTTP_GET status code '${w.text}'`, w);
    }
  }),
  kw('virtualhost', (ctx, _u, k, args) => {
    if (args.length === 0) ctx.report('GENERAL_ERROR', 'CFG_HTTP_VIRTUALHOST', 'Missing HTTP_GET virtualhost name', k);
  }),
  kw('regex', (ctx, u) => {
    const words = splitQuotedEscaped(ctx.lineText());
    if (!words.ok || words.words.length !== 2) {
      ctx.report('NOTICE', 'CFG_HTTP_REGEX', 'regex missing or too many fields');
      return;
    }
    u.regex = true;
  }),
  kw('regex_no_match', (_ctx, u) => {
    u.regexParams = true;
  }),
  kw('regex_options', (_ctx, u, _k, args) => {
    if (args.length > 0) u.regexParams = true;
  }),
  offsetKw('regex_min_offset'),
  offsetKw('regex_max_offset'),
  kw('regex_stack', (ctx, u, _k, args) => {
    const [a, b] = args;
    if (args.length !== 2 || a === undefined || b === undefined) {
      ctx.report('NOTICE', 'CFG_HTTP_REGEX', 'regex_stack requires start and max values');
    } else if (strtoul10(a.text, 0).end !== a.text.length) {
      ctx.report('NOTICE', 'CFG_HTTP_REGEX', 'regex_stack invalid start value', a);
    } else if (strtoul10(b.text, 0).end !== b.text.length) {
      ctx.report('NOTICE', 'CFG_HTTP_REGEX', 'regex_stack invalid max value', b);
    } else if (strtoul10(a.text, 0).value > strtoul10(b.text, 0).value) {
      ctx.report('NOTICE', 'CFG_HTTP_REGEX', 'regex stack start cannot exceed max value');
    } else {
      u.regexParams = true;
    }
  }),
);

function urlClose(ctx: KeywordContext, u: UrlScope): void {
  if (!u.hasPath) {
    ctx.report('GENERAL_ERROR', 'CFG_HTTP_URL_PATH', 'HTTP/SSL_GET checker url has no path - ignoring');
    return;
  }
  u.http.urls++;
  if (!u.regex && u.regexParams) {
    ctx.report('NOTICE', 'CFG_HTTP_REGEX', 'regex parameters specified without regex');
    return;
  }
  if (u.maxOffset !== 0 && u.minOffset >= u.maxOffset) {
    ctx.report('NOTICE', 'CFG_HTTP_REGEX', `regex min offset ${u.minOffset} > regex_max_offset ${u.maxOffset - 1} - ignoring`);
  }
}

const httpTable = table<HttpScope>(
  ...commonKeywords<HttpScope>(true),
  kw('nb_get_retry', (ctx, _s, k, args) => {
    ctx.report('GENERAL_ERROR', 'CFG_DEPRECATED_KEYWORD', "nb_get_retry is deprecated - please use 'retry'", k);
    const w = requireArg(ctx, k, args, 0);
    if (w && readUnsigned(ctx, w, 0, UINT_MAX) === null) {
      ctx.report('GENERAL_ERROR', 'CFG_LVS_VALUE', `Invalid nb_get_retry value '${w.text}'`, w);
    }
  }),
  kw('virtualhost', (ctx, _s, k, args) => {
    if (args.length === 0) ctx.report('GENERAL_ERROR', 'CFG_HTTP_VIRTUALHOST', 'HTTP_GET virtualhost name missing', k);
  }),
  kw('http_protocol', (ctx, _s, k, args) => {
    const w = args[0];
    if (w === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_HTTP_PROTOCOL', 'Missing http_protocol version', k);
    } else if (!['1.0', '1.1', '1.0C', '1.0c'].includes(w.text)) {
      ctx.report('GENERAL_ERROR', 'CFG_HTTP_PROTOCOL', `Invalid http_protocol version ${w.text}`, w);
    }
  }),
  boolKw<HttpScope>('enable_sni', 'enable_sni'),
  boolKw<HttpScope>('fast_recovery', 'fast_recovery'),
  block<HttpScope, UrlScope>(
    'url',
    (_ctx, http) => ({ http, hasPath: false, digestSet: false, regex: false, regexParams: false, minOffset: 0, maxOffset: 0 }),
    urlTable,
    urlClose,
  ),
);

function httpChecker(name: 'HTTP_GET' | 'SSL_GET'): KeywordDef<RsScope> {
  return block<RsScope, HttpScope>(
    name,
    (_ctx, s) => ({ draft: s.draft, vs: s.vs, rs: s.rs, co: newConnOpts(s.rs), urls: 0 }),
    httpTable,
    (ctx, c) => {
      if (c.urls === 0) {
        ctx.report('GENERAL_ERROR', 'CFG_HTTP_NO_URL', 'HTTP/SSL_GET checker has no urls specified - ignoring');
        return;
      }
      if (c.co) checkConnOpts(ctx, c.co);
    },
  );
}

export const httpGetCheck = httpChecker('HTTP_GET');
export const sslGetCheck = httpChecker('SSL_GET');
