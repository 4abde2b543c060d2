/**
 * The top-level keywords keepalived's global parser installs outside global_defs: network
 * namespaces, multi-instance naming, pid directories, child wait time, linkbeat polling.
 * tsvrrpd runs in the namespace it is started in, as one instance; these are checked like
 * keepalived 2.2.7 and reported once as not implemented.
 * keepalived: core/global_parser.c init_global_keywords() (install_keyword_root),
 * net_namespace_handler(), net_namespace_ipvs_handler(), instance_handler(),
 * child_wait_handler().
 */
import type { KeywordDef } from '../keyword';
import type { ConfigDraft } from '../draft';
import { readUnsigned, requireArg } from '../values';
import { UINT_MAX, err, rare, type Check } from './global-defs-base';

/** Per-parse state for the root keywords (instance, net_namespace...). */
interface RootState {
  netNamespace: boolean;
  netNamespaceIpvs: boolean;
  instance: boolean;
}
const rootStates = new WeakMap<ConfigDraft, RootState>();

function rootState(draft: ConfigDraft): RootState {
  let s = rootStates.get(draft);
  if (!s) rootStates.set(draft, (s = { netNamespace: false, netNamespaceIpvs: false, instance: false }));
  return s;
}

function rootRare(name: string, check?: Check): KeywordDef<ConfigDraft> {
  return rare(name, check, 'top level');
}

/**
 * The top-level keywords keepalived's global parser installs outside global_defs.
 * keepalived: init_global_keywords() (install_keyword_root), net_namespace_handler(),
 * net_namespace_ipvs_handler(), instance_handler(), child_wait_handler().
 */
export const globalRootKeywords: readonly KeywordDef<ConfigDraft>[] = [
  rootRare('linkbeat_use_polling'),
  rootRare('net_namespace', (ctx, draft, k, args) => {
    const w = args[0];
    if (w === undefined) return err(ctx, 'net_namespace name missing - ignoring', k, 'CFG_GLOBAL_MISSING');
    const st = rootState(draft);
    if (st.netNamespace) return err(ctx, `Duplicate net_namespace definition ${w.text} - ignoring`, w, 'CFG_GLOBAL_DUPLICATE');
    st.netNamespace = true;
  }),
  rootRare('net_namespace_ipvs', (ctx, draft, k, args) => {
    const st = rootState(draft);
    if (st.netNamespaceIpvs) {
      // keepalived names the duplicate in its message, so a bare duplicate stops it (exit 2).
      const w = requireArg(ctx, k, args, 0);
      if (w) err(ctx, `Duplicate net_namespace_ipvs definition ${w.text} - ignoring`, w, 'CFG_GLOBAL_DUPLICATE');
      return;
    }
    st.netNamespaceIpvs = true;
  }),
  rootRare('namespace_with_ipsets'),
  rootRare('use_pid_dir'),
  rootRare('instance', (ctx, draft, k, args) => {
    const w = args[0];
    if (w === undefined) return err(ctx, 'instance name missing - ignoring', k, 'CFG_GLOBAL_MISSING');
    const st = rootState(draft);
    if (st.instance) return err(ctx, `Duplicate instance definition ${w.text} - ignoring`, w, 'CFG_GLOBAL_DUPLICATE');
    st.instance = true;
  }),
  rootRare('child_wait_time', (ctx, _d, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w && readUnsigned(ctx, w, 0, UINT_MAX) === null) err(ctx, `Invalid child_wait_time ${w.text}`, w);
  }),
];
