/**
 * The scope every block inside a `real_server` sees: the draft, its virtual server and the
 * real server itself (keepalived reaches them through list_last_entry()).
 */
import type { ConfigDraft } from '../draft';
import type { RealServerDraft, VirtualServerDraft } from './lvs-state';

export interface RsScope {
  readonly draft: ConfigDraft;
  readonly vs: VirtualServerDraft;
  readonly rs: RealServerDraft;
}
