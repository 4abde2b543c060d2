/**
 * Receive validation of a VRRPv2 advert for one instance (RFC 3768 §7.1), in the order of
 * keepalived's vrrp_check_packet() (reference B1), with its log wording. Each failure is one
 * RejectReason with a verdict (KO = bad packet, DROP = not for us), a stats counter and the
 * log line; the caller counts it and logs it rate-limited. A bad peer is never an exception.
 *
 * Owns the checks only: not the VRID dispatch, not the state machine's use of the advert, not
 * the advert_rcvd / pri_zero_rcvd counters of accepted adverts (the instance counts those).
 *
 * Length model. The kernel trims a received IP packet to its IP Total Length, so octets past
 * it are link-layer (Ethernet) padding: we drop them first, then compare the rest exactly with
 * the length the header implies, as keepalived does (its expected_vrrp_pkt_len(): 8 + 4×Count,
 * plus 8 auth octets for version 2). A Total Length larger than what arrived is caught later,
 * at the ip_tot_len check, as in keepalived.
 *
 * Deliberate departures from keepalived 2.2.7, each marked at its branch:
 *  - VIP count or list mismatch is a note, the advert is accepted (RFC 9568, keepalived
 *    v2.3.3 commit 0a82ab55); 2.2.7 rejects it and so makes dual masters.
 *  - the unicast-source check runs whether or not the VIP list is checked (keepalived HEAD).
 *  - an advert interval mismatch counts advert_interval_err (RFC 2787
 *    vrrpStatsAdvertisementIntervalErrors); keepalived has the counter but never bumps it.
 *  - a foreign VRID is DROP with vrid_err; 2.2.7 filters it silently before the instance.
 *  - a multicast/unicast mismatch counts mcast_unicast_mismatch, not addr_list_err.
 */
import {
  AUTH_TYPE_AH,
  AUTH_TYPE_NONE,
  AUTH_TYPE_PASS,
  IPV4_ADDR_LEN,
  VRRP_AUTH_LEN,
  VRRP_HEADER_LEN,
  VRRP_TTL,
  VRRP_TYPE_ADVERTISEMENT,
  VRRP_VERSION,
} from './constants';
import { internetChecksum } from './checksum';
import { decodeAdvert } from './advert';
import { ipv4ToNumber, isIpv4Multicast } from './ipv4';
import type { Advert, InstanceParams, ReceivedPacket, RejectReason, StatCounter, Validation } from './types';

export interface ValidateOptions {
  /** The instance uses unicast peers (no TTL check, unicast destination expected). */
  readonly unicast: boolean;
  /** Compare the advert's VIP list with ours (keepalived check_vip_addr, vrrp_state_backup()). */
  readonly checkVipAddr: boolean;
}

type Rejection = Extract<Validation, { ok: false }>;
type Note = { readonly counter: StatCounter; readonly message: string };

interface Ctx {
  readonly packet: ReceivedPacket;
  readonly params: InstanceParams;
  readonly opts: ValidateOptions;
  /** The VRRP message with link-layer padding removed. */
  readonly msg: Uint8Array;
  readonly tag: string;
}

function reject(
  ctx: Ctx,
  reason: RejectReason,
  verdict: 'KO' | 'DROP',
  counter: StatCounter | null,
  text: string,
): Rejection {
  return { ok: false, reason, verdict, counter, message: `${ctx.tag} ${text}` };
}

/** The message octets that belong to the IP packet: payload minus trailing padding. */
function stripPadding(packet: ReceivedPacket): Uint8Array {
  const ipPayloadLen = Math.max(0, packet.ipTotalLength - packet.ipHeaderLength);
  return packet.payload.length > ipPayloadLen ? packet.payload.subarray(0, ipPayloadLen) : packet.payload;
}

/** keepalived expected_vrrp_pkt_len(): v2 carries 8 auth octets, other versions none. */
function expectedLength(msg: Uint8Array): number {
  const version = (msg[0] as number) >> 4;
  const auth = version === VRRP_VERSION ? VRRP_AUTH_LEN : 0;
  return VRRP_HEADER_LEN + (msg[3] as number) * IPV4_ADDR_LEN + auth;
}

