/**
 * One VRRPv2 virtual router as a pure state machine: RFC 3768 §6.4 (Initialize, Backup,
 * Master) plus keepalived's FAULT and STOP states, with keepalived 2.2.7's deviations where
 * tsvrrpd follows them (marked `keepalived:` with the function they come from).
 *
 * Owns: the state; when the Master_Down_Timer, the Adver_Timer and the GARP timers are armed
 * (instance-timers.ts keeps the deadlines); what a valid advert does in each state
 * (receive-rules.ts classifies it); the state-entry table. It is
 * handed the time and one event and answers with actions (types.ts). It must never touch a
 * socket, a clock, a timer or the process, and it never throws on a bad peer: an invalid
 * advert is counted and logged at a limited rate, nothing else.
 */
import type { Action, Advert, Event, InstanceParams, NotifyWord, ReceivedPacket } from './types';
import type { Validation, VrrpCore, VrrpState } from './types';
import { validateAdvert } from './validate';
import { ValidationMemo } from './validate-memo';
import { PRIORITY_OWNER } from './constants';
import { effectivePriority, PRIORITY_MAX_BACKUP } from './priority';
import { masterDownIntervalUs, skewTimeUs } from './timers';
import { advertActions, countStat, InstanceOutput, notifyAction, steadyAdvertActions } from './instance-output';
import { classifyBackupAdvert, classifyMasterAdvert, compareIpv4 } from './receive-rules';
import { InstanceTimers, type DownKind } from './instance-timers';

/**
 * What a sync group (sync-group.ts) decides for its members. An instance without a group
 * has no policy and decides alone.
 */
export interface SyncPolicy {
  /** keepalived vrrp_sync_can_goto_master(): may this member become MASTER now? */
  mayBecomeMaster(member: VrrpInstance): boolean;
  /** keepalived try_up_instance(): may this member leave FAULT (its own faults are clear)? */
  mayLeaveFault(member: VrrpInstance): boolean;
}

/** What a sync group can ask of a member (keepalived vrrp_sync.c, set_vrrp_backup()). */
export type SyncMove = 'master' | 'backup' | 'fault' | 'release' | 'lower-prio-garp';

/** How to leave MASTER or enter BACKUP. */
interface BackupEntry {
  readonly init?: boolean;
  /** Send a priority-0 advert before releasing the VIPs (keepalived advF). */
  readonly stopAdvert?: boolean;
  readonly down: DownKind;
}

const NO_ACTIONS: readonly Action[] = Object.freeze([]);
const ADVERT_RCVD: Action = countStat('advert_rcvd');

export class VrrpInstance implements VrrpCore {
  private current: VrrpState = 'INIT';
  /** When a delayed start-up (vrrp_startup_delay) ends; null when none is pending. */
  private startupAtUs: number | null = null;
  /** keepalived 2.2.7 lowers this to 254 on an owner conflict (vrrp_state_master_rx()). */
  private basePriority: number;
  private effective: number;
  private selfFaulted = false;
  /** The trackers' last contribution (PriorityChanged), kept for a reload's new base priority. */
  private trackerDelta = 0;
  /** keepalived wantstate MASTER while a sync group holds us in BACKUP. */
  private heldWantMaster = false;
  private lastMasterIp: string | null = null;
  /** keepalived master_priority: the priority of the master's last advert heard (0: none). */
  private lastMasterPriority = 0;
  private readonly timers: InstanceTimers;
  private policy: SyncPolicy | null = null;
  private readonly unicast: boolean;
  private out: InstanceOutput;
  private p: InstanceParams;
  private readonly accepted = new ValidationMemo();

  constructor(params: InstanceParams, opts: { readonly unicast?: boolean } = {}) {
    this.p = params;
    this.basePriority = params.basePriority;
    this.effective = effectivePriority(this.basePriority, 0);
    this.unicast = opts.unicast ?? params.unicastPeers.length > 0;
    this.timers = new InstanceTimers(params.advertIntUs, params.garp);
    this.out = new InstanceOutput(params.name);
  }

