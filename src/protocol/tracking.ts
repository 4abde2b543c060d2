/**
 * What an instance's trackers add up to: the priority delta and whether they hold it in FAULT
 * (reference E, B10, B11). The runtime feeds each tracker's latest status; this module owns
 * keepalived's arithmetic only (vrrp_track.c: process_script_update_priority(),
 * initialise_interface_tracking_priorities(), initialise_vrrp_file_tracking_priorities()).
 *
 * Weight model, with m = -1 for `reverse` and +1 otherwise:
 *  - script / interface, weight 0: FAULT while the status is "bad" (failed, or down), or while
 *    it is "good" with reverse;
 *  - script / interface, weight W ≠ 0: contributes m × W while good if W > 0, m × W while bad
 *    if W < 0, nothing otherwise (a script without a result yet contributes nothing);
 *  - file: value × W × m (weight 0: a non-zero value, or zero with reverse, is a FAULT);
 *    a result ≤ −254 is a FAULT, and a contribution is capped at +253.
 * (keepalived's start-up path ignores `reverse` for a script that already has a result
 * (init_fail); tsvrrpd applies the same rule at start-up and later, which keepalived's
 * transitions also do.)
 * The effective priority clamp and the owner rule stay in priority.ts. Pure: no I/O, no time.
 */

export type TrackerKind = 'script' | 'interface' | 'file';

export interface TrackerSpec {
  readonly kind: TrackerKind;
  /** The vrrp_script name, the interface name or the track_file name. */
  readonly name: string;
  readonly weight: number;
  readonly reverse: boolean;
}

/** script: true = OK, false = failed, null = no result yet; interface: up; file: the value read. */
export type TrackerStatus = boolean | number | null;

/** keepalived: a track_file status at or below this is a FAULT. */
const FILE_FAULT_AT = -254;
const FILE_MAX_CONTRIBUTION = 253;

interface Contribution {
  readonly delta: number;
  readonly fault: boolean;
}

const KIND_WORD: Record<TrackerKind, string> = { script: 'script', interface: 'interface', file: 'tracked file' };

function contribution(spec: TrackerSpec, status: TrackerStatus): Contribution {
  const m = spec.reverse ? -1 : 1;
  if (spec.kind === 'file') {
    const value = typeof status === 'number' ? status : 0;
    const result = spec.weight === 0 ? ((value !== 0) === !spec.reverse ? FILE_FAULT_AT : 0) : value * spec.weight * m;
    if (result <= FILE_FAULT_AT) return { delta: 0, fault: true };
    return { delta: Math.min(result, FILE_MAX_CONTRIBUTION), fault: false };
  }
  if (status === null || typeof status === 'number') return { delta: 0, fault: false };
  if (spec.weight === 0) return { delta: 0, fault: status === spec.reverse };
  if (status) return { delta: spec.weight > 0 ? spec.weight * m : 0, fault: false };
  return { delta: spec.weight < 0 ? spec.weight * m : 0, fault: false };
}

/** One instance's trackers and their latest statuses. */
export class InstanceTracking {
  private readonly statuses = new Map<string, TrackerStatus>();

  constructor(readonly specs: readonly TrackerSpec[]) {}

  private static key(kind: TrackerKind, name: string): string {
    return `${kind}:${name}`;
  }

  /** Does this instance track `name` of this kind? */
  tracks(kind: TrackerKind, name: string): boolean {
    return this.specs.some((s) => s.kind === kind && s.name === name);
  }

  set(kind: TrackerKind, name: string, status: TrackerStatus): void {
    this.statuses.set(InstanceTracking.key(kind, name), status);
  }

  status(kind: TrackerKind, name: string): TrackerStatus {
    return this.statuses.get(InstanceTracking.key(kind, name)) ?? null;
  }

  /** Does this one tracker hold the instance in FAULT now? */
  faults(kind: TrackerKind, name: string): boolean {
    return this.specs.some((s) => s.kind === kind && s.name === name && contribution(s, this.status(kind, name)).fault);
  }

  /** The summed priority delta of every tracker (PriorityChanged.trackerDelta). */
  get delta(): number {
    let sum = 0;
    for (const s of this.specs) sum += contribution(s, this.status(s.kind, s.name)).delta;
    return sum;
  }

  /** How many trackers hold the instance in FAULT now. */
  get faultCount(): number {
    return this.specs.filter((s) => contribution(s, this.status(s.kind, s.name)).fault).length;
  }

  /** Why the trackers hold the instance in FAULT, or null when they do not. */
  get faultReason(): string | null {
    const bad = this.specs.filter((s) => contribution(s, this.status(s.kind, s.name)).fault);
    if (bad.length === 0) return null;
    return bad.map((s) => `${KIND_WORD[s.kind]} ${s.name}`).join(', ');
  }

  /** Unweighted scripts without a first result (keepalived num_script_init: start-up waits for them). */
  get scriptsInInit(): readonly string[] {
    return this.specs.filter((s) => s.kind === 'script' && s.weight === 0 && this.status('script', s.name) === null).map((s) => s.name);
  }
}
