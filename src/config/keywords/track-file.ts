/**
 * `track_file NAME { file PATH; weight W [reverse]; init_file [VALUE] [overwrite] }` and its
 * deprecated synonym `vrrp_track_file`: a VRRP tracker tsvrrpd runs, so the result goes to
 * draft.trackFiles (only blocks with a file, as keepalived keeps them). keepalived reads these
 * in both its checker and VRRP processes; each message is reported once here.
 * keepalived: trackers/track_file.c add_track_file_keywords() and its handlers.
 */
import { block, kw, table, type KeywordContext, type KeywordDef } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft, TrackFileDraft } from '../draft';
import { readInt, requireArg } from '../values';

interface TrackFileScope {
  readonly draft: ConfigDraft;
  readonly tf: TrackFileDraft;
  init: 'none' | 'create' | 'overwrite';
  initValue: number;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const WEIGHT_MAX = 254;

const trackFileTable = table<TrackFileScope>(
  kw('file', (ctx, s, k, args) => {
    const w = args[0];
    if (w === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_FILE', 'track file file name missing', k);
      return;
    }
    if (s.tf.file !== null) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_FILE', `File already set for track file ${s.tf.name} - ignoring ${w.text}`, w);
      return;
    }
    s.tf.file = w.text;
  }),
  kw('weight', (ctx, s, k, args) => {
    const tf = s.tf;
    const w = args[0];
    if (w === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_WEIGHT', `No weight specified for track file ${tf.name} - ignoring`, k);
      return;
    }
    if (tf.weight !== 1) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_WEIGHT', `Weight already set for track file ${tf.name} - ignoring ${w.text}`, w);
      return;
    }
    const v = readInt(ctx, w, -WEIGHT_MAX, WEIGHT_MAX);
    if (v === null) {
      ctx.report(
        'GENERAL_ERROR',
        'CFG_TRACK_FILE_WEIGHT',
        `Weight (${w.text}) for track_file ${tf.name} must be between [-${WEIGHT_MAX}..${WEIGHT_MAX}] inclusive. Ignoring...`,
        w,
      );
    }
    tf.weight = v ?? 1;
    const opt = args[1];
    if (opt === undefined) return;
    if (opt.text === 'reverse') tf.weightReverse = true;
    else ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_WEIGHT', `track_file ${tf.name} unknown weight option ${opt.text}`, opt);
  }),
  kw('init_file', (ctx, s, _k, args) => {
    s.init = 'create';
    s.initValue = 0;
    for (const w of args) {
      const word = w.text.replace(/^[ \t\n\v\f\r]+/, '');
      if (/^[0-9-]/.test(word)) {
        let v = readInt(ctx, w, INT_MIN, INT_MAX);
        if (v === null) {
          ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_INIT', `Track file ${s.tf.name} init value ${word} is invalid`, w);
          v = 0;
        } else if (v < -WEIGHT_MAX || v > WEIGHT_MAX) {
          ctx.report(
            'GENERAL_ERROR',
            'CFG_TRACK_FILE_INIT',
            `Track file ${s.tf.name} init value ${v} is outside sensible range [-${WEIGHT_MAX}, ${WEIGHT_MAX}]`,
            w,
          );
        }
        s.initValue = v;
      } else if (word === 'overwrite') {
        s.init = 'overwrite';
      } else {
        ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_INIT', `Unknown track file init option ${word}`, w);
      }
    }
  }),
);

function openTrackFile(ctx: KeywordContext, draft: ConfigDraft, k: Word, args: readonly Word[]): TrackFileScope | null {
  if (k.text === 'vrrp_track_file') {
    ctx.reportOnce('deprecated:vrrp_track_file', 'NOTICE', 'CFG_DEPRECATED_KEYWORD', '"vrrp_track_file" is deprecated, please use "track_file"', k);
  }
  const name = requireArg(ctx, k, args, 0);
  if (name === null) return null;
  const tf: TrackFileDraft = { name: name.text, at: ctx.at(k), file: null, weight: 1, weightReverse: false, initFile: null };
  return { draft, tf, init: 'none', initValue: 0 };
}

/** keepalived track_file_end_handler(): a block without a file is dropped. */
function closeTrackFile(ctx: KeywordContext, s: TrackFileScope): void {
  if (s.tf.file === null) {
    ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_NO_FILE', `No file set for track_file ${s.tf.name} - ignoring`);
    return;
  }
  if (s.init !== 'none') s.tf.initFile = { value: s.initValue, overwrite: s.init === 'overwrite' };
  s.draft.trackFiles.push(s.tf);
}

function trackFileBlock(name: string): KeywordDef<ConfigDraft> {
  return block<ConfigDraft, TrackFileScope>(name, openTrackFile, trackFileTable, closeTrackFile);
}

export const trackFileKeywords: readonly KeywordDef<ConfigDraft>[] = [trackFileBlock('track_file'), trackFileBlock('vrrp_track_file')];
