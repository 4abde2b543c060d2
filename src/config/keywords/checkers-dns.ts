/**
 * DNS_CHECK: the query type and name, with keepalived's checks (its empty-label test included,
 * quirks and all). Checked, never run. keepalived: check_dns.c install_dns_check_keyword().
 */
import { block, kw, table } from '../keyword';
import { requireArg } from '../values';
import { checkConnOpts, commonKeywords, newConnOpts, type CheckerBase } from './checkers-common';
import type { RsScope } from './lvs-real-server-scope';

interface DnsScope extends CheckerBase {
  nameSet: boolean;
}

const DNS_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'];

/**
 * keepalived dns_name_handler()'s label test: a name starting with '.' (other than "."), or a
 * '.' right after the first character or after any later '.'.
 */
export function dnsNameHasEmptyLabel(name: string): boolean {
  if (name[0] === '.' && name.length > 1) return true;
  for (let p = 0; p >= 0; p = name.indexOf('.', p + 1)) {
    if (name[p + 1] === '.') return true;
  }
  return false;
}

const dnsTable = table<DnsScope>(
  ...commonKeywords<DnsScope>(true),
  kw('type', (ctx, _s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w && !DNS_TYPES.includes(w.text.toUpperCase())) {
      ctx.report('GENERAL_ERROR', 'CFG_DNS_TYPE', `Unknown DNS check type ${w.text} - ignoring`, w);
    }
  }),
  kw('name', (ctx, s, k, args) => {
    if (s.nameSet) {
      ctx.report('GENERAL_ERROR', 'CFG_DNS_NAME', 'DNS_CHECK name already specified - ignoring', k);
      return;
    }
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    if (dnsNameHasEmptyLabel(w.text)) {
      ctx.report('GENERAL_ERROR', 'CFG_DNS_NAME', `DNS_CHECK name '${w.text}' has empty label - ignoring`, w);
      return;
    }
    s.nameSet = true;
  }),
);

export const dnsCheck = block<RsScope, DnsScope>(
  'DNS_CHECK',
  (_ctx, s) => ({ draft: s.draft, vs: s.vs, rs: s.rs, co: newConnOpts(s.rs), nameSet: false }),
  dnsTable,
  (ctx, c) => {
    if (c.co) checkConnOpts(ctx, c.co);
  },
);
