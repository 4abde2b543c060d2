/**
 * keepalived's vrrp_sync_group as a pure coordinator over member instances (reference F;
 * keepalived vrrp_sync.c and the VRRP_TSM table in vrrp_scheduler.c):
 *  - any member entering FAULT takes the others to FAULT; they leave it together, once no
 *    member has a fault of its own left (try_up_instance());
 *  - a member becomes MASTER only when every member wants to (vrrp_sync_can_goto_master()),
 *    and then all become MASTER together (vrrp_sync_master());
 *  - a MASTER member going to BACKUP pulls the others to BACKUP (vrrp_sync_backup()); after a
 *    VIP deletion they leave with a priority-0 advert and a Skew_Time timer (set_vrrp_backup());
 *  - a MASTER member hearing a lower priority advert makes every member send its lower-priority
 *    GARP burst (vrrp_state_master_rx());
 *  - the group itself notifies its state with priority 0 (send_group_notifies()).
 *
 * Owns: the group state and the routing of events and actions. The members keep their own
 * protocol rules (instance.ts); this class only observes their transitions and imposes the
 * group's. Pure: time is handed in, no I/O.
 */
import type { Action, Event, VrrpState } from './types';
import type { SyncMove, SyncPolicy, VrrpInstance } from './instance';

/** An action and who it is from: a member instance, or the group itself. */
export interface GroupAction {
  readonly scope: 'instance' | 'group';
  readonly name: string;
  readonly action: Action;
}

/** Events the group handles for all its members at once. */
export type GroupEvent = Extract<Event, { type: 'Startup' | 'Shutdown' | 'DeadlineReached' }>;
/** Events that concern one member. */
export type MemberEvent = Exclude<Event, GroupEvent>;

/** keepalived vrrp_init_state(): FAULT if any member is, MASTER if all are, else BACKUP. */
function groupStateOf(states: readonly VrrpState[]): VrrpState {
  return states.includes('FAULT') ? 'FAULT' : states.every((s) => s === 'MASTER') ? 'MASTER' : 'BACKUP';
}

export class SyncGroup {
  private groupState: VrrpState = 'INIT';
  private readonly members: readonly VrrpInstance[];

  constructor(
    readonly name: string,
    members: readonly VrrpInstance[],
  ) {
    if (members.length === 0) throw new RangeError(`sync group ${name} has no members`);
    if (new Set(members.map((m) => m.name)).size !== members.length) {
      throw new RangeError(`sync group ${name} lists an instance twice`);
    }
    this.members = [...members];
    const policy: SyncPolicy = {
      mayBecomeMaster: (m) => this.groupState === 'MASTER' || this.others(m).every((o) => o.wantsMaster),
      mayLeaveFault: () => this.members.every((o) => !o.isFaulted),
    };
    for (const m of this.members) m.joinSyncGroup(policy);
    // A reload may group instances that already run: the group takes their state, unannounced.
    if (this.members.every((m) => m.state !== 'INIT')) this.groupState = groupStateOf(this.members.map((m) => m.state));
  }

  get state(): VrrpState {
    return this.groupState;
  }

  member(name: string): VrrpInstance | undefined {
    return this.members.find((m) => m.name === name);
  }

  /** The earliest deadline of any member. */
  nextDeadlineUs(): number | null {
    const armed = this.members.map((m) => m.nextDeadlineUs()).filter((t): t is number => t !== null);
    return armed.length === 0 ? null : Math.min(...armed);
  }

  handle(event: GroupEvent, nowUs: number): GroupAction[] {
    switch (event.type) {
      case 'Startup':
        return this.startup(nowUs);
      case 'Shutdown':
        return this.shutdown(nowUs);
      case 'DeadlineReached':
        return this.deadline(nowUs);
    }
  }

  handleMember(name: string, event: MemberEvent, nowUs: number): GroupAction[] {
    const m = this.member(name);
    if (m === undefined) throw new RangeError(`${name} is not a member of sync group ${this.name}`);
    return this.step(m, event, nowUs);
  }

  /** keepalived vrrp_init_state(): members start, then the group reports its state. */
  private startup(nowUs: number): GroupAction[] {
    const out = this.members.flatMap((m) => tag(m, m.handle({ type: 'Startup' }, nowUs)));
    return [...out, ...this.setState(groupStateOf(this.members.map((m) => m.state)), false)];
  }

  /** keepalived notify_shutdown(): the instances first, then the group. */
  private shutdown(nowUs: number): GroupAction[] {
    const out = this.members.flatMap((m) => tag(m, m.handle({ type: 'Shutdown' }, nowUs)));
    return [...out, ...this.setState('STOP', false)];
  }

  /** Every member whose deadline is due; an early call is treated as on time. */
  private deadline(nowUs: number): GroupAction[] {
    const due = this.nextDeadlineUs();
    if (due === null) return [];
    const t = Math.max(nowUs, due);
    const out: GroupAction[] = [];
    for (const m of this.members) {
      const d = m.nextDeadlineUs();
      if (d !== null && d <= t) out.push(...this.step(m, { type: 'DeadlineReached' }, t));
    }
    return out;
  }

  /** One event for one member, then the group's reaction to its transition (the TSM table). */
  private step(m: VrrpInstance, event: Event, nowUs: number): GroupAction[] {
    const prev = m.state;
    const actions = m.handle(event, nowUs);
    const out = tag(m, actions);
    const cur = m.state;
    if (prev === cur) {
      const lower = actions.some((a) => a.type === 'NotifyMasterRxLowerPri');
      return lower ? [...out, ...this.moveOthers(m, 'lower-prio-garp', nowUs)] : out;
    }
    if (cur === 'FAULT') return [...out, ...this.sync(m, 'fault', 'FAULT', nowUs)];
    if (cur === 'MASTER') return [...out, ...this.sync(m, 'master', 'MASTER', nowUs)];
    if (cur === 'BACKUP') {
      const release = prev === 'MASTER' && event.type === 'VipDeleted';
      return [...out, ...this.sync(m, release ? 'release' : 'backup', 'BACKUP', nowUs)];
    }
    return out;
  }

  /** Bring the other members along and report the group's new state. */
  private sync(m: VrrpInstance, move: SyncMove, next: VrrpState, nowUs: number): GroupAction[] {
    const out: GroupAction[] = [];
    if (next !== this.groupState) {
      out.push(this.groupAction({ type: 'Log', level: 'info', message: `VRRP_Group(${this.name}) Syncing instances to ${next} state` }));
    }
    out.push(...this.moveOthers(m, move, nowUs), ...this.setState(next, true));
    return out;
  }

  private moveOthers(m: VrrpInstance, move: SyncMove, nowUs: number): GroupAction[] {
    return this.others(m).flatMap((o) => tag(o, o.follow(move, nowUs)));
  }

  /** keepalived send_group_notifies(): type GROUP, priority 0, on each change of group state. */
  private setState(next: VrrpState, onlyOnChange: boolean): GroupAction[] {
    if (onlyOnChange && next === this.groupState) return [];
    this.groupState = next;
    return [this.groupAction({ type: 'Notify', state: next, priority: 0 })];
  }

  private groupAction(action: Action): GroupAction {
    return { scope: 'group', name: this.name, action };
  }

  private others(m: VrrpInstance): VrrpInstance[] {
    return this.members.filter((o) => o !== m);
  }
}

function tag(m: VrrpInstance, actions: readonly Action[]): GroupAction[] {
  return actions.map((action) => ({ scope: 'instance' as const, name: m.name, action }));
}
