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
 *
 * A reload (reconfigure()) keeps every runner and watcher whose definition did not change, with
 * its last result, so a kept MASTER sees no tracker flap; changed or new scripts start in their
 * init state (keepalived's init-on-reload: no result yet, so they neither add nor fault), and
 * an instance is told only the difference from what its core already knows.
 */
import type { Config, TrackFile, TrackRef, VrrpScript, VrrpInstance as ConfigInstance } from '../config/model';
import type { LinkEvent, LinkWatcher } from '../io/ports';
import { InstanceTracking, type TrackerKind, type TrackerSpec } from '../protocol/tracking';
import type { Event } from '../protocol/types';
import type { Logger } from '../io/logger';

/** What the data dump shows of a running vrrp_script (runtime/status.ts ScriptStatus). */
export interface ScriptRunnerReport {
  readonly result: number;
  readonly initState: 'INIT' | 'DONE';
  readonly run: 'idle' | 'running' | 'requested termination' | 'forcing termination';
}

export interface ScriptRunnerHandle {
  start(): void;
  stop(): Promise<void>;
  /** For the dumps; absent when the runner cannot tell. */
  report?(): ScriptRunnerReport;
}

export type ScriptRunnerFactory = (script: VrrpScript, onReport: (ok: boolean) => void) => ScriptRunnerHandle;

/** A watched track_file (io/track-file.ts TrackFileWatcher). */
export interface TrackFileHandle {
  /** Write init_file if asked, read the value, start watching; the value read. */
  start(): number;
  stop(): void;
  /** The value last read. */
  readonly value: number;
}

export type TrackFileWatcherFactory = (trackFile: TrackFile, onChange: (value: number) => void) => TrackFileHandle;

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

/** The parts of the config trackers read. */
export type TrackedConfig = Pick<Config, 'scripts' | 'trackFiles' | 'syncGroups'>;

function specsFor(inst: ConfigInstance, config: TrackedConfig): TrackerSpec[] {
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

/**
 * A tracker's definition without any source location (its own, its command's): equal means
 * "unchanged by a reload", even when lines above it moved.
 */
function definition(x: VrrpScript | TrackFile): string {
  return JSON.stringify(x, (key, value: unknown) => (key === 'at' ? undefined : value));
}

interface Runner {
  readonly def: string;
  readonly handle: ScriptRunnerHandle;
}

interface FileWatch {
  readonly def: string;
  readonly watcher: TrackFileHandle;
}

export class Trackers {
  private tracked = new Map<string, Tracked>();
  private readonly runners = new Map<string, Runner>();
  private readonly files = new Map<string, FileWatch>();
  /** The latest status of every tracker by kind and name, across reloads. */
  private readonly statuses = new Map<string, boolean | number>();
  private post: (instance: string, event: TrackerEvent) => void = () => undefined;
  private listening = false;
  private stopped = false;

  private config: TrackedConfig = { scripts: [], trackFiles: [], syncGroups: [] };

  constructor(
    private readonly links: LinkWatcher,
    private readonly scripts: ScriptRunnerFactory,
    private readonly watchFile: TrackFileWatcherFactory,
    private readonly log: Logger,
  ) {}

  /**
   * Track `instances` of `config` (start-up, or a reload): read what is not known yet
   * (interfaces, files), start the scripts that are new or changed, stop those no longer used.
   * Instances already tracked get events for what changed; new instances' initial state is
   * `initialEvents()`. Changes from now on go to `post`.
   */
  async reconfigure(
    config: TrackedConfig,
    instances: readonly ConfigInstance[],
    post: (instance: string, event: TrackerEvent) => void,
    /** Kept instances a reload renamed: new name -> old name. */
    renamed: ReadonlyMap<string, string> = new Map(),
  ): Promise<void> {
    if (this.stopped) return;
    this.config = config;
    const newName = new Map([...renamed].map(([now, old]) => [old, now]));
    const before = new Map([...this.tracked].map(([name, t]) => [newName.get(name) ?? name, t]));
    this.tracked = new Map();
    for (const inst of instances) this.tracked.set(inst.name, this.newTracked(inst, before.get(inst.name)));
    const all = [...this.tracked.values()];
    const names = (kind: TrackerKind): Set<string> => new Set(all.flatMap((t) => t.tracking.specs.filter((s) => s.kind === kind).map((s) => s.name)));
    for (const ifname of names('interface')) {
      if (!this.statuses.has(statusKey('interface', ifname))) this.record('interface', ifname, await this.links.isUp(ifname).catch(() => false));
    }
    if (!this.listening) {
      this.listening = true;
      this.links.onEvent((e) => this.onLink(e));
    }
    this.reconfigureFiles(names('file'));
    this.post = post;
    const started = this.reconfigureScripts(names('script'));
    for (const [name, t] of this.tracked) {
      for (const s of t.tracking.specs) {
        const v = this.statuses.get(statusKey(s.kind, s.name));
        if (v !== undefined) t.tracking.set(s.kind, s.name, v);
      }
      if (before.has(name)) this.emit(t);
      else this.settle(t);
      this.settleInitIfDone(t);
    }
    for (const r of started) r.start();
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

  /** Each running vrrp_script, for the dumps. */
  scriptReports(): { readonly name: string; readonly report: ScriptRunnerReport | null }[] {
    return [...this.runners].map(([name, r]) => ({ name, report: r.handle.report?.() ?? null }));
  }

  /** Each watched track_file and the value last read. */
  fileValues(): { readonly name: string; readonly value: number }[] {
    return [...this.files].map(([name, f]) => ({ name, value: f.watcher.value }));
  }

  /** How many trackers hold `instance` in FAULT (keepalived num_script_if_fault). */
  faultCount(instance: string): number {
    return this.tracked.get(instance)?.tracking.faultCount ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const f of this.files.values()) f.watcher.stop();
    this.files.clear();
    this.post = () => undefined;
    const runners = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(runners.map((r) => r.handle.stop()));
  }

  private newTracked(inst: ConfigInstance, was: Tracked | undefined): Tracked {
    let settleInit = (): void => undefined;
    const initDone = new Promise<void>((resolve) => (settleInit = resolve));
    const tracking = new InstanceTracking(specsFor(inst, this.config));
    // A kept instance: its core has been told `was.delta` and `was.fault`.
    return { inst, tracking, delta: was?.delta ?? 0, fault: was?.fault ?? null, initDone, settleInit };
  }

  private onLink(e: LinkEvent): void {
    if (e.type !== 'link' || ![...this.tracked.values()].some((t) => t.tracking.tracks('interface', e.ifname))) return;
    // keepalived netlink_link_filter(): the line operators grep for a link change.
    this.log.info(`Netlink reports ${e.ifname} ${e.up ? 'up' : 'down'}`);
    this.update('interface', e.ifname, e.up);
  }

  private reconfigureFiles(used: ReadonlySet<string>): void {
    for (const [name, f] of this.files) {
      const tf = this.config.trackFiles.find((x) => x.name === name);
      if (used.has(name) && tf !== undefined && definition(tf) === f.def) continue;
      f.watcher.stop();
      this.files.delete(name);
      this.statuses.delete(statusKey('file', name));
    }
    for (const name of used) {
      const tf = this.config.trackFiles.find((f) => f.name === name);
      if (tf === undefined || this.files.has(name)) continue;
      const watcher = this.watchFile(tf, (v) => this.update('file', name, v));
      this.files.set(name, { def: definition(tf), watcher });
      this.record('file', name, watcher.start());
    }
  }

  /** Stop the runners no longer used or changed; the new ones, to start once all is set. */
  private reconfigureScripts(used: ReadonlySet<string>): ScriptRunnerHandle[] {
    for (const [name, r] of this.runners) {
      const script = this.config.scripts.find((x) => x.name === name);
      if (used.has(name) && script !== undefined && definition(script) === r.def) continue;
      void r.handle.stop();
      this.runners.delete(name);
      this.statuses.delete(statusKey('script', name));
    }
    const started: ScriptRunnerHandle[] = [];
    for (const name of used) {
      const script = this.config.scripts.find((s) => s.name === name);
      if (script === undefined || this.runners.has(name)) continue;
      const handle = this.scripts(script, (ok) => this.update('script', name, ok));
      this.runners.set(name, { def: definition(script), handle });
      started.push(handle);
    }
    return started;
  }

  private record(kind: TrackerKind, name: string, status: boolean | number): void {
    this.statuses.set(statusKey(kind, name), status);
  }

  private update(kind: TrackerKind, name: string, status: boolean | number): void {
    if (this.stopped) return;
    this.record(kind, name, status);
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

function statusKey(kind: TrackerKind, name: string): string {
  return `${kind}:${name}`;
}
