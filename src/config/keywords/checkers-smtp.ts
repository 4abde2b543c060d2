/**
 * SMTP_CHECK: helo_name and the deprecated `host { }` sub-blocks, each with its own connection
 * options. Checked with keepalived's messages, never run.
 * keepalived: check_smtp.c install_smtp_check_keyword(), smtp_check_end_handler().
 */
import { block, kw, table } from '../keyword';
import { checkConnOpts, commonKeywords, newConnOpts, type CheckerBase } from './checkers-common';
import type { RsScope } from './lvs-real-server-scope';

interface SmtpScope extends CheckerBase {
  hosts: number;
}

interface HostScope extends CheckerBase {
  readonly smtp: SmtpScope;
}

const hostTable = table<HostScope>(...commonKeywords<HostScope>(true));

const smtpTable = table<SmtpScope>(
  kw('helo_name', (ctx, _s, k, args) => {
    if (args.length === 0) ctx.report('GENERAL_ERROR', 'CFG_SMTP_HELO', 'SMTP_CHECK helo name missing', k);
  }),
  ...commonKeywords<SmtpScope>(true),
  block<SmtpScope, HostScope>(
    'host',
    (_ctx, smtp) => ({ draft: smtp.draft, vs: smtp.vs, rs: smtp.rs, co: newConnOpts(smtp.rs), smtp }),
    hostTable,
    (ctx, h) => {
      if (h.co && checkConnOpts(ctx, h.co)) h.smtp.hosts++;
    },
  ),
);

export const smtpCheck = block<RsScope, SmtpScope>(
  'SMTP_CHECK',
  (_ctx, s) => ({
    draft: s.draft,
    vs: s.vs,
    rs: s.rs,
    // keepalived starts SMTP_CHECK without an address, to see whether one is configured.
    co: { dst: null, dstPort: 0, bindto: null, bindIf: '', touched: false },
    hosts: 0,
  }),
  smtpTable,
  (ctx, c) => {
    if (c.co === null || (!c.co.touched && c.hosts > 0)) return;
    checkConnOpts(ctx, { ...c.co, dst: c.co.dst ?? c.rs.addr });
  },
);
