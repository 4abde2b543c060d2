/**
 * `vrrp_sync_group NAME { group { VI_1 VI_2 } ... }`: members, group trackers and group
 * notifications. Membership is resolved in build.ts, after every instance is known.
 * keepalived: vrrp_parser.c vrrp_sync_group_handler(), vrrp_group_handler(),
 * vrrp_gnotify_*_handler().
 */
import { block, kw, table, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft, SyncGroupDraft } from '../draft';
import { parseBool } from '../values';
import { parseNotifyScript } from './notify';
import { addTrackRef } from './track-refs';
import { notImplemented, reportNotImplemented } from './common';

interface GroupScope {
  readonly draft: ConfigDraft;
  readonly group: SyncGroupDraft;
}

type Slot = 'master' | 'backup' | 'fault' | 'stop' | 'generic';

function groupNotify(name: string, slot: Slot): KeywordDef<GroupScope> {
  return kw(name, (ctx, { draft, group }, k, args) => {
    if (group.notify[slot] !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_NOTIFY_TWICE', `vrrp group ${group.name}: ${name} script already specified - ignoring ${args[0]?.text ?? ''}`, args[0]);
      return;
    }
    const cmd = parseNotifyScript(ctx, draft, k, args);
    if (cmd) group.notify[slot] = cmd;
  });
}

const WHERE = 'vrrp_sync_group';

const groupKeywords = table<GroupScope>(
  kw('group', (ctx, { group }, k, args) => {
    if (group.members !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_GROUP_TWICE', `Group list already specified for sync group ${group.name}`, k);
      ctx.skipBlock();
      return;
    }
    const members: { name: string; at: ReturnType<typeof ctx.at> }[] = [];
    ctx.readValueBlock(k, args, (words) => {
      for (const w of words) members.push({ name: w.text, at: ctx.at(w) });
    });
    if (members.length === 0) {
      ctx.report('GENERAL_ERROR', 'CFG_GROUP_EMPTY', `Warning - sync group ${group.name} has empty group block`);
      return;
    }
    group.members = members;
  }),
  kw('track_interface', (ctx, { draft, group }, k, args) =>
    ctx.readValueBlock(k, args, (words) => addTrackRef(ctx, draft, group.name, 'interface', words, group.trackInterfaces)),
  ),
  kw('track_script', (ctx, { draft, group }, k, args) =>
    ctx.readValueBlock(k, args, (words) => addTrackRef(ctx, draft, group.name, 'script', words, group.trackScripts)),
  ),
  kw('track_file', (ctx, { draft, group }, k, args) =>
    ctx.readValueBlock(k, args, (words) => addTrackRef(ctx, draft, group.name, 'file', words, group.trackFiles)),
  ),
  notImplemented('track_process', WHERE, { valueBlock: true }),
  notImplemented('track_bfd', WHERE, { valueBlock: true }),
  groupNotify('notify_master', 'master'),
  groupNotify('notify_backup', 'backup'),
  groupNotify('notify_fault', 'fault'),
  groupNotify('notify_stop', 'stop'),
  groupNotify('notify', 'generic'),
  kw('smtp_alert', (ctx, { group }, _k, args) => {
    const w = args[0];
    const v = w === undefined ? true : parseBool(w.text);
    if (v === null) ctx.report('GENERAL_ERROR', 'CFG_SMTP_ALERT', `Invalid sync group smtp_alert parameter ${(w as Word).text}`, w);
    else group.smtpAlert = v;
  }),
  kw('global_tracking', (ctx, { group }, k) => {
    ctx.report('DEPRECATED', 'CFG_DEPRECATED', `(${group.name}) global_tracking is deprecated. Use track_interface/script/file/bfd/process in sync_group`, k);
    group.trackingWeight = true;
  }),
  kw('sync_group_tracking_weight', (_ctx, { group }) => {
    group.trackingWeight = true;
  }),
  kw('notify_priority_changes', (ctx, _s, k) => reportNotImplemented(ctx, k, WHERE)),
);

export const syncGroupBlock = block<ConfigDraft, GroupScope>(
  'vrrp_sync_group',
  (ctx, draft, k, args) => {
    if (args.length !== 1) {
      ctx.report('GENERAL_ERROR', 'CFG_SYNC_GROUP_NAME', 'vrrp_sync_group must have a name - skipping', k);
      return null;
    }
    const name = (args[0] as Word).text;
    if (draft.syncGroups.some((g) => g.name === name)) {
      ctx.report('GENERAL_ERROR', 'CFG_SYNC_GROUP_DUPLICATE', `vrrp sync group ${name} already defined`, args[0]);
      return null;
    }
    const group: SyncGroupDraft = {
      name,
      at: ctx.at(args[0]),
      members: null,
      trackScripts: [],
      trackInterfaces: [],
      trackFiles: [],
      notify: { master: null, backup: null, fault: null, stop: null, generic: null },
      smtpAlert: null,
      trackingWeight: false,
    };
    draft.syncGroups.push(group);
    return { draft, group };
  },
  groupKeywords,
);
