/**
 * The two machines a driver runs (driver.ts): a lone vrrp_instance, and a vrrp_sync_group
 * whose members move together (protocol/sync-group.ts). Both answer with GroupActions so one
 * router (Daemon.route() in daemon.ts) sends each action to its instance's executor or to the
 * group's notifications.
 */
import { SyncGroup, type GroupEvent, type MemberEvent } from '../protocol/sync-group';
import type { GroupAction } from '../protocol/sync-group';
import type { VrrpInstance } from '../protocol/instance';
import type { Action, Event } from '../protocol/types';
import type { Machine } from './driver';

function isGroupEvent(e: Event): e is GroupEvent {
  return e.type === 'Startup' || e.type === 'Shutdown' || e.type === 'DeadlineReached';
}

export class LoneInstanceMachine implements Machine {
  /**
   * The last shared (frozen) action list the core returned, and its tagged copy: a MASTER's
   * every Adver_Timer step returns the same list (steadyAdvertActions), so its tagging is reused.
   */
  private tagged: { readonly from: readonly Action[]; readonly name: string; readonly actions: readonly GroupAction[] } | null = null;

  constructor(readonly instance: VrrpInstance) {}

  handle(event: Event, _member: string | null, nowUs: number): readonly GroupAction[] {
    const actions = this.instance.handle(event, nowUs);
    // After handle(): a reload's ConfigUpdated may have renamed the instance.
    const name = this.instance.name;
    const last = this.tagged;
    if (last !== null && last.from === actions && last.name === name) return last.actions;
    const out = actions.map((action): GroupAction => ({ scope: 'instance', name, action }));
    if (!Object.isFrozen(actions) || actions.length === 0) return out;
    const shared = Object.freeze(out.map((a) => Object.freeze(a)));
    this.tagged = { from: actions, name, actions: shared };
    return shared;
  }

  nextDeadlineUs(): number | null {
    return this.instance.nextDeadlineUs();
  }

  get awaitsTakeover(): boolean {
    return this.instance.state === 'BACKUP';
  }

  get members(): readonly VrrpInstance[] {
    return [this.instance];
  }
}

export class SyncGroupMachine implements Machine {
  readonly group: SyncGroup;

  constructor(
    name: string,
    readonly members: readonly VrrpInstance[],
  ) {
    this.group = new SyncGroup(name, members);
  }

  handle(event: Event, member: string | null, nowUs: number): GroupAction[] {
    if (isGroupEvent(event)) return this.group.handle(event, nowUs);
    if (member === null) return [];
    const memberEvent: MemberEvent = event;
    return this.group.handleMember(member, memberEvent, nowUs);
  }

  nextDeadlineUs(): number | null {
    return this.group.nextDeadlineUs();
  }

  get awaitsTakeover(): boolean {
    return this.members.some((m) => m.state === 'BACKUP');
  }
}
