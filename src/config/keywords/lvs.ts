/**
 * The top-level keywords keepalived's checker and BFD processes own (virtual_server,
 * virtual_server_group, SSL, bfd_instance), the track_file trackers, and the VRRP root
 * sections tsvrrpd only checks (vrrp_track_process, garp_group, linkbeat_interfaces,
 * interface_up_down_delays, track_group). LVS, checker and BFD sections are checked at
 * keyword level like keepalived 2.2.7 and reported once as "not run"; track_file fills
 * draft.trackFiles. After parsing, call validateCheckConfig() (lvs-validate.ts) for
 * keepalived's post-parse checker rules.
 */
import type { KeywordDef } from '../keyword';
import type { ConfigDraft } from '../draft';
import { virtualServerBlock } from './lvs-virtual-server';
import { virtualServerGroupKeyword } from './lvs-group';
import { sslBlock } from './lvs-ssl';
import { bfdInstanceBlock } from './bfd';
import { trackFileKeywords } from './track-file';
import { otherRootKeywords } from './other-roots';

export { validateCheckConfig } from './lvs-validate';

export const lvsRootKeywords: readonly KeywordDef<ConfigDraft>[] = [
  sslBlock,
  virtualServerGroupKeyword,
  virtualServerBlock,
  bfdInstanceBlock,
  ...trackFileKeywords,
  ...otherRootKeywords,
];
