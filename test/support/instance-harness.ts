/**
 * Helpers for the pure-core tests: the lab instance on node B (priority 100, source
 * 10.77.0.2) as the runtime would map it, instances brought to a known state with a fake
 * clock (plain µs numbers), and compact views of the actions so tests can assert exact order.
 */
import { VrrpInstance } from '../../src/protocol/instance';
import type { Action, InstanceParams } from '../../src/protocol/types';
import { labInstanceParams } from './lab';

export const SEC = 1_000_000;
/** RFC 3768 §6.1 at priority 100, advert_int 1: Skew_Time and Master_Down_Interval. */
export const SKEW_100 = 609_375;
export const MDI_100 = 3_609_375;

/** The lab instance (node B, priority 100), as the runtime would map it. */
export function labParams(overrides: Partial<InstanceParams> = {}): InstanceParams {
  return labInstanceParams(overrides);
}

/** The protocol actions, without Log and CountStat, as short strings: "SendAdvert(100)". */
export function core(actions: readonly Action[]): string[] {
  return actions.flatMap((a): string[] => {
    switch (a.type) {
      case 'SendAdvert':
        return [`SendAdvert(${a.priority})`];
      case 'SendGarp':
        return [`SendGarp(${a.count})`];
      case 'Notify':
        return [`Notify(${a.state},${a.priority})`];
      case 'Log':
      case 'CountStat':
        return [];
      default:
        return [a.type];
    }
  });
}

export function logs(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.type === 'Log' ? [a.message] : []));
}

export function stats(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.type === 'CountStat' ? [a.counter] : []));
}

/** An instance after Startup at `nowUs` (BACKUP unless an owner with wantMaster). */
export function started(overrides: Partial<InstanceParams> = {}, nowUs = 0): VrrpInstance {
  const inst = new VrrpInstance(labParams(overrides));
  inst.handle({ type: 'Startup' }, nowUs);
  return inst;
}

/** An instance that became MASTER by its Master_Down_Timer; returns it and the takeover time. */
export function master(overrides: Partial<InstanceParams> = {}): { inst: VrrpInstance; atUs: number } {
  const inst = started(overrides);
  const atUs = inst.nextDeadlineUs();
  if (atUs === null) throw new Error('no Master_Down_Timer after Startup');
  inst.handle({ type: 'DeadlineReached' }, atUs);
  if (inst.state !== 'MASTER') throw new Error(`expected MASTER, got ${inst.state}`);
  return { inst, atUs };
}