  /** The parameters it runs with now (a reload may replace them: ConfigUpdated). */
  get params(): InstanceParams {
    return this.p;
  }

  get name(): string {
    return this.p.name;
  }

  get state(): VrrpState {
    return this.current;
  }

  get effectivePriority(): number {
    return this.effective;
  }

  /** keepalived total_priority: base priority plus the trackers, before clamping. */
  get totalPriority(): number {
    return this.basePriority + this.trackerDelta;
  }

  /** keepalived master_saddr / master_priority: the master last heard as BACKUP. */
  get masterRouter(): { readonly ip: string | null; readonly priority: number } {
    return { ip: this.lastMasterIp, priority: this.lastMasterPriority };
  }

  /** Its own fault reasons (FaultChanged), not a fault imposed by a sync group. */
  get isFaulted(): boolean {
    return this.selfFaulted;
  }

  /** keepalived wantstate == MASTER: already MASTER, held back by a sync group, or an owner about to start. */
  get wantsMaster(): boolean {
    if (this.current === 'BACKUP') return this.heldWantMaster;
    return this.current === 'MASTER' || (this.current === 'INIT' && this.startsAsMaster());
  }

  /** Join a sync group, or (null) leave it: a reload may regroup running instances. */
  joinSyncGroup(policy: SyncPolicy | null): void {
    this.policy = policy;
  }

  handle(event: Event, nowUs: number): readonly Action[] {
    switch (event.type) {
      case 'Startup':
        return this.onStartup(nowUs);
      case 'Shutdown':
        return this.onShutdown();
      case 'AdvertReceived':
        return this.onAdvert(event.packet.srcIp, this.validate(event.packet), nowUs);
      case 'DeadlineReached':
        return this.onDeadline(nowUs);
      case 'PriorityChanged':
        return this.onPriorityChanged(event.trackerDelta);
      case 'FaultChanged':
        return this.onFaultChanged(event.faulted, event.reason, nowUs);
      case 'VipDeleted':
        return this.onVipDeleted(event.address, nowUs);
      case 'ConfigUpdated':
        return this.onConfigUpdated(event.params);
      case 'Removed':
        return this.onRemoved();
    }
  }

  nextDeadlineUs(): number | null {
    if (this.current === 'INIT') return this.startupAtUs;
    if (this.current === 'BACKUP') return this.timers.downAtUs;
    return this.current === 'MASTER' ? this.timers.nextMasterUs() : null;
  }

  /** A move a sync group (sync-group.ts) imposes; a no-op where the state does not allow it. */
  follow(move: SyncMove, nowUs: number): Action[] {
    const st = this.current;
    switch (move) {
      case 'master': // keepalived vrrp_sync_master()
        return st === 'BACKUP' ? this.enterMaster(nowUs) : [];
      case 'backup': // keepalived vrrp_sync_backup(): also out of a FAULT that is not our own
        return st === 'MASTER' || (st === 'FAULT' && !this.selfFaulted) ? this.enterBackup(nowUs, { down: 'full' }) : [];
      case 'fault': // keepalived vrrp_sync_fault()
        return st === 'MASTER' || st === 'BACKUP' ? this.enterFault() : [];
      case 'release': // keepalived set_vrrp_backup(): priority 0 now, re-elect after Skew_Time
        return st === 'MASTER' ? this.enterBackup(nowUs, { stopAdvert: true, down: 'skew' }) : [];
      case 'lower-prio-garp': // keepalived vrrp_state_master_rx(): the burst for every member
        return st === 'MASTER' ? this.lowerPrioGarp(nowUs) : [];
    }
  }

  // ---- events ----

  private onStartup(nowUs: number): Action[] {
    if (this.current !== 'INIT' || this.startupAtUs !== null) return [];
    // RFC 3768 checklist D5 / keepalived vrrp_init_state(): drop VIPs a previous run left behind.
    const actions: Action[] = [{ type: 'RemoveVips' }];
    if (this.p.startupDelayUs > 0) {
      // keepalived vrrp_startup_delay: hold in INIT (adverts ignored) until the delay is over.
      this.startupAtUs = nowUs + this.p.startupDelayUs;
      actions.push({ type: 'Log', level: 'info', message: `Delaying startup for ${this.p.startupDelayUs / 1_000_000} seconds` });
      return actions;
    }
    return [...actions, ...this.initialState(nowUs)];
  }

