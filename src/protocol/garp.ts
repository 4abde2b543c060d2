/**
 * The gratuitous ARP frame a new MASTER broadcasts for each VIP (RFC 3768 §6.4.1/§6.4.2 MUST;
 * keepalived vrrp_arp.c send_gratuitous_arp_immediate(), reference B12, checklist §6.3):
 * an Ethernet broadcast ARP *request* whose sender and target protocol addresses are both the
 * VIP and whose target hardware address is ff:ff:ff:ff:ff:ff. The sender MAC is whatever the
 * caller passes: the interface's physical MAC by default (keepalived, checklist D1), or the
 * virtual router MAC with use_vmac. Builds bytes only; sending is the adapter's job.
 */
import { ETHERNET_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, MAC_LEN, broadcastMac } from './constants';
import { ipv4Octets } from './ipv4';

/** RFC 826 field values. */
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_OP_REQUEST = 1;
export const ARP_PACKET_LEN = 28;
/** 14 Ethernet + 28 ARP; the adapter or the NIC pads it to 60. */
export const GARP_FRAME_LEN = ETHERNET_HEADER_LEN + ARP_PACKET_LEN;

/** One gratuitous ARP frame (42 octets, no FCS) announcing `vip` at `interfaceMac`. */
export function buildGarpFrame(interfaceMac: Uint8Array, vip: string): Uint8Array {
  if (interfaceMac.length !== MAC_LEN) {
    throw new RangeError(`interface MAC must be ${MAC_LEN} octets, got ${interfaceMac.length}`);
  }
  const ip = ipv4Octets(vip);
  const frame = new Uint8Array(GARP_FRAME_LEN);
  const view = new DataView(frame.buffer);
  // Ethernet: broadcast, from the interface, carrying ARP.
  frame.set(broadcastMac(), 0);
  frame.set(interfaceMac, 6);
  view.setUint16(12, ETHERTYPE_ARP);
  // ARP (RFC 826): Ethernet/IPv4 request, sender = target = VIP, target hw = broadcast.
  const arp = ETHERNET_HEADER_LEN;
  view.setUint16(arp, ARP_HTYPE_ETHERNET);
  view.setUint16(arp + 2, ETHERTYPE_IPV4);
  frame[arp + 4] = MAC_LEN;
  frame[arp + 5] = 4;
  view.setUint16(arp + 6, ARP_OP_REQUEST);
  frame.set(interfaceMac, arp + 8);
  frame.set(ip, arp + 14);
  frame.set(broadcastMac(), arp + 18);
  frame.set(ip, arp + 24);
  return frame;
}
