/**
 * The checker's `SSL { password ca certificate key }` block (the client context of SSL_GET),
 * checked with keepalived's messages and recorded as "not run".
 * keepalived: check_parser.c ssl_handler(), handle_ssl_file().
 */
import { block, kw, table, type KeywordDef } from '../keyword';
import type { ConfigDraft } from '../draft';
import { recordNotRun } from './common';
import { lvsState, type SslDraft } from './lvs-state';

function sslFile(name: string, field: keyof SslDraft, type: string): KeywordDef<SslDraft> {
  return kw<SslDraft>(name, (ctx, ssl, k, args) => {
    if (args.length === 0) {
      ctx.report('GENERAL_ERROR', 'CFG_SSL_FILE', `SSL ${type} missing`, k);
      return;
    }
    if (ssl[field]) ctx.report('GENERAL_ERROR', 'CFG_SSL_FILE', `SSL ${type} already specified - replacing`, k);
    ssl[field] = true;
  });
}

export const sslBlock = block<ConfigDraft, SslDraft>(
  'SSL',
  (ctx, draft, k) => {
    recordNotRun(ctx, draft, k);
    const lvs = lvsState(draft);
    if (lvs.ssl !== null) ctx.report('GENERAL_ERROR', 'CFG_SSL_CONTEXT', 'SSL context already specified - replacing', k);
    lvs.ssl = { password: false, cafile: false, certfile: false, keyfile: false };
    return lvs.ssl;
  },
  table<SslDraft>(
    sslFile('password', 'password', 'password'),
    sslFile('ca', 'cafile', 'cafile'),
    sslFile('certificate', 'certfile', 'certfile'),
    sslFile('key', 'keyfile', 'keyfile'),
  ),
);
