/**
 * The top level of keepalived.conf: every root keyword keepalived 2.2.7 installs across its
 * global, VRRP, checker and BFD parsers, so that none of them is ever "Unknown keyword".
 */
import { table, type KeywordTable } from '../keyword';
import type { ConfigDraft } from '../draft';
import { globalDefsBlock, globalRootKeywords } from './global-defs';
import { lvsRootKeywords } from './lvs';
import { vrrpRootKeywords } from './vrrp-roots';

let cached: KeywordTable<ConfigDraft> | null = null;

export function rootKeywords(): KeywordTable<ConfigDraft> {
  cached ??= table<ConfigDraft>(globalDefsBlock, ...globalRootKeywords, ...vrrpRootKeywords, ...lvsRootKeywords);
  return cached;
}
