/**
 * `static_ipaddress`, `static_routes`, `static_rules`: entries kept up independent of VRRP
 * state. Parsed and checked with the same line parsers as the instance blocks; tsvrrpd does
 * not install them yet, so each block is reported once as not implemented.
 * keepalived: vrrp_parser.c static_addresses_handler() and friends.
 */
import { kw, type KeywordDef } from '../keyword';
import type { ConfigDraft } from '../draft';
import { parseAddressLine } from './ip-address';
import { parseRouteLine, parseRuleLine } from './ip-route';
import { reportNotImplemented } from './common';

export const staticKeywords: readonly KeywordDef<ConfigDraft>[] = [
  kw('static_ipaddress', (ctx, draft, k, args) => {
    reportNotImplemented(ctx, k, 'top level');
    ctx.readValueBlock(k, args, (words) => {
      const a = parseAddressLine(ctx, draft, words, true);
      if (!a) return;
      if (a.dev === null && !ctx.host.interface(draft.global.defaultInterface ?? 'eth0')) {
        // keepalived falls back to default_interface (eth0 unless set), which must exist.
        ctx.report('FATAL', 'CFG_STATIC_NO_IF', `Static address ${words[0]?.text ?? ''} requires either an interface or default interface must exist`, words[0]);
        return;
      }
      draft.staticAddresses.push(a);
    });
  }),
  kw('static_routes', (ctx, draft, k, args) => {
    reportNotImplemented(ctx, k, 'top level');
    ctx.readValueBlock(k, args, (words) => {
      const r = parseRouteLine(ctx, draft, words);
      if (r) draft.staticRoutes.push(r);
    });
  }),
  kw('static_rules', (ctx, draft, k, args) => {
    reportNotImplemented(ctx, k, 'top level');
    ctx.readValueBlock(k, args, (words) => {
      const r = parseRuleLine(ctx, draft, words);
      if (r) draft.staticRules.push(r);
    });
  }),
];
