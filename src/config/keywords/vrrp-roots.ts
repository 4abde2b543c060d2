/**
 * The VRRP subsystem's top-level keywords: instances, scripts, sync groups and statics.
 * (track_file and the other tracker roots live with the non-VRRP roots in lvs.ts's family.)
 */
import type { KeywordDef } from '../keyword';
import type { ConfigDraft } from '../draft';
import { vrrpInstanceBlock } from './vrrp-instance';
import { vrrpScriptBlock } from './vrrp-script';
import { syncGroupBlock } from './sync-group';
import { staticKeywords } from './static';

export const vrrpRootKeywords: readonly KeywordDef<ConfigDraft>[] = [vrrpInstanceBlock, vrrpScriptBlock, syncGroupBlock, ...staticKeywords];