  /** The state an instance starts in (after any startup delay). */
  private initialState(nowUs: number): Action[] {
    const actions: Action[] = [];
    if (this.selfFaulted || (this.policy !== null && !this.policy.mayLeaveFault(this))) {
      actions.push(...this.enterFault(true));
    } else if (this.startsAsMaster() && (this.policy?.mayBecomeMaster(this) ?? true)) {
      // RFC 3768 §6.4.1: the owner goes to Master at once (keepalived: only with `state MASTER`).
      actions.push(...this.enterMaster(nowUs));
    } else {
      // RFC 3768 §6.4.1: Master_Down_Timer = Master_Down_Interval.
      actions.push(...this.enterBackup(nowUs, { init: true, down: 'full' }));
    }
    return actions;
  }

  private onShutdown(): Action[] {
    if (this.current === 'STOP') return [];
    const actions: Action[] = [];
    if (this.current === 'MASTER') {
      // RFC 3768 §6.4.3: send ONE advert with priority 0; §6.4.2: a backup sends nothing.
      actions.push(...advertActions(0), { type: 'RemoveVips' });
    }
    this.current = 'STOP';
    this.clearTimers();
    actions.push(this.notify('STOP'));
    return actions;
  }

  private onDeadline(nowUs: number): readonly Action[] {
    const due = this.nextDeadlineUs();
    if (due === null) return [];
    // ARCHITECTURE.md §1: a timer that fires early is treated as on time.
    const t = Math.max(nowUs, due);
    if (this.current === 'INIT') {
      this.startupAtUs = null;
      return this.initialState(t);
    }
    if (this.current === 'BACKUP') return this.masterDownExpired(t);
    return this.masterTimers(t);
  }

  private masterDownExpired(t: number): Action[] {
    if (this.policy !== null && !this.policy.mayBecomeMaster(this)) {
      // keepalived vrrp_sync_can_goto_master(): wait for the whole group, re-arm Master_Down.
      this.heldWantMaster = true;
      this.armDown(t, 'full');
      return [this.out.log('debug', 'held in BACKUP until its sync group can become MASTER')];
    }
    // RFC 3768 §6.4.2: Master_Down_Timer fired → advert, GARP, Adver_Timer, Master.
    return [this.out.log('debug', 'Receive advertisement timeout'), ...this.enterMaster(t)];
  }

  private masterTimers(t: number): readonly Action[] {
    const due = this.timers.fireMaster(t);
    // RFC 3768 §6.4.3: Adver_Timer fired → send an advert (the timer is re-armed); then the
    // keepalived GARP timers (second burst, refresh, lower-priority burst).
    if (due.garpCounts.length === 0) return due.advert ? steadyAdvertActions(this.effective) : NO_ACTIONS;
    const actions = due.advert ? advertActions(this.effective) : [];
    for (const count of due.garpCounts) actions.push({ type: 'SendGarp', count });
    return actions;
  }

  private onPriorityChanged(trackerDelta: number): Action[] {
    this.trackerDelta = trackerDelta;
    return this.setEffective(effectivePriority(this.basePriority, trackerDelta));
  }

  private setEffective(next: number): Action[] {
    if (next === this.effective || this.current === 'STOP') return [];
    const line = this.out.log('info', `Changing effective priority from ${this.effective} to ${next}`);
    this.effective = next;
    // keepalived vrrp_set_effective_priority(): a running Master_Down_Timer moves with the
    // new Skew_Time, measured from the moment it was last reset.
    this.timers.moveDown(this.downIntervalUs(this.timers.downKind));
    return [line];
  }

