/**
 * A hostile third host for the packet-flood fault test and bench (issue 11 "Packet flood"):
 * IP protocol 112 at a steady rate, every packet one that a VRRPv2 instance must discard, drawn
 * at random (seeded) from these kinds:
 *
 *   random      random octets, 0–120 of them (half carry the instance's VRID in octet 1)
 *   truncated   a good advert for the VRID, cut short by 1 to length−1 octets
 *   oversized   a good advert with junk after it, up to the 1 500-octet MTU (checksum over all)
 *   badsum      a good advert with its checksum wrong
 *   badauth     checksum good, the wrong PASS password
 *   vrid        good adverts for VRIDs that are not the instance's
 *   ttl64       a good advert sent with TTL 64 (RFC 3768 §7.1: TTL must be 255)
 *   v3          a good advert with version 3 in its first nibble (checksum recomputed)
 *
 * and a quarter of them (any kind) unicast to the MASTER instead of to 224.0.0.18. The
 * adverts claim priority 254, above both real routers: a flaw in a discard check would show as
 * a MASTER change. Run inside the attacking namespace (a process cannot move a running Node):
 *
 *   ip netns exec NS node dist/test/integration/flooder.js -i eth0 --src 10.66.0.3 \
 *     --unicast 10.66.0.1 --vrid 66 --vip 10.66.0.100 --auth s3cr3t --pps 1000 --seconds 30 --seed N
 *
 * Paced by the clock, not by a timer per packet: every 5 ms it sends what the rate owes by then.
 * A send the kernel refuses (ENOBUFS, EAGAIN) is counted, not retried. On exit prints one JSON
 * line: packets sent by kind, refused sends, and the achieved rate. Not a test.
 */
import { parseArgs } from 'node:util';
import { VRRP_MCAST_GROUP } from '../../src/protocol/constants';
import { RawVrrpSocketFactory } from '../../src/io/vrrp-socket';
import { makeRng } from '../support/lab';
import { forgeMessage, type InjectOptions } from './injector';

export const FLOOD_KINDS = ['random', 'truncated', 'oversized', 'badsum', 'badauth', 'vrid', 'ttl64', 'v3'] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

export interface FloodTarget {
  readonly vrid: number;
  readonly vip: string;
  readonly password: string;
}

export interface FloodPacket {
  readonly kind: FloodKind;
  readonly message: Uint8Array;
  readonly ttl: number;
}

/** The largest VRRP message that fits a 1 500-octet MTU behind a 20-octet IPv4 header. */
const MAX_MESSAGE_LEN = 1_480;

/** One packet of `kind` for `target`, drawn with `rng`. */
export function floodPacket(kind: FloodKind, target: FloodTarget, rng: () => number): FloodPacket {
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const good = (over: Partial<InjectOptions> = {}): Uint8Array =>
    forgeMessage({
      vrid: target.vrid,
      prio: 254,
      authType: 1,
      auth: target.password,
      addrs: [target.vip],
      version: 2,
      type: 1,
      badChecksum: false,
      truncate: 0,
      count: null,
      adver: 1,
      ...over,
    });
  switch (kind) {
    case 'random': {
      const bytes = new Uint8Array(int(0, 120));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(0, 255);
      if (bytes.length > 1 && rng() < 0.5) bytes[1] = target.vrid;
      return { kind, message: bytes, ttl: 255 };
    }
    case 'truncated': {
      const whole = good();
      return { kind, message: whole.slice(0, int(1, whole.length - 1)), ttl: 255 };
    }
    case 'oversized': {
      const head = good();
      const out = new Uint8Array(int(head.length + 1, MAX_MESSAGE_LEN));
      out.set(head);
      for (let i = head.length; i < out.length; i++) out[i] = int(0, 255);
      // The checksum over every octet sent, so only the length is wrong.
      out[6] = 0;
      out[7] = 0;
      let sum = 0;
      for (let i = 0; i < out.length; i += 2) sum += ((out[i] as number) << 8) | (out[i + 1] ?? 0);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      const ck = ~sum & 0xffff;
      out[6] = ck >> 8;
      out[7] = ck & 0xff;
      return { kind, message: out, ttl: 255 };
    }
    case 'badsum':
      return { kind, message: good({ badChecksum: true }), ttl: 255 };
    case 'badauth':
      return { kind, message: good({ auth: `${target.password}x` }), ttl: 255 };
    case 'vrid': {
      let vrid = int(1, 255);
      if (vrid === target.vrid) vrid = (vrid % 255) + 1;
      return { kind, message: good({ vrid }), ttl: 255 };
    }
    case 'ttl64':
      return { kind, message: good(), ttl: 64 };
    case 'v3':
      return { kind, message: good({ version: 3 }), ttl: 255 };
  }
}

