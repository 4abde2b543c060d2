/**
 * Every tracker of the running config, turned into the core's two tracker events
 * (reference E, B10, B11): PriorityChanged{trackerDelta} and FaultChanged{faulted, reason},
 * posted to an instance only when its sum or its fault reason changes.
 *
 * Sources: one runner per used `vrrp_script` (check-script.ts), link events for
 * `track_interface` and for the instance's own interface (down → FAULT unless
 * `dont_track_primary`), one watcher per used `track_file` (track-file.ts). A sync group's
 * trackers apply to each of its members (keepalived vrrp_sync.c). The arithmetic is the pure
 * protocol/tracking.ts.
 */
import type { Config, TrackRef, VrrpScript, VrrpInstance as ConfigInstance } from '../config/model';
import type { LinkWatcher } from '../io/ports';
import { InstanceTracking, type TrackerKind, type TrackerSpec } from '../protocol/tracking';
import type { Event } from '../protocol/types';
import type { Logger } from './logger';
import { TrackFileWatcher } from './track-file';

export interface ScriptRunnerHandle {
  start(): void;
  stop(): Promise<void>;
}

export type ScriptRunnerFactory = (script: VrrpScript, onReport: (ok: boolean) => void) => ScriptRunnerHandle;

export type TrackerEvent = Extract<Event, { type: 'PriorityChanged' | 'FaultChanged' }>;

interface Tracked {
  readonly inst: ConfigInstance;
  readonly tracking: InstanceTracking;
  delta: number;
  fault: string | null;
  /** Resolves once no unweighted script of the instance is without a first result. */
  initDone: Promise<void>;
  settleInit: () => void;
}

function specsFor(inst: ConfigInstance, config: Config): TrackerSpec[] {
  const group = inst.syncGroup === null ? undefined : config.syncGroups.find((g) => g.name === inst.syncGroup);
  const specs: TrackerSpec[] = [];
  const add = (kind: TrackerKind, refs: readonly TrackRef[], ownWeight: (name: string) => number): void => {
    for (const r of refs) specs.push({ kind, name: r.name, weight: r.weight ?? ownWeight(r.name), reverse: r.reverse });
  };
  const scriptWeight = (n: string): number => config.scripts.find((s) => s.name === n)?.weight ?? 0;
  const fileWeight = (n: string): number => config.trackFiles.find((f) => f.name === n)?.weight ?? 0;
  if (inst.interface !== null && !inst.dontTrackPrimary) specs.push({ kind: 'interface', name: inst.interface, weight: 0, reverse: false });
  for (const refs of [inst, group]) {
    if (refs === undefined) continue;
    add('script', refs.trackScripts, scriptWeight);
    add('interface', refs.trackInterfaces, () => 0);
    add('file', refs.trackFiles, fileWeight);
  }
  return specs;
}

export class Trackers {
  private readonly tracked = new Map<string, Tracked>();
  private readonly runners: ScriptRunnerHandle[] = [];
  private readonly files: TrackFileWatcher[] = [];
  private post: (instance: string, event: TrackerEvent) => void = () => undefined;

  constructor(
    private readonly config: Config,
    instances: readonly ConfigInstance[],
    private readonly links: LinkWatcher,
    private readonly scripts: ScriptRunnerFactory,
    private readonly log: Logger,
  ) {
    for (const inst of instances) {
      let settleInit = (): void => undefined;
      const initDone = new Promise<void>((resolve) => (settleInit = resolve));
      this.tracked.set(inst.name, { inst, tracking: new InstanceTracking(specsFor(inst, config)), delta: 0, fault: null, initDone, settleInit });
    }
  }

