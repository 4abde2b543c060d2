/**
 * Maps the keepalived-shaped Config onto the core's own parameter types (ARCHITECTURE §3:
 * keepalived spelling stops at config/). Pure; the source address is looked up by the caller.
 */
import type { VrrpInstance as ConfigInstance } from '../config/model';
import type { InstanceParams } from '../protocol/types';

const US_PER_SEC = 1_000_000;

/** The address adverts are sent from: configured unicast/mcast source, else the interface's primary. */
export function configuredSourceIp(inst: ConfigInstance): string | null {
  return inst.unicastSrcIp ?? inst.mcastSrcIp;
}

export function toInstanceParams(inst: ConfigInstance, sourceIp: string, startupDelayUs = 0): InstanceParams {
  return {
    name: inst.name,
    vrid: inst.vrid,
    basePriority: inst.priority,
    advertIntUs: inst.advertIntUs,
    wantMaster: inst.state === 'MASTER',
    auth: inst.auth !== null && inst.auth.type === 'PASS' ? { type: 'PASS', password: new TextEncoder().encode(inst.auth.password) } : null,
    vips: inst.virtualIpaddress.filter((v) => v.family === 4).map((v) => v.address),
    sourceIp,
    unicastPeers: inst.unicastPeers.map((p) => p.address),
    checkUnicastSrc: inst.checkUnicastSrc,
    nopreempt: inst.nopreempt,
    preemptDelayUs: inst.preemptDelayUs,
    lowerPrioNoAdvert: inst.lowerPrioNoAdvert,
    higherPrioSendAdvert: inst.higherPrioSendAdvert,
    skipCheckAdvAddr: inst.skipCheckAdvAddr,
    downTimerAdverts: inst.downTimerAdverts,
    startupDelayUs,
    garp: {
      masterRepeat: inst.garp.masterRepeat,
      masterDelayUs: inst.garp.masterDelaySec * US_PER_SEC,
      masterRefreshUs: inst.garp.masterRefreshSec * US_PER_SEC,
      masterRefreshRepeat: inst.garp.masterRefreshRepeat,
      lowerPrioRepeat: inst.garp.lowerPrioRepeat,
      lowerPrioDelayUs: inst.garp.lowerPrioDelaySec * US_PER_SEC,
    },
  };
}
