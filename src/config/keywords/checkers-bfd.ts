/**
 * BFD_CHECK: a real server follows a bfd_instance the checker process knows (defined earlier,
 * not restricted to `vrrp`). Checked with keepalived's messages, never run.
 * keepalived: check_bfd.c install_bfd_check_keyword(), bfd_name_handler(), bfd_end_handler().
 */
import { block, kw, table } from '../keyword';
import type { Word } from '../lexer';
import { lvsState } from './lvs-state';
import { formatTrio } from './lvs-net';
import { boolKw } from './checkers-common';
import type { RsScope } from './lvs-real-server-scope';

interface BfdScope extends RsScope {
  bfd: string | null;
  removed: boolean;
}

/** keepalived BFD_INAME_MAX. */
export const BFD_INAME_MAX = 32;

/** keepalived bfd_name_handler()'s checks, in its order; null when the name is usable. */
function bfdNameError(s: BfdScope, args: readonly Word[]): string | null {
  const rsText = formatTrio(s.rs.addr, s.vs.serviceType);
  const name = args[0];
  if (args.length !== 1 || name === undefined) return `(${rsText}) BFD_CHECK - No or too many names specified - skipping checker`;
  if (!lvsState(s.draft).checkerBfds.includes(name.text)) return `(${rsText}) BFD_CHECK - BFD ${name.text} not configured`;
  if (s.bfd !== null) return `(${rsText}) BFD_CHECK - BFD ${name.text} already specified as ${s.bfd}`;
  if (name.text.length >= BFD_INAME_MAX) return `(${rsText}) BFD_CHECK - BFD name ${name.text} too long`;
  if (s.rs.trackedBfds.includes(name.text)) return `(${rsText}) BFD_CHECK - RS already monitoring ${name.text}`;
  return null;
}

const alpha = boolKw<BfdScope>('alpha', 'alpha');

const bfdTable = table<BfdScope>(
  kw('name', (ctx, s, k, args) => {
    if (s.removed) return;
    const error = bfdNameError(s, args);
    if (error !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_BFD_CHECK', error, args[0] ?? k);
      s.removed = true;
      return;
    }
    s.bfd = args[0]?.text ?? null;
  }),
  kw<BfdScope>('alpha', (ctx, s, k, args) => {
    if (!s.removed) alpha.handle?.(ctx, s, k, args);
  }),
);

export const bfdCheck = block<RsScope, BfdScope>(
  'BFD_CHECK',
  (_ctx, s) => ({ ...s, bfd: null, removed: false }),
  bfdTable,
  (ctx, c) => {
    if (c.removed) return;
    if (c.bfd === null) {
      ctx.report('GENERAL_ERROR', 'CFG_BFD_CHECK', `(${formatTrio(c.rs.addr, c.vs.serviceType)}) No name has been specified for BFD_CHECKER - skipping`);
      return;
    }
    c.rs.trackedBfds.push(c.bfd);
  },
);