  /**
   * A reload kept this instance (keepalived vrrp_exist() matched it): the state, the timers and
   * the counters stay. keepalived re-enters MASTER (reload_master) and sends an extra advert on
   * every SIGHUP; tsvrrpd changes nothing on the wire but what changed: the new priority and
   * interval go out in the next advert, Master_Down moves with the new Skew_Time and interval
   * from its last reset, and a MASTER brings its VIPs to the new list (SyncVips: added VIPs
   * are added and announced, removed ones removed, unchanged ones left alone).
   */
  private onConfigUpdated(params: InstanceParams): Action[] {
    if (this.current === 'STOP') return [];
    const renamed = params.name !== this.p.name;
    this.p = params;
    if (renamed) this.out = new InstanceOutput(params.name);
    this.basePriority = params.basePriority;
    this.timers.reconfigure(params.advertIntUs, params.garp);
    if (params.preemptDelayUs === 0) this.timers.preemptAtUs = null;
    const actions = this.setEffective(effectivePriority(this.basePriority, this.trackerDelta));
    // The interval may have changed even when the priority did not.
    this.timers.moveDown(this.downIntervalUs(this.timers.downKind));
    if (this.current === 'MASTER') actions.push({ type: 'SyncVips', garpCount: params.garp.masterRepeat });
    return actions;
  }

  /**
   * keepalived clear_diff_vrrp(): an instance a reload removed. A MASTER sends one priority-0
   * advert and removes its VIPs (vrrp_restore_interface()); the instance is reported DELETED
   * (the notifier turns that into FAULT unless notify_deleted is configured) and stops.
   */
  private onRemoved(): Action[] {
    if (this.current === 'STOP') return [];
    const actions: Action[] = [];
    if (this.current === 'MASTER') actions.push(...advertActions(0), { type: 'RemoveVips' }, countStat('release_master'));
    this.current = 'STOP';
    this.clearTimers();
    actions.push(this.notify('DELETED'));
    return actions;
  }

  private onFaultChanged(faulted: boolean, reason: string, nowUs: number): Action[] {
    if (this.current === 'STOP') return [];
    const changed = faulted !== this.selfFaulted;
    this.selfFaulted = faulted;
    if (this.current === 'INIT' || !changed) return [];
    const why = this.out.log('info', `${faulted ? 'fault' : 'fault cleared'}: ${reason}`);
    if (faulted) return this.current === 'FAULT' ? [why] : [why, ...this.enterFault(false, 2)];
    if (this.current !== 'FAULT' || (this.policy !== null && !this.policy.mayLeaveFault(this))) {
      return [why];
    }
    // keepalived try_up_instance(): leave FAULT for BACKUP with a full Master_Down_Interval.
    return [why, ...this.enterBackup(nowUs, { down: 'full' })];
  }

  private onVipDeleted(address: string, nowUs: number): Action[] {
    if (this.current !== 'MASTER') return [];
    // keepalived set_vrrp_backup(): leave MASTER with a priority-0 advert, re-elect after Skew_Time.
    const line = this.out.log('info', `virtual address ${address} was removed by someone else`);
    return [line, ...this.follow('release', nowUs)];
  }

  // ---- receiving ----

  private validate(packet: ReceivedPacket): Validation | null {
    // keepalived vrrp_dispatcher_read(): adverts are ignored in INIT and FAULT (and after STOP).
    if (this.current !== 'BACKUP' && this.current !== 'MASTER') return null;
    // keepalived vrrp_state_backup(): skip_check_adv_addr skips the VIP list only for the
    // master we heard last; a MASTER always checks it.
    const sameMaster = this.current === 'BACKUP' && packet.srcIp === this.lastMasterIp;
    const checkVipAddr = !(this.p.skipCheckAdvAddr && sameMaster);
    const opts = { unicast: this.unicast, checkVipAddr };
    const known = this.accepted.lookup(packet, this.p, opts);
    if (known !== null) return known;
    const v = validateAdvert(packet, this.p, opts);
    this.accepted.remember(packet, this.p, opts, v);
    return v;
  }

