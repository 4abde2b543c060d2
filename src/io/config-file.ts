/**
 * Read and check a configuration file as --check-config does: config/check.ts over the real
 * file system and host facts. The daemon's first read, every reload (in a worker,
 * io/config-worker.ts) and -t all come through here, so they can never disagree.
 */
import { checkConfig, type CheckResult } from '../config/check';
import { nodeConfigFs } from './config-fs-node';
import { nodeHostFacts } from './host-facts-node';

export interface CheckRequest {
  readonly file: string;
  readonly configId: string;
}

export function checkConfigFile(req: CheckRequest): CheckResult {
  return checkConfig({ file: req.file, configId: req.configId, fs: nodeConfigFs, host: nodeHostFacts() });
}
