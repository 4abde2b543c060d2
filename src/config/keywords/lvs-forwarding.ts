/**
 * The forwarding method keywords (`lb_kind`/`lvs_method` of virtual and real servers,
 * `sorry_server_lvs_method`): NAT, DR or TUN with keepalived's tunnel options and messages.
 * keepalived: check_parser.c svr_forwarding_handler(). Pure.
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import { readUnsigned, requireArg } from '../values';
import type { Forwarding } from './lvs-state';

const METHODS: readonly Forwarding[] = ['NAT', 'DR', 'TUN'];

/**
 * Read `METHOD [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`. Returns the method, or
 * null when the method word is unknown (keepalived then leaves the setting alone). Like
 * keepalived, the method is kept even when a tunnel option is wrong.
 */
export function readForwarding(ctx: KeywordContext, keyword: Word, args: readonly Word[], sType: string): Forwarding | null {
  const m = requireArg(ctx, keyword, args, 0);
  if (m === null) return null;
  const method = METHODS.find((x) => x === m.text);
  if (method === undefined) {
    ctx.report('GENERAL_ERROR', 'CFG_LVS_FORWARDING', `PARSER : unknown [${m.text}] routing method for ${sType} server.`, m);
    return null;
  }
  let tunType = 'ipip';
  let port = 0;
  let csum = 'nocsum';
  for (let i = 1; i < args.length; i++) {
    const w = args[i] as Word;
    const next = args[i + 1];
    if (w.text === 'type') {
      if (next === undefined) {
        ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', `Missing tunnel type for ${sType} server.`, w);
        return method;
      }
      if (next.text !== 'ipip' && next.text !== 'gue' && next.text !== 'gre') {
        ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', `Unknown tunnel type ${next.text} for ${sType} server.`, next);
        return method;
      }
      tunType = next.text;
      i++;
    } else if (w.text === 'port') {
      if (next === undefined) {
        ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', `Missing port for ${sType} server gue tunnel.`, w);
        return method;
      }
      const p = readUnsigned(ctx, next, 1, 65535);
      if (p === null) {
        ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', `Invalid gue tunnel port ${next.text} for ${sType} server.`, next);
        return method;
      }
      port = p;
      i++;
    } else if (w.text === 'nocsum' || w.text === 'csum' || w.text === 'remcsum') {
      csum = w.text;
    } else {
      ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', `Invalid tunnel option ${w.text} for ${sType} server.`, w);
      return method;
    }
  }
  if ((tunType === 'gue') !== (port !== 0)) {
    ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', 'gue tunnels require port, otherwise cannot have port.', keyword);
  } else if (tunType === 'ipip' && csum !== 'nocsum') {
    ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', 'ipip tunnels do not support checksum option.', keyword);
  } else if (tunType === 'gre' && csum === 'remcsum') {
    ctx.report('GENERAL_ERROR', 'CFG_LVS_TUNNEL', 'gre tunnels do not support remote checksum option.', keyword);
  }
  return method;
}
