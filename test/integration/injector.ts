/**
 * Forged VRRPv2 advert injector for the black-box tests (checklist §2.0 "Injector", section
 * B matrix T01..T19). Run inside a namespace, since a process cannot change the network
 * namespace of a running Node:
 *
 *   ip netns exec NS node dist/test/integration/injector.js -i eth0 --src 10.77.0.60 \
 *     --vrid 51 --prio 200 --auth-type 1 --auth s3cr3t --addr 10.77.0.100 \
 *     [--ttl N] [--version N] [--type N] [--bad-checksum] [--truncate N] [--count N]
 *     [--adver N] [--dst IP] [--proto N] [--repeat N --interval S] [--at EPOCH]
 *
 * The message is built by the daemon's own encoder (encodeAdvert) and then given exactly the
 * defects asked for: version/type nibbles and Count (checksum recomputed, so each is the only
 * defect), truncation by N trailing octets, checksum XOR 0x5a5a. Protocol 112 goes out through
 * RawVrrpSocketFactory (IP_HDRINCL: any source, any TTL); any other protocol through a raw
 * IPPROTO_RAW socket with buildIpv4Packet(). `--at` sends the first packet at a wall-clock time
 * (epoch seconds), so a test can place it at a chosen phase of the DUT's advert schedule
 * whatever Node's start-up time. Prints one JSON line per packet sent. Not a test.
 */
import * as fs from 'node:fs';
import { endianness } from 'node:os';
import { parseArgs } from 'node:util';
import { encodeAdvert, setChecksum } from '../../src/protocol/advert';
import { IPPROTO_VRRP, VRRP_MCAST_GROUP } from '../../src/protocol/constants';
import type { AuthType } from '../../src/protocol/types';
import { buildIpv4Packet } from '../../src/io/ipv4-header';
import { RawVrrpSocketFactory, type RawSocketModule } from '../../src/io/vrrp-socket';

const USAGE = 'usage: injector.js [-i IF] --src IP [--dst IP] [--vrid N] [--prio N] [--auth-type N] [--auth PASS] [--addr IP]... [--ttl N] [--version N] [--type N] [--bad-checksum] [--truncate N] [--count N] [--adver N] [--proto N] [--repeat N] [--interval S] [--at EPOCH_SECONDS]';

export interface InjectOptions {
  readonly vrid: number;
  readonly prio: number;
  readonly authType: number;
  readonly auth: string;
  readonly addrs: readonly string[];
  readonly version: number;
  readonly type: number;
  readonly badChecksum: boolean;
  readonly truncate: number;
  readonly count: number | null;
  readonly adver: number;
}

/** The VRRP message (IP payload) with the requested defects. */
export function forgeMessage(o: InjectOptions): Uint8Array {
  if (o.authType !== 0 && o.authType !== 1 && o.authType !== 2) throw new RangeError(`--auth-type must be 0, 1 or 2`);
  const msg = encodeAdvert({
    vrid: o.vrid,
    priority: o.prio,
    adverIntSec: o.adver,
    addresses: o.addrs,
    authType: o.authType as AuthType,
    password: new TextEncoder().encode(o.auth),
  });
  msg[0] = ((o.version & 15) << 4) | (o.type & 15);
  if (o.count !== null) msg[3] = o.count & 255;
  setChecksum(msg);
  const out = o.truncate > 0 ? msg.slice(0, Math.max(0, msg.length - o.truncate)) : msg;
  if (o.badChecksum && out.length >= 8) {
    out[6] = (out[6] as number) ^ 0x5a;
    out[7] = (out[7] as number) ^ 0x5a;
  }
  return out;
}

const SOL_SOCKET = 1;
const SO_BINDTODEVICE = 25;
const IPPROTO_IP = 0;
const IP_MULTICAST_IF = 32;
const IPPROTO_RAW = 255;

/** A non-VRRP IP protocol (T19): an IPPROTO_RAW socket (implies IP_HDRINCL) bound to `ifname`. */
function sendOtherProtocol(ifname: string, packet: Uint8Array, dst: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const raw = require('raw-socket') as RawSocketModule;
  const sock = raw.createSocket({ protocol: IPPROTO_RAW });
  sock.on('error', () => undefined);
  const name = Buffer.from(`${ifname}\0`, 'latin1');
  sock.setOption(SOL_SOCKET, SO_BINDTODEVICE, name, name.length);
  const ifindex = Number(fs.readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim());
  const mreqn = Buffer.alloc(12);
  if (endianness() === 'LE') mreqn.writeInt32LE(ifindex, 8);
  else mreqn.writeInt32BE(ifindex, 8);
  sock.setOption(IPPROTO_IP, IP_MULTICAST_IF, mreqn, mreqn.length);
  const b = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  return new Promise<void>((resolve, reject) => {
    sock.send(b, 0, b.length, dst, null, (error) => {
      sock.close();
      if (error) reject(error);
      else resolve();
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      interface: { type: 'string', short: 'i', default: 'eth0' },
      src: { type: 'string' },
      dst: { type: 'string', default: VRRP_MCAST_GROUP },
      vrid: { type: 'string', default: '51' },
      prio: { type: 'string', default: '100' },
      'auth-type': { type: 'string', default: '1' },
      auth: { type: 'string', default: '' },
      addr: { type: 'string', multiple: true },
      ttl: { type: 'string', default: '255' },
      version: { type: 'string', default: '2' },
      type: { type: 'string', default: '1' },
      'bad-checksum': { type: 'boolean', default: false },
      truncate: { type: 'string', default: '0' },
      count: { type: 'string' },
      adver: { type: 'string', default: '1' },
      proto: { type: 'string', default: String(IPPROTO_VRRP) },
      repeat: { type: 'string', default: '1' },
      interval: { type: 'string', default: '1' },
      at: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || values.src === undefined) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const int = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    return n;
  };
  const message = forgeMessage({
    vrid: int('vrid', values.vrid),
    prio: int('prio', values.prio),
    authType: int('auth-type', values['auth-type']),
    auth: values.auth,
    addrs: values.addr ?? ['10.77.0.100'],
    version: int('version', values.version),
    type: int('type', values.type),
    badChecksum: values['bad-checksum'],
    truncate: int('truncate', values.truncate),
    count: values.count === undefined ? null : int('count', values.count),
    adver: int('adver', values.adver),
  });
  const ttl = int('ttl', values.ttl);
  const proto = int('proto', values.proto);
  const repeat = int('repeat', values.repeat);
  const intervalMs = Number(values.interval) * 1000;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError('--interval must be a number of seconds');
  const { src, dst } = values;
  const ifname = values.interface;

  const sock = proto === IPPROTO_VRRP ? await new RawVrrpSocketFactory().open(ifname, { ownAddresses: [] }) : null;
  const packet = buildIpv4Packet({ src, dst, ttl, protocol: proto }, message);
  if (values.at !== undefined) {
    const at = Number(values.at);
    if (!Number.isFinite(at)) throw new RangeError('--at must be epoch seconds');
    await sleep(Math.max(0, at * 1000 - Date.now()));
  }
  try {
    for (let i = 0; i < repeat; i++) {
      if (i > 0) await sleep(intervalMs);
      if (sock !== null) await sock.send(message, src, dst, ttl);
      else await sendOtherProtocol(ifname, packet, dst);
      console.log(JSON.stringify({ sent: i + 1, at: Date.now() / 1000, src, dst, ttl, proto, hex: Buffer.from(message).toString('hex') }));
    }
  } finally {
    sock?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`injector: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
