/**
 * The checkers with nothing but the common keywords: TCP_CHECK and PING_CHECK. Checked at
 * keyword level like keepalived, never run by tsvrrpd.
 * keepalived: check_tcp.c install_tcp_check_keyword(), check_ping.c install_ping_check_keyword().
 */
import { block, table, type KeywordDef } from '../keyword';
import { checkConnOpts, commonKeywords, newConnOpts, type CheckerBase } from './checkers-common';
import type { RsScope } from './lvs-real-server-scope';

const simpleTable = table<CheckerBase>(...commonKeywords<CheckerBase>(true));

function simpleChecker(name: string): KeywordDef<RsScope> {
  return block<RsScope, CheckerBase>(
    name,
    (_ctx, s) => ({ draft: s.draft, vs: s.vs, rs: s.rs, co: newConnOpts(s.rs) }),
    simpleTable,
    (ctx, c) => {
      if (c.co) checkConnOpts(ctx, c.co);
    },
  );
}

export const tcpCheck = simpleChecker('TCP_CHECK');
export const pingCheck = simpleChecker('PING_CHECK');
