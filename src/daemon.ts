/**
 * The daemon's lifecycle, and nothing else (ARCHITECTURE §5): start is a reload from an empty
 * config, apply(diff(EMPTY, plan(config))); a reload applies diff(running, plan(new config));
 * stop shuts every instance down (RFC 3768 §6.4.3: MASTERs send priority 0 and remove their
 * VIPs; STOP is notified). Reloads and stop are serialised: one runs at a time, in order, and
 * a stop waits for a reload being applied. The config handed in is already checked (main.ts
 * checks a reload's file exactly like --check-config and keeps the old config on errors).
 */
import type { Config } from './config/model';
import { planRuntime } from './runtime/plan';
import { describeReload, type ReloadPlan } from './runtime/reload-plan';
import type { Runtime } from './runtime/runtime';
import type { Logger } from './io/logger';

export class Daemon {
  private chain: Promise<unknown> = Promise.resolve();
  private stopping: Promise<void> | null = null;

  constructor(
    readonly runtime: Runtime,
    private readonly log: Logger,
  ) {}

  /** Start-up: the difference from nothing. */
  start(config: Config): Promise<ReloadPlan> {
    return this.enqueue(() => this.applyConfig(config));
  }

  /** SIGHUP with a checked config: the difference from what runs; null once stopping. */
  reload(config: Config): Promise<ReloadPlan | null> {
    return this.enqueue(async () => {
      if (this.stopping !== null) return null;
      const startedMs = performance.now();
      const plan = await this.applyConfig(config);
      this.log.info(`${describeReload(plan)} (applied in ${(performance.now() - startedMs).toFixed(1)} ms)`);
      return plan;
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.enqueue(() => this.runtime.stop());
    return this.stopping;
  }

  private async applyConfig(config: Config): Promise<ReloadPlan> {
    const host = await this.runtime.hostAddresses(config);
    return this.runtime.apply(planRuntime(config, host), host);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