/** §7.1 "MUST verify that the received packet contains the complete VRRP packet". */
function checkLength(ctx: Ctx): Rejection | null {
  const ihl = ctx.packet.ipHeaderLength;
  const got = ihl + ctx.msg.length;
  if (ctx.msg.length < VRRP_HEADER_LEN) {
    const min = ihl + VRRP_HEADER_LEN + VRRP_AUTH_LEN;
    return reject(ctx, 'too_short', 'KO', 'packet_len_err', `vrrp packet too short, length ${got} and expect ${min}`);
  }
  const want = ihl + expectedLength(ctx.msg);
  if (got < want) {
    return reject(ctx, 'too_short', 'KO', 'packet_len_err', `vrrp packet too short, length ${got} and expect ${want}`);
  }
  if (got > want) {
    return reject(ctx, 'length_mismatch', 'KO', 'packet_len_err', `vrrp packet too long, length ${got} and expect ${want}`);
  }
  return null;
}

/** §7.1 TTL MUST be 255; keepalived skips it for unicast instances (reference B9). */
function checkTtl(ctx: Ctx): Rejection | null {
  if (ctx.opts.unicast || ctx.packet.ttl === VRRP_TTL) return null;
  return reject(ctx, 'ttl', 'KO', 'ip_ttl_err', `invalid TTL/HL. Received ${ctx.packet.ttl} and expect ${VRRP_TTL}`);
}

/** §7.1 MUST verify the version. */
function checkVersion(ctx: Ctx): Rejection | null {
  const version = (ctx.msg[0] as number) >> 4;
  if (version === VRRP_VERSION) return null;
  return reject(ctx, 'version', 'KO', 'version_err', `wrong version. Received ${version} and expect ${VRRP_VERSION}`);
}

/** §7.1 auth type and method (RFC 2338 PASS for keepalived interop, checklist D7). */
function checkAuth(ctx: Ctx): Rejection | null {
  const authType = ctx.msg[4] as number;
  if (authType !== AUTH_TYPE_NONE && authType !== AUTH_TYPE_PASS && authType !== AUTH_TYPE_AH) {
    return reject(ctx, 'invalid_authtype', 'KO', 'invalid_authtype', `Invalid auth type: ${authType}`);
  }
  const auth = ctx.params.auth;
  const mine = auth === null ? AUTH_TYPE_NONE : AUTH_TYPE_PASS;
  if (authType !== mine) {
    return reject(ctx, 'authtype_mismatch', 'KO', 'authtype_mismatch', `received a ${authType} auth, expecting ${mine}!`);
  }
  if (auth === null) return null;
  // keepalived: all 8 octets compared, in constant time (memcmp_constant_time()).
  // The expected octets are the password zero-padded to 8 (passAuthData()), without allocating.
  const start = ctx.msg.length - VRRP_AUTH_LEN;
  let diff = 0;
  for (let i = 0; i < VRRP_AUTH_LEN; i++) diff |= (ctx.msg[start + i] as number) ^ (auth.password[i] ?? 0);
  if (diff === 0) return null;
  return reject(ctx, 'auth_failure', 'KO', 'auth_failure', 'received an invalid passwd!');
}

/** §7.1 Adver Int MUST equal ours, else discard; keepalived: DROP, not KO (prevents dual masters). */
function checkAdverInt(ctx: Ctx): Rejection | null {
  const rcvd = ctx.msg[5] as number;
  if (rcvd * 1_000_000 === ctx.params.advertIntUs) return null;
  const mine = Math.floor(ctx.params.advertIntUs / 1_000_000);
  return reject(
    ctx,
    'adver_int_mismatch',
    'DROP',
    'advert_interval_err',
    `advertisement interval mismatch mine=${mine} sec rcv'd=${rcvd} sec`,
  );
}

/** §5.3.2 an unknown type MUST be discarded. */
function checkType(ctx: Ctx): Rejection | null {
  const type = (ctx.msg[0] as number) & 0x0f;
  if (type === VRRP_TYPE_ADVERTISEMENT) return null;
  return reject(ctx, 'type', 'KO', 'invalid_type_rcvd', `Invalid packet type. ${type} and expect ${VRRP_TYPE_ADVERTISEMENT}`);
}

/** keepalived: the IP header's Total Length must match what was received. */
function checkIpTotalLength(ctx: Ctx): Rejection | null {
  const got = ctx.packet.ipHeaderLength + ctx.msg.length;
  if (ctx.packet.ipTotalLength === got) return null;
  return reject(
    ctx,
    'ip_total_length',
    'KO',
    'packet_len_err',
    `ip_tot_len mismatch against received length. ${ctx.packet.ipTotalLength} and received ${got}`,
  );
}

