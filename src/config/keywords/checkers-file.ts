/**
 * FILE_CHECK: a real server's weight follows a track_file defined earlier in the config.
 * Checked with keepalived's messages, never run.
 * keepalived: check_file.c install_file_check_keyword(), file_end_handler().
 */
import { block, kw, table } from '../keyword';
import { readInt, requireArg } from '../values';
import type { RsScope } from './lvs-real-server-scope';

interface FileScope extends RsScope {
  file: string | null;
}

/** keepalived IPVS_WEIGHT_LIMIT (INT32_MAX). */
const WEIGHT_LIMIT = 2147483647;

const fileTable = table<FileScope>(
  kw('track_file', (ctx, s, k, args) => {
    const w = requireArg(ctx, k, args, 0);
    if (w === null) return;
    // keepalived looks among the track files whose block is complete (check_data->track_files).
    if (!s.draft.trackFiles.some((t) => t.name === w.text)) {
      ctx.report('GENERAL_ERROR', 'CFG_FILE_CHECK_TRACK_FILE', `track_file ${w.text} not found`, w);
      return;
    }
    s.file = w.text;
  }),
  kw('weight', (ctx, _s, k, args) => {
    const w = args[0];
    if (w === undefined) {
      ctx.report('GENERAL_ERROR', 'CFG_FILE_CHECK_WEIGHT', 'track file weight missing', k);
      return;
    }
    if (readInt(ctx, w, -WEIGHT_LIMIT, WEIGHT_LIMIT) === null) {
      ctx.report(
        'GENERAL_ERROR',
        'CFG_FILE_CHECK_WEIGHT',
        `weight for track file must be in [${-WEIGHT_LIMIT}..${WEIGHT_LIMIT}] inclusive. Ignoring...`,
        w,
      );
      return;
    }
    const opt = args[1];
    if (opt !== undefined && opt.text !== 'reverse' && opt.text !== 'noreverse') {
      ctx.report('GENERAL_ERROR', 'CFG_FILE_CHECK_WEIGHT', `unknown track file weight option ${opt.text} - ignoring`, opt);
    }
  }),
);

export const fileCheck = block<RsScope, FileScope>(
  'FILE_CHECK',
  (_ctx, s) => ({ ...s, file: null }),
  fileTable,
  (ctx, c) => {
    if (c.file === null) ctx.report('GENERAL_ERROR', 'CFG_FILE_CHECK_NO_FILE', 'FILE_CHECK has no track_file specified - ignoring');
  },
);
