/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones' complement sum
 * of the data taken as big-endian 16-bit words, an odd last octet padded with zero. VRRPv2
 * uses it over the whole message, auth data included, with no pseudo-header (RFC 3768
 * §5.3.8); the IPv4 header uses it too. Pure arithmetic on Uint8Array; no Buffer.
 */

/** The folded (end-around carry) 16-bit ones' complement sum, not complemented. */
export function onesComplementSum(data: Uint8Array, initial = 0): number {
  let sum = initial;
  const even = data.length & ~1;
  for (let i = 0; i < even; i += 2) {
    sum += ((data[i] as number) << 8) | (data[i + 1] as number);
  }
  if (even !== data.length) sum += (data[even] as number) << 8;
  // Fold the carries back in (RFC 1071 §4.1); twice is enough for < 2^16 words.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * RFC 1071 checksum of `data`. To fill a checksum field, compute it with the field zeroed;
 * to verify, compute it over the data with the field in place: 0 means correct.
 */
export function internetChecksum(data: Uint8Array): number {
  return ~onesComplementSum(data) & 0xffff;
}
