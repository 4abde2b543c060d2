/**
 * The lines inside `track_script`, `track_interface` and `track_file` blocks of an instance or
 * sync group: `NAME [weight W [reverse|noreverse]]`. Scripts and files are looked up when the
 * line is read, so (like keepalived) a tracker must be defined before it is used.
 * keepalived: vrrp_track.c alloc_track_script(), alloc_track_if(); track_file.c
 * alloc_track_file().
 */
import type { KeywordContext } from '../keyword';
import type { Word } from '../lexer';
import type { ConfigDraft } from '../draft';
import type { TrackRef } from '../model';
import { readInt } from '../values';
import { checkInterface } from './interfaces';

type Kind = 'script' | 'interface' | 'file';

const LABEL: Readonly<Record<Kind, { unknownOpt: string; weightOpt: string }>> = {
  script: { unknownOpt: 'track script option', weightOpt: 'track_script' },
  interface: { unknownOpt: 'track_interface', weightOpt: 'track_interace' },
  file: { unknownOpt: 'track file option', weightOpt: 'track file' },
};

/** Parse `weight W [reverse]`; returns the weight and direction, or null to drop the line. */
function parseWeight(
  ctx: KeywordContext,
  owner: string,
  kind: Kind,
  words: readonly Word[],
  dflt: { weight: number; reverse: boolean },
): { weight: number; reverse: boolean } | null {
  const name = (words[0] as Word).text;
  if (words.length < 2) return dflt;
  const opt = words[1] as Word;
  if (opt.text !== 'weight') {
    const what = kind === 'interface' ? `${LABEL[kind].unknownOpt} ${name} option` : LABEL[kind].unknownOpt;
    ctx.report('GENERAL_ERROR', 'CFG_TRACK_OPTION', `(${owner}) unknown ${what} ${opt.text} - ignoring`, opt);
    return null;
  }
  const wWord = words[2];
  if (wWord === undefined) {
    ctx.report('GENERAL_ERROR', 'CFG_TRACK_WEIGHT_MISSING', `(${owner}) weight without value specified for ${kind === 'script' ? 'track script' : kind === 'file' ? 'track file' : 'track_interface'} ${name} - ignoring`, opt);
    return null;
  }
  let weight = readInt(ctx, wWord, -254, 254);
  if (weight === null) {
    const msg =
      kind === 'script'
        ? `(${owner}) track script ${name}: weight must be between [-253..253] inclusive, ignoring...`
        : kind === 'file'
          ? `(${owner}) weight for track file ${name} must be in [-253..253], ignoring...`
          : `(${owner}) weight ${wWord.text} for ${name} must be between [-253..253] inclusive. Ignoring...`;
    ctx.report('GENERAL_ERROR', 'CFG_TRACK_WEIGHT_RANGE', msg, wWord);
    weight = kind === 'interface' ? 0 : dflt.weight;
  } else if (weight === 254 || weight === -254) {
    ctx.report('GENERAL_ERROR', 'CFG_TRACK_WEIGHT_254', `(${owner}) weight for ${name} cannot be +/-254. Setting to +/-253`, wWord);
    weight = weight < 0 ? -253 : 253;
  }
  let reverse = kind === 'interface' ? false : dflt.reverse;
  const dir = words[3];
  if (dir !== undefined) {
    if (dir.text === 'reverse') reverse = true;
    else if (dir.text === 'noreverse' && kind !== 'interface') reverse = false;
    else ctx.report('GENERAL_ERROR', 'CFG_TRACK_WEIGHT_OPTION', `(${owner}) unknown ${LABEL[kind].weightOpt} ${name} weight option ${dir.text} - ignoring`, dir);
  }
  return { weight, reverse };
}

/** One line of a track_script / track_interface / track_file block; appends to `list`. */
export function addTrackRef(
  ctx: KeywordContext,
  draft: ConfigDraft,
  owner: string,
  kind: Kind,
  words: readonly Word[],
  list: TrackRef[],
): void {
  const nameWord = words[0] as Word;
  const name = nameWord.text;
  let dflt = { weight: 0, reverse: false };
  if (kind === 'script') {
    const s = draft.scripts.find((x) => x.name === name && !x.remove);
    if (!s) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_SCRIPT_NOT_FOUND', `(${owner}) track script ${name} not found, ignoring...`, nameWord);
      return;
    }
    dflt = { weight: s.weight, reverse: s.weightReverse };
  } else if (kind === 'file') {
    const f = draft.trackFiles.find((x) => x.name === name);
    if (!f) {
      ctx.report('GENERAL_ERROR', 'CFG_TRACK_FILE_NOT_FOUND', `(${owner}) track file ${name} not found, ignoring...`, nameWord);
      return;
    }
    dflt = { weight: f.weight, reverse: f.weightReverse };
  } else if (!checkInterface(ctx, draft, nameWord, `(${owner}) tracked interface ${name} doesn't exist`)) {
    return;
  }
  if (list.some((r) => r.name === name)) {
    const kw = kind === 'script' ? 'track_script' : kind === 'file' ? 'track_file' : 'track_interface';
    ctx.report('GENERAL_ERROR', 'CFG_TRACK_DUPLICATE', `(${owner}) duplicate ${kw} ${name} - ignoring`, nameWord);
    return;
  }
  const w = parseWeight(ctx, owner, kind, words, dflt);
  if (w === null) return;
  list.push({ name, weight: words.length >= 3 ? w.weight : kind === 'interface' ? 0 : null, reverse: w.reverse, at: ctx.at(nameWord) });
}