/** §7.1 MUST verify the checksum; §5.3.8 over the whole message, auth octets included. */
function checkChecksum(ctx: Ctx): Rejection | null {
  if (internetChecksum(ctx.msg) === 0) return null;
  return reject(ctx, 'checksum', 'KO', 'checksum_err', 'Invalid VRRPv2 checksum');
}

/** §7.1 MUST verify the VRID is configured (here: is this instance's). */
function checkVrid(ctx: Ctx): Rejection | null {
  const vrid = ctx.msg[1] as number;
  if (vrid === ctx.params.vrid) return null;
  // keepalived 2.2.7 filters foreign VRIDs in vrrp_dispatcher_read() without a word; the
  // wording is older keepalived's. The runtime should log this one at debug level.
  return reject(ctx, 'vrid', 'DROP', 'vrid_err', `received VRID mismatch. Received ${vrid}, Expected ${ctx.params.vrid}`);
}

/** keepalived: a multicast instance takes only multicast, a unicast one only unicast. */
function checkDestination(ctx: Ctx): Rejection | null {
  const multicast = isIpv4Multicast(ctx.packet.dstIp);
  if (multicast !== ctx.opts.unicast) return null;
  const [want, got] = ctx.opts.unicast ? ['un', 'mult'] : ['mult', 'un'];
  return reject(
    ctx,
    'mcast_unicast_mismatch',
    'KO',
    'mcast_unicast_mismatch',
    `Expected ${want}icast packet but received ${got}icast packet`,
  );
}

/** keepalived check_unicast_src: the source must be one of our unicast peers. */
function checkUnicastSource(ctx: Ctx): Rejection | null {
  if (!ctx.opts.unicast || !ctx.params.checkUnicastSrc) return null;
  const src = ipv4ToNumber(ctx.packet.srcIp);
  if (src !== null && ctx.params.unicastPeers.some((peer) => ipv4ToNumber(peer) === src)) return null;
  return reject(ctx, 'unicast_src', 'KO', 'unicast_src_err', `unicast source address ${ctx.packet.srcIp} not a unicast peer`);
}

/**
 * §7.1 MAY verify the address list. Accepted with a note (RFC 9568; keepalived v2.3.3): a
 * mismatch is a configuration problem to report, and rejecting it makes two masters.
 */
function vipNotes(ctx: Ctx, advert: Advert): Note[] {
  if (!ctx.opts.checkVipAddr) return [];
  const { vips, vrid } = ctx.params;
  if (advert.countIpAddrs !== vips.length) {
    const text = `received an invalid ip number count ${advert.countIpAddrs}, expected ${vips.length}!`;
    return [{ counter: 'addr_list_err', message: `${ctx.tag} ${text}` }];
  }
  const received = new Set(advert.addresses.map((a) => ipv4ToNumber(a)));
  const missing = vips.find((vip) => {
    const n = ipv4ToNumber(vip);
    return n === null || !received.has(n);
  });
  if (missing === undefined) return [];
  const text = `ip address associated with VRID ${vrid} not present in MASTER advert : ${missing}`;
  return [{ counter: 'addr_list_err', message: `${ctx.tag} ${text}` }];
}

/** keepalived vrrp_check_packet() order (reference B1); the first failure wins. */
const CHECKS: readonly ((ctx: Ctx) => Rejection | null)[] = [
  checkLength,
  checkTtl,
  checkVersion,
  checkAuth,
  checkAdverInt,
  checkType,
  checkIpTotalLength,
  checkChecksum,
  checkVrid,
  checkDestination,
  checkUnicastSource,
];

/**
 * Validate a received advert against one instance. `payload` may carry Ethernet padding past
 * the IP Total Length. Returns the decoded advert (with notes) or the first rejection.
 */
export function validateAdvert(packet: ReceivedPacket, params: InstanceParams, opts: ValidateOptions): Validation {
  const ctx: Ctx = { packet, params, opts, msg: stripPadding(packet), tag: `(${params.name})` };
  for (const check of CHECKS) {
    const rejection = check(ctx);
    if (rejection !== null) return rejection;
  }
  const decoded = decodeAdvert(ctx.msg);
  if (!decoded.ok) {
    // Unreachable after checkLength; kept so a future change cannot return a half advert.
    return reject(ctx, 'too_short', 'KO', 'packet_len_err', 'vrrp packet too short');
  }
  return { ok: true, advert: decoded.advert, notes: vipNotes(ctx, decoded.advert) };
}
