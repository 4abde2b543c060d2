/**
 * What a valid received advert means, per state (RFC 3768 §6.4.2 and §6.4.3, with
 * keepalived 2.2.7's vrrp_state_backup() / vrrp_state_master_rx() deviations).
 *
 * Owns: the classification only ("accept", "discard", "yield", ...). The instance
 * (instance.ts) turns a verdict into timers and actions. Pure functions, no state.
 */
import { PRIORITY_OWNER } from './constants';
import { ipv4ToNumber } from './ipv4';

/**
 * RFC 3768 §6.4.3: compare addresses as unsigned 32-bit numbers (RFC 9568 makes it
 * explicit; keepalived inet_inaddrcmp()). Something that is not a dotted quad counts as 0.
 */
export function compareIpv4(a: string, b: string): number {
  return Math.sign((ipv4ToNumber(a) ?? 0) - (ipv4ToNumber(b) ?? 0));
}

export type BackupVerdict =
  /** RFC 3768 §6.4.2: priority 0 → Master_Down_Timer = Skew_Time. */
  | { readonly kind: 'priority-zero' }
  /** RFC 3768 §6.4.2: reset Master_Down_Timer; `preempt` says what happens to preempt_delay. */
  | { readonly kind: 'accept'; readonly preempt: 'start' | 'stop' | 'keep' }
  /** RFC 3768 §6.4.2 Preempt_Mode: lower priority, discarded, the timer keeps running. */
  | { readonly kind: 'discard-lower' };

export interface BackupInput {
  readonly priority: number;
  readonly effective: number;
  readonly nopreempt: boolean;
  readonly preemptDelayUs: number;
  /** When the running preempt delay ends, or null if none is running. */
  readonly preemptAtUs: number | null;
  readonly nowUs: number;
}

/**
 * keepalived vrrp_state_backup(): accept if nopreempt, or priority ≥ ours, or a
 * preempt_delay is configured and has not run out yet (it starts at the first lower advert).
 */
export function classifyBackupAdvert(i: BackupInput): BackupVerdict {
  if (i.priority === 0) return PRIORITY_ZERO;
  const delaying = i.preemptDelayUs > 0 && (i.preemptAtUs === null || i.preemptAtUs > i.nowUs);
  if (!(i.nopreempt || i.priority >= i.effective || delaying)) return DISCARD_LOWER;
  if (i.preemptDelayUs === 0) return ACCEPT_KEEP;
  if (i.priority >= i.effective) return i.preemptAtUs === null ? ACCEPT_KEEP : ACCEPT_STOP;
  return i.preemptAtUs === null ? ACCEPT_START : ACCEPT_KEEP;
}

/** The verdicts are plain data: shared, so a BACKUP's thousand adverts a second allocate none. */
const PRIORITY_ZERO: BackupVerdict = Object.freeze({ kind: 'priority-zero' });
const DISCARD_LOWER: BackupVerdict = Object.freeze({ kind: 'discard-lower' });
const ACCEPT_KEEP: BackupVerdict = Object.freeze({ kind: 'accept', preempt: 'keep' });
const ACCEPT_STOP: BackupVerdict = Object.freeze({ kind: 'accept', preempt: 'stop' });
const ACCEPT_START: BackupVerdict = Object.freeze({ kind: 'accept', preempt: 'start' });

export type MasterVerdict =
  /** RFC 3768 §6.4.3: send an advert at once, reset the Adver_Timer. */
  | { readonly kind: 'priority-zero' }
  /** keepalived: equal priority from our own address, only a warning. */
  | { readonly kind: 'own-address' }
  /** RFC 3768 §6.4.3 discard; keepalived answers it (checklist D2). */
  | { readonly kind: 'lower' }
  /** RFC 3768 §6.4.3: go to Backup. */
  | {
      readonly kind: 'higher';
      readonly reason: 'priority' | 'address';
      /** keepalived higher_prio_send_advert: one advert at our priority before yielding. */
      readonly advertFirst: boolean;
      /** keepalived 2.2.7: both sides are owners (255) → drop our priority to 254 first. */
      readonly ownerConflict: boolean;
    };

export interface MasterInput {
  readonly priority: number;
  readonly effective: number;
  /** compareIpv4(sender, our source address). */
  readonly addrCmp: number;
  readonly higherPrioSendAdvert: boolean;
}

/** keepalived vrrp_state_master_rx() (2.2.7), order of its tests kept. */
export function classifyMasterAdvert(i: MasterInput): MasterVerdict {
  const p = i.priority;
  if (p === 0) return { kind: 'priority-zero' };
  const equal = p === i.effective;
  if (equal && i.addrCmp === 0) return { kind: 'own-address' };
  const higher = p > i.effective || (equal && i.addrCmp > 0);
  const advertFirst = higher && i.higherPrioSendAdvert;
  if (equal && p === PRIORITY_OWNER) {
    // After the drop to 254 the 255 advert is simply a higher priority one.
    return { kind: 'higher', reason: 'priority', advertFirst, ownerConflict: true };
  }
  if (!higher) return { kind: 'lower' };
  return { kind: 'higher', reason: p > i.effective ? 'priority' : 'address', advertFirst, ownerConflict: false };
}