  /**
   * Read the initial interface states and files and start the scripts. Changes from now on go
   * to `post`; the initial state of each instance is `initialEvents()`.
   */
  async start(post: (instance: string, event: TrackerEvent) => void): Promise<void> {
    const all = [...this.tracked.values()];
    const names = (kind: TrackerKind): Set<string> => new Set(all.flatMap((t) => t.tracking.specs.filter((s) => s.kind === kind).map((s) => s.name)));
    for (const ifname of names('interface')) this.seed('interface', ifname, await this.links.isUp(ifname).catch(() => false));
    this.links.onEvent((e) => {
      if (e.type !== 'link' || !all.some((t) => t.tracking.tracks('interface', e.ifname))) return;
      // keepalived netlink_link_filter(): the line operators grep for a link change.
      this.log.info(`Netlink reports ${e.ifname} ${e.up ? 'up' : 'down'}`);
      this.update('interface', e.ifname, e.up);
    });
    for (const name of names('file')) {
      const tf = this.config.trackFiles.find((f) => f.name === name);
      if (tf === undefined) continue;
      const w = new TrackFileWatcher(tf, this.log, (v) => this.update('file', name, v));
      this.files.push(w);
      this.seed('file', name, w.start());
    }
    for (const t of all) this.settle(t);
    this.post = post;
    for (const name of names('script')) {
      const script = this.config.scripts.find((s) => s.name === name);
      if (script === undefined) continue;
      const runner = this.scripts(script, (ok) => this.update('script', name, ok));
      this.runners.push(runner);
      runner.start();
    }
    for (const t of all) this.settleInitIfDone(t);
  }

  /** keepalived num_script_init: resolves when every unweighted script has a first result. */
  whenInitialised(instance: string): Promise<void> {
    return this.tracked.get(instance)?.initDone ?? Promise.resolve();
  }

  /** The events that give the core its trackers' state before Startup. */
  initialEvents(instance: string): TrackerEvent[] {
    const t = this.tracked.get(instance);
    if (t === undefined) return [];
    this.settle(t);
    const out: TrackerEvent[] = [{ type: 'PriorityChanged', trackerDelta: t.delta }];
    if (t.fault !== null) out.push({ type: 'FaultChanged', faulted: true, reason: t.fault });
    return out;
  }

  async stop(): Promise<void> {
    for (const f of this.files) f.stop();
    this.post = () => undefined;
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  private update(kind: TrackerKind, name: string, status: boolean | number): void {
    for (const t of this.tracked.values()) {
      if (!t.tracking.tracks(kind, name)) continue;
      const wasFault = t.tracking.faults(kind, name);
      t.tracking.set(kind, name, status);
      const isFault = t.tracking.faults(kind, name);
      // keepalived process_update_vrrp_track_file_status() (with -D), before the state change.
      if (kind === 'file' && wasFault !== isFault) {
        this.log.debug(`(${t.inst.name}): tracked file ${name} ${isFault ? 'now FAULT state' : 'leaving FAULT state'}`);
      }
      this.settleInitIfDone(t);
      this.emit(t);
    }
  }

  /** A start-up status: recorded, nothing posted (initialEvents() reports it). */
  private seed(kind: TrackerKind, name: string, status: boolean | number): void {
    for (const t of this.tracked.values()) if (t.tracking.tracks(kind, name)) t.tracking.set(kind, name, status);
  }

  /** Take the trackers' current sum and fault as what the core has been told. */
  private settle(t: Tracked): void {
    t.delta = t.tracking.delta;
    t.fault = t.tracking.faultReason;
  }

  private settleInitIfDone(t: Tracked): void {
    if (t.tracking.scriptsInInit.length === 0) t.settleInit();
  }

  private emit(t: Tracked): void {
    const delta = t.tracking.delta;
    const fault = t.tracking.faultReason;
    if (delta !== t.delta) {
      t.delta = delta;
      this.post(t.inst.name, { type: 'PriorityChanged', trackerDelta: delta });
    }
    if (fault !== t.fault) {
      const was = t.fault;
      t.fault = fault;
      if (fault === null) this.post(t.inst.name, { type: 'FaultChanged', faulted: false, reason: `${was ?? ''} recovered` });
      else this.post(t.inst.name, { type: 'FaultChanged', faulted: true, reason: fault });
    }
  }
}
