/**
 * The numbers of VRRPv2 on IPv4 (RFC 3768 §5, §7.3) and of the frames around it (Ethernet,
 * ARP). Owns only constants and tiny constructors of fixed byte strings; no parsing, no I/O.
 * Byte strings are returned fresh from functions so no caller can mutate a shared constant.
 */

/** RFC 3768 §5.2.4: IP protocol number assigned to VRRP. */
export const IPPROTO_VRRP = 112;
/** RFC 3768 §5.2.2: the IPv4 multicast group adverts are sent to. */
export const VRRP_MCAST_GROUP = '224.0.0.18';
/** RFC 3768 §5.2.3: adverts are sent, and MUST be received, with TTL 255. */
export const VRRP_TTL = 255;
/** keepalived: vrrp_build_ip4() sets TOS 0xC0 (DSCP CS6, internetwork control). */
export const VRRP_TOS = 0xc0;
/** RFC 3768 §5.3.1. */
export const VRRP_VERSION = 2;
/** RFC 3768 §5.3.2: the only packet type. */
export const VRRP_TYPE_ADVERTISEMENT = 1;

/** RFC 3768 §5.3.6; 1 and 2 are RFC 2338's PASS and AH, kept for keepalived interop. */
export const AUTH_TYPE_NONE = 0;
export const AUTH_TYPE_PASS = 1;
export const AUTH_TYPE_AH = 2;

/** RFC 3768 §5.1: version/type, VRID, priority, count, auth type, adver int, checksum. */
export const VRRP_HEADER_LEN = 8;
/** RFC 3768 §5.3.10: the authentication data that ends every v2 message. */
export const VRRP_AUTH_LEN = 8;
export const IPV4_ADDR_LEN = 4;
/** RFC 3768 §5.3.5: Count IP Addrs is one octet. */
export const VRRP_MAX_ADDRS = 255;
/** IPv4 header without options (what we send; RFC 3768 §5.2). */
export const IPV4_HEADER_LEN = 20;

/** RFC 3768 §5.3.4 priorities. */
export const PRIORITY_OWNER = 255;
export const PRIORITY_STOP = 0;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERNET_HEADER_LEN = 14;
/** Smallest Ethernet frame without FCS; shorter frames are padded (the padding we tolerate). */
export const ETHERNET_MIN_FRAME_LEN = 60;
export const MAC_LEN = 6;

/** The length of a VRRPv2 message carrying `count` IPv4 addresses (RFC 3768 §5.1). */
export function advertLength(count: number): number {
  return VRRP_HEADER_LEN + count * IPV4_ADDR_LEN + VRRP_AUTH_LEN;
}

/** RFC 3768 §7.3: the virtual router MAC 00-00-5E-00-01-{VRID}. */
export function virtualRouterMac(vrid: number): Uint8Array {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) {
    throw new RangeError(`VRID must be an integer 1..255, got ${vrid}`);
  }
  return Uint8Array.of(0x00, 0x00, 0x5e, 0x00, 0x01, vrid);
}

/** 224.0.0.18 mapped to Ethernet (RFC 1112 §6.4): 01-00-5E-00-00-12. */
export function vrrpMulticastMac(): Uint8Array {
  return Uint8Array.of(0x01, 0x00, 0x5e, 0x00, 0x00, 0x12);
}

export function broadcastMac(): Uint8Array {
  return Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
}