  private onAdvert(srcIp: string, v: Validation | null, nowUs: number): Action[] {
    if (v === null) return [];
    // RFC 3768 §7.1: an invalid advert is discarded: counted and logged, nothing else.
    if (!v.ok) return this.out.validation(v, nowUs);
    const rx = this.current === 'BACKUP' ? this.backupRx(v.advert, srcIp, nowUs) : this.masterRx(v.advert, srcIp, nowUs);
    if (v.notes.length === 0 && v.advert.priority !== 0 && rx.length === 0) return [ADVERT_RCVD];
    const actions = this.out.validation(v, nowUs);
    actions.push(ADVERT_RCVD);
    if (v.advert.priority === 0) actions.push(countStat('pri_zero_rcvd'));
    for (const a of rx) actions.push(a);
    return actions;
  }

  /** RFC 3768 §6.4.2; keepalived vrrp_state_backup(). */
  private backupRx(advert: Advert, srcIp: string, nowUs: number): readonly Action[] {
    const p = advert.priority;
    const verdict = classifyBackupAdvert({
      priority: p,
      effective: this.effective,
      nopreempt: this.p.nopreempt,
      preemptDelayUs: this.p.preemptDelayUs,
      preemptAtUs: this.timers.preemptAtUs,
      nowUs,
    });
    if (verdict.kind === 'priority-zero') {
      this.armDown(nowUs, 'skew');
      return [this.out.log('debug', 'Backup received priority 0 advertisement')];
    }
    this.lastMasterIp = srcIp;
    this.lastMasterPriority = p;
    if (verdict.kind === 'discard-lower') {
      return [this.out.log('info', `received lower priority (${p}) advert from ${srcIp} - discarding`)];
    }
    this.armDown(nowUs, 'full');
    this.heldWantMaster = false;
    if (verdict.preempt === 'stop') {
      this.timers.preemptAtUs = null;
      return [this.out.log('debug', 'stop preempt delay')];
    }
    if (verdict.preempt === 'start') {
      this.timers.preemptAtUs = nowUs + this.p.preemptDelayUs;
      return [this.out.log('debug', `start preempt delay (${this.p.preemptDelayUs} us)`)];
    }
    return NO_ACTIONS; // an advert from the MASTER: Master_Down_Timer reset, nothing to do
  }

  /** RFC 3768 §6.4.3; keepalived vrrp_state_master_rx(). */
  private masterRx(advert: Advert, srcIp: string, nowUs: number): Action[] {
    const p = advert.priority;
    const verdict = classifyMasterAdvert({
      priority: p,
      effective: this.effective,
      addrCmp: compareIpv4(srcIp, this.p.sourceIp),
      higherPrioSendAdvert: this.p.higherPrioSendAdvert,
    });
    switch (verdict.kind) {
      case 'priority-zero':
        this.timers.resetAdver(nowUs);
        return [...advertActions(this.effective), this.out.log('debug', 'Master received priority 0 message')];
      case 'own-address':
        return [this.out.log('warn', 'WARNING - equal priority advert received from remote host with our IP address.')];
      case 'lower':
        return this.lowerPrioRx(p, srcIp, nowUs);
      case 'higher': {
        const actions = verdict.advertFirst ? advertActions(this.effective) : [];
        if (verdict.ownerConflict) actions.push(this.ownerConflict());
        const why = verdict.reason === 'priority'
          ? `Master received advert from ${srcIp} with higher priority ${p}, ours ${this.effective}`
          : `Master received advert from ${srcIp} with same priority ${p} but higher IP address than ours`;
        return [...actions, this.out.log('info', why), ...this.enterBackup(nowUs, { down: 'full' })];
      }
    }
  }

  /** keepalived 2.2.7 vrrp_state_master_rx(): two owners → both drop to 254 (reference B7, D6). */
  private ownerConflict(): Action {
    this.basePriority = PRIORITY_MAX_BACKUP;
    this.effective = PRIORITY_MAX_BACKUP;
    return this.out.log('warn', 'CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority');
  }

