/**
 * keepalived's notifications for one state change (reference B16; keepalived vrrp_notify.c:
 * send_instance_notifies(), send_group_notifies(), send_event_notify()), in its order:
 *  1. the `notify_<state>` script, with exactly its configured arguments;
 *  2. the generic `notify` script, with `INSTANCE|GROUP name STATE priority` appended
 *     (priority 0 for a group);
 *  3. the notify FIFO line;
 *  4. the SMTP alert (its own rules: smtp-alert.ts).
 * Scripts are fire-and-forget, except at STOP, when keepalived gives the instance's stop
 * scripts one second before killing them. An instance whose sync group is already in the
 * state it enters sends nothing more (keepalived: notifies_sent && sync->state == state).
 *
 * Owns: which script, which arguments, which order, the suppression rule. How a script is
 * spawned, a FIFO written or a mail sent is behind NotifyOutputs.
 */
import type { Config, Notifications, ScriptCommand, SyncGroup as SyncGroupConfig, VrrpInstance as ConfigInstance } from '../config/model';
import type { NotifyWord, VrrpState } from '../protocol/types';

/** States that notify (INIT never does). */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
export type NotifyScope = 'INSTANCE' | 'GROUP';

export interface NotifyOutputs {
  /** Spawn and forget (reaped by the runtime). */
  runScript(cmd: ScriptCommand, extraArgs?: readonly string[]): void;
  /** keepalived system_call_script() with a 1 s limit: resolves when it exits or was killed. */
  runStopScript(cmd: ScriptCommand, extraArgs?: readonly string[]): Promise<void>;
  fifo(scope: NotifyScope, name: string, state: NotifyState | 'MASTER_RX_LOWER_PRI', priority: number): void;
  mail(scope: NotifyScope, name: string, state: NotifyState, smtpAlert: boolean | null): void;
}

function isNotifyState(s: NotifyWord): s is NotifyState {
  return s === 'MASTER' || s === 'BACKUP' || s === 'FAULT' || s === 'STOP' || s === 'DELETED';
}

/**
 * keepalived clear_diff_vrrp(): an instance a reload removed is reported DELETED when
 * `notify_deleted` is configured (with or without a script), else FAULT.
 */
function reportedState(n: Notifications, state: NotifyState): NotifyState {
  return state === 'DELETED' && !n.deletedReported && n.deleted === null ? 'FAULT' : state;
}

/** A sync group's notifications have no `notify_deleted`. */
type StateScripts = Omit<Notifications, 'deleted' | 'deletedReported' | 'masterRxLowerPri'> & { readonly deleted?: ScriptCommand | null };

function stateScript(n: StateScripts, state: NotifyState): ScriptCommand | null {
  switch (state) {
    case 'MASTER':
      return n.master;
    case 'BACKUP':
      return n.backup;
    case 'FAULT':
      return n.fault;
    case 'STOP':
      return n.stop;
    case 'DELETED':
      return n.deleted ?? null;
  }
}

export class Notifier {
  private readonly groupState = new Map<string, NotifyState>();
  private readonly notified = new Set<string>();

  constructor(
    private config: Pick<Config, 'syncGroups'>,
    private readonly out: NotifyOutputs,
  ) {}

  /** A reload: sync groups' scripts follow the new config (instances pass their own). */
  reconfigure(config: Pick<Config, 'syncGroups'>): void {
    this.config = config;
  }

  /** An instance entered `state`; resolves at once, or when its STOP scripts are done. */
  async instance(inst: ConfigInstance, word: NotifyWord, priority: number): Promise<void> {
    if (!isNotifyState(word)) return;
    const state = reportedState(inst.notify, word);
    const group = inst.syncGroup;
    if (this.notified.has(inst.name) && group !== null && this.groupState.get(group) === state) return;
    this.notified.add(inst.name);
    const script = stateScript(inst.notify, state);
    const generic = inst.notify.generic;
    const extra = ['INSTANCE', inst.name, state, String(priority)];
    const waits: Promise<void>[] = [];
    if (state === 'STOP') {
      if (script) waits.push(this.out.runStopScript(script));
      if (generic) waits.push(this.out.runStopScript(generic, extra));
    } else {
      if (script) this.out.runScript(script);
      if (generic) this.out.runScript(generic, extra);
    }
    this.out.fifo('INSTANCE', inst.name, state, priority);
    this.out.mail('INSTANCE', inst.name, state, inst.smtpAlert);
    await Promise.all(waits);
  }

  /** A sync group entered `state` (reported with priority 0). */
  group(name: string, state: VrrpState): void {
    if (!isNotifyState(state)) return;
    this.groupState.set(name, state);
    const group: SyncGroupConfig | undefined = this.config.syncGroups.find((g) => g.name === name);
    if (group === undefined) return;
    const script = stateScript(group.notify, state);
    if (script) this.out.runScript(script);
    if (group.notify.generic) this.out.runScript(group.notify.generic, ['GROUP', name, state, '0']);
    this.out.fifo('GROUP', name, state, 0);
    this.out.mail('GROUP', name, state, group.smtpAlert);
  }

  /** keepalived send_event_notify(): a MASTER heard a lower-priority advert. */
  masterRxLowerPri(inst: ConfigInstance, priority: number): void {
    if (inst.notify.masterRxLowerPri) this.out.runScript(inst.notify.masterRxLowerPri);
    this.out.fifo('INSTANCE', inst.name, 'MASTER_RX_LOWER_PRI', priority);
  }
}
