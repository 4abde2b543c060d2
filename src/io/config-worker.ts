/**
 * A reload's configuration check, off the event loop: a worker thread reads and checks the file
 * exactly as --check-config does (config/check.ts over the real file system and host facts)
 * and posts the CheckResult back (plain data, structured-cloned). Reading and checking a large
 * file takes tens of milliseconds, which on the main thread would hold back every advert due
 * meanwhile (measured by npm run bench:reload). A worker that fails, exits or takes longer than
 * CHECK_TIMEOUT_MS is a typed error, never a crash or a hang: the running config stays.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { CheckResult } from '../config/check';
import { checkConfigFile, type CheckRequest } from './config-file';

export { checkConfigFile, type CheckRequest } from './config-file';

/** A reload that cannot read its file within this long keeps the running config. */
export const CHECK_TIMEOUT_MS = 30_000;

export class ConfigWorkerError extends Error {
  override readonly name = 'ConfigWorkerError';
  readonly code = 'CONFIG_WORKER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Read and check `req.file` in a worker thread. */
export function checkConfigInWorker(req: CheckRequest, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const job: CheckJob = { tsvrrpdConfigCheck: req };
    const worker = new Worker(__filename, { workerData: job, stdout: false, stderr: false });
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new ConfigWorkerError(`checking ${req.file} took over ${timeoutMs} ms`))), timeoutMs);
    worker.once('message', (r: CheckResult) => finish(() => resolve(r)));
    worker.once('error', (e) => finish(() => reject(new ConfigWorkerError(`checking ${req.file} failed: ${e.message}`, { cause: e }))));
    worker.once('exit', (code) => finish(() => reject(new ConfigWorkerError(`checking ${req.file}: the worker exited (${code}) without a result`))));
  });
}

/** What the worker is started with: only a worker started by checkConfigInWorker() runs a check. */
interface CheckJob {
  readonly tsvrrpdConfigCheck: CheckRequest;
}

function isCheckJob(data: unknown): data is CheckJob {
  const req = (data as Partial<CheckJob> | null)?.tsvrrpdConfigCheck;
  return typeof req?.file === 'string' && typeof req.configId === 'string';
}

if (!isMainThread && parentPort !== null && isCheckJob(workerData)) {
  parentPort.postMessage(checkConfigFile(workerData.tsvrrpdConfigCheck));
}
