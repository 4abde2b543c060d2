/**
 * The two machines a driver runs (driver.ts): a lone vrrp_instance, and a vrrp_sync_group
 * whose members move together (protocol/sync-group.ts). Both answer with GroupActions so one
 * router (Daemon.route() in daemon.ts) sends each action to its instance's executor or to the
 * group's notifications.
 */
import { SyncGroup, type GroupEvent, type MemberEvent } from '../protocol/sync-group';
import type { GroupAction } from '../protocol/sync-group';
import type { VrrpInstance } from '../protocol/instance';
import type { Event } from '../protocol/types';
import type { Machine } from './driver';

function isGroupEvent(e: Event): e is GroupEvent {
  return e.type === 'Startup' || e.type === 'Shutdown' || e.type === 'DeadlineReached';
}

export class LoneInstanceMachine implements Machine {
  constructor(readonly instance: VrrpInstance) {}

  handle(event: Event, _member: string | null, nowUs: number): GroupAction[] {
    const actions = this.instance.handle(event, nowUs);
    // After handle(): a reload's ConfigUpdated may have renamed the instance.
    const name = this.instance.name;
    return actions.map((action) => ({ scope: 'instance' as const, name, action }));
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