  /** keepalived vrrp_state_master_rx(), checklist D2: a lower priority advert forces a new election. */
  private lowerPrioRx(p: number, srcIp: string, nowUs: number): Action[] {
    const answer = !this.p.lowerPrioNoAdvert;
    const tail = answer ? ', forcing new election' : '';
    const actions: Action[] = [
      this.out.log('info', `Received advert from ${srcIp} with lower priority ${p}, ours ${this.effective}${tail}`),
    ];
    if (answer) {
      actions.push(...advertActions(this.effective));
      this.timers.resetAdver(nowUs);
    }
    actions.push(...this.lowerPrioGarp(nowUs), { type: 'NotifyMasterRxLowerPri' });
    return actions;
  }

  private lowerPrioGarp(nowUs: number): Action[] {
    const g = this.p.garp;
    if (g.lowerPrioRepeat <= 0) return [];
    this.timers.armLowerPrioBurst(nowUs);
    return [{ type: 'SendGarp', count: g.lowerPrioRepeat }];
  }

  // ---- the state-entry table: only these three functions (and onShutdown) change `state` ----

  /** RFC 3768 §6.4.1/§6.4.2; keepalived vrrp_state_master_tx() + vrrp_state_become_master(). */
  private enterMaster(nowUs: number): Action[] {
    const g = this.p.garp;
    // The advert goes first so the old master drops the VIPs before our ARPs (keepalived).
    const actions: Action[] = [...advertActions(this.effective), this.out.log('info', 'Entering MASTER STATE')];
    actions.push({ type: 'AddVips' });
    if (g.masterRepeat > 0) actions.push({ type: 'SendGarp', count: g.masterRepeat });
    this.current = 'MASTER';
    this.clearTimers();
    // Checklist D4: the second burst is sent (2.2.7 forgets it on the normal takeover path).
    this.timers.startMaster(nowUs);
    actions.push(countStat('became_master'), this.notify('MASTER'));
    return actions;
  }

  /** keepalived vrrp_state_leave_master() / vrrp_state_leave_fault() / vrrp_init_state(). */
  private enterBackup(nowUs: number, how: BackupEntry): Action[] {
    const from = this.current;
    const actions: Action[] = [this.out.log('info', how.init ? 'Entering BACKUP STATE (init)' : 'Entering BACKUP STATE')];
    if (from === 'MASTER') {
      if (how.stopAdvert) actions.push(...advertActions(0));
      actions.push({ type: 'RemoveVips' }, countStat('release_master'));
    }
    this.current = 'BACKUP';
    this.clearTimers();
    this.armDown(nowUs, how.down);
    actions.push(this.notify('BACKUP'));
    return actions;
  }

  /** keepalived down_instance() → vrrp_state_leave_master() / vrrp_state_leave_fault(). */
  /**
   * keepalived vrrp_state_leave_master(): a MASTER going to FAULT tells the others with a
   * priority-0 advert; down_instance() (its own tracker or interface) also asks
   * vrrp_restore_interface() for a second one (advF), a member pulled by its sync group sends one.
   */
  private enterFault(init = false, stopAdverts: 1 | 2 = 1): Action[] {
    const from = this.current;
    const actions: Action[] = [this.out.log('info', init ? 'Entering FAULT STATE (init)' : 'Entering FAULT STATE')];
    if (from === 'MASTER') {
      for (let i = 0; i < stopAdverts; i++) actions.push(...advertActions(0));
      actions.push({ type: 'RemoveVips' }, countStat('release_master'));
    }
    this.current = 'FAULT';
    this.clearTimers();
    actions.push(this.notify('FAULT'));
    return actions;
  }

  // ---- helpers ----

  private startsAsMaster(): boolean {
    return this.p.basePriority === PRIORITY_OWNER && this.p.wantMaster;
  }

  private downIntervalUs(kind: DownKind): number {
    return kind === 'skew'
      ? skewTimeUs(this.effective)
      : masterDownIntervalUs(this.p.advertIntUs, this.effective, this.p.downTimerAdverts);
  }

  private armDown(nowUs: number, kind: DownKind): void {
    this.timers.armDown(nowUs, kind, this.downIntervalUs(kind));
  }

  private clearTimers(): void {
    this.timers.clear();
    this.heldWantMaster = false;
  }

  private notify(state: NotifyWord): Action {
    return notifyAction(state, this.effective);
  }
}