/** What a flood is: who sends, whom it targets, how fast, how long. */
export interface FloodSpec {
  readonly iface: string;
  readonly src: string;
  /** The MASTER's address: a quarter of the packets go there. */
  readonly unicast: string;
  readonly target: FloodTarget;
  readonly pps: number;
  readonly seconds: number;
  readonly seed: number;
}

/** The flooder's command line (after `node`): this file compiled, with `spec` as options. */
export function flooderArgs(spec: FloodSpec): string[] {
  return [
    __filename.replace(/\.ts$/, '.js'),
    ...['-i', spec.iface, '--src', spec.src, '--unicast', spec.unicast],
    ...['--vrid', String(spec.target.vrid), '--vip', spec.target.vip, '--auth', spec.target.password],
    ...['--pps', String(spec.pps), '--seconds', String(spec.seconds), '--seed', String(spec.seed)],
  ];
}

/** The flooder's last output line, or null if it printed none that parses. */
export function floodSummary(output: string): { readonly sent: number; readonly pps: number; readonly refused: Readonly<Record<string, number>> } | null {
  try {
    const j = JSON.parse(output.trim().split('\n').pop() ?? '') as { sent?: unknown; pps?: unknown; refused?: unknown };
    if (typeof j.sent !== 'number' || typeof j.pps !== 'number') return null;
    return { sent: j.sent, pps: j.pps, refused: (j.refused ?? {}) as Record<string, number> };
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      interface: { type: 'string', short: 'i', default: 'eth0' },
      src: { type: 'string' },
      unicast: { type: 'string' },
      vrid: { type: 'string', default: '51' },
      vip: { type: 'string', default: '10.77.0.100' },
      auth: { type: 'string', default: 's3cr3t' },
      pps: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '30' },
      seed: { type: 'string', default: '1' },
    },
    strict: true,
  });
  if (values.src === undefined || values.unicast === undefined) throw new RangeError('--src and --unicast are required');
  const pps = Number(values.pps);
  const seconds = Number(values.seconds);
  const vrid = Number(values.vrid);
  if (!(pps > 0) || !(seconds > 0) || !Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new RangeError('--pps, --seconds and --vrid must be positive numbers (VRID 1–255)');
  const rng = makeRng(Number(values.seed) >>> 0);
  const target: FloodTarget = { vrid, vip: values.vip, password: values.auth };
  const sock = await new RawVrrpSocketFactory().open(values.interface, { ownAddresses: [] });
  const sentByKind: Record<string, number> = Object.fromEntries(FLOOD_KINDS.map((k) => [k, 0]));
  const refused: Record<string, number> = {};
  let sent = 0;
  let unicast = 0;
  const startMs = Date.now();
  const endMs = startMs + seconds * 1000;
  try {
    for (let now = Date.now(); now < endMs; now = Date.now()) {
      const owed = Math.floor(((now - startMs) * pps) / 1000);
      while (sent < owed) {
        const p = floodPacket(FLOOD_KINDS[Math.floor(rng() * FLOOD_KINDS.length)] as FloodKind, target, rng);
        const toMaster = rng() < 0.25;
        sent += 1;
        sentByKind[p.kind] = (sentByKind[p.kind] ?? 0) + 1;
        if (toMaster) unicast += 1;
        void Promise.resolve(sock.send(p.message, values.src, toMaster ? values.unicast : VRRP_MCAST_GROUP, p.ttl)).catch((e: unknown) => {
          const code = (e as { code?: string }).code ?? 'error';
          refused[code] = (refused[code] ?? 0) + 1;
        });
      }
      await sleep(5);
    }
    await sleep(50); // let the queued sends complete
  } finally {
    sock.close();
  }
  const elapsedS = (Date.now() - startMs) / 1000;
  console.log(JSON.stringify({ sent, unicast, sentByKind, refused, pps: Math.round(sent / elapsedS) }));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`flooder: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
