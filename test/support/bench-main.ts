/**
 * What the real-kernel benchmarks share. How one runs as a program: `main()` resolves with the exit code; its
 * namespaces and processes are removed by `cleanupSync()` whatever happens — on success, on a
 * failure, and on Ctrl-C or SIGTERM (exit 130 / 143).
 */
export function runBenchMain(name: string, main: () => Promise<number>, cleanupSync: () => void): void {
  process.once('SIGINT', () => {
    cleanupSync();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    cleanupSync();
    process.exit(143);
  });
  main()
    .then((code) => {
      cleanupSync();
      process.exitCode = code;
    })
    .catch((e: unknown) => {
      cleanupSync();
      process.stderr.write(`${name}: cannot run: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    });
}

/** The median of `xs` (NaN for none). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
