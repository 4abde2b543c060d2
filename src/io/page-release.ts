/**
 * Giving back the start-up's share of node's code pages (native/src/mem_pageout.c). Reading
 * the configuration and compiling every module (v8-tuning.ts: --no-lazy) touch ~30 MB of the
 * node binary's text and read-only data that the running daemon never runs again, and the
 * kernel keeps clean file pages resident until the host runs short of memory: a 1 000-instance
 * daemon's RSS was 44 MB of file pages and 33 MB of its own memory. main.ts calls this once,
 * after the configuration is read and before the instances start, so the code the instances
 * run (adverts, VIP adds, GARPs, a takeover) is faulted back in during start-up and stays
 * resident; only what start-up alone used leaves. An addon that is not built, or a kernel
 * before 5.4 (no MADV_PAGEOUT), just leaves the pages where they are: this changes the
 * resident set, never what the daemon does.
 */
import { errorMessage } from './errors';
import { loadNative, type NativeAddon } from './native';
import type { Logger } from './logger';

/** The addon by default; tests may pass another. */
export type PageOutAddon = () => Pick<NativeAddon, 'pageOutFileMappings'>;

/** Resolves with the MiB advised (0 when nothing could be done); never rejects. */
export async function releaseStartupPages(log: Logger, addon: PageOutAddon = loadNative): Promise<number> {
  try {
    const bytes = await addon().pageOutFileMappings();
    const mib = bytes / 1048576;
    log.debug(`released the start-up's code pages: MADV_PAGEOUT over ${mib.toFixed(1)} MiB of file mappings`);
    return mib;
  } catch (e: unknown) {
    log.debug(`start-up code pages kept resident: ${errorMessage(e)}`);
    return 0;
  }
}
