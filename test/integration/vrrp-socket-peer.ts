/**
 * A child process for test/integration/vrrp-socket.test.ts: started with
 * `ip netns exec <ns> node vrrp-socket-peer.js` (a process cannot change the network
 * namespace of a running Node), it opens RawVrrpSocketFactory sockets in that namespace and
 * is driven over the Node IPC channel: requests {id, op, ...} get replies {id, ok, ...};
 * received packets are pushed as {ev: 'packet', sock, ...}. Not a test file itself.
 */
import { RawVrrpSocketFactory } from '../../src/io/vrrp-socket';
import { TsvrrpdIoError } from '../../src/io/errors';
import type { VrrpSocket } from '../../src/io/ports';

export type PeerRequest =
  | { readonly id: number; readonly op: 'open'; readonly ifname: string; readonly own: readonly string[] }
  | { readonly id: number; readonly op: 'send'; readonly sock: number; readonly hex: string; readonly src: string; readonly dst: string; readonly ttl?: number }
  | { readonly id: number; readonly op: 'close'; readonly sock: number }
  /** Reply, then after `afterMs` keep the event loop busy for `ms` (a stalled daemon). */
  | { readonly id: number; readonly op: 'block'; readonly afterMs: number; readonly ms: number };

export type PeerMessage =
  | { readonly id: number; readonly ok: true; readonly sock?: number; readonly warnings?: readonly string[] }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly code: string; readonly message: string }
  | {
      readonly ev: 'packet';
      readonly sock: number;
      readonly hex: string;
      readonly srcIp: string;
      readonly dstIp: string;
      readonly ttl: number;
      readonly ipTotalLength: number;
      readonly ipHeaderLength: number;
      /** How long before the listener ran the kernel received it (0: unknown). */
      readonly rxAgeUs: number;
    };

const sockets = new Map<number, VrrpSocket>();
let next = 1;

function post(m: PeerMessage): void {
  process.send?.(m);
}

async function handle(req: PeerRequest): Promise<void> {
  if (req.op === 'open') {
    const warnings: string[] = [];
    const factory = new RawVrrpSocketFactory({ onWarning: (m) => warnings.push(m) });
    const s = await factory.open(req.ifname, { ownAddresses: req.own });
    const n = next++;
    sockets.set(n, s);
    s.onPacket((p, rxAgeUs) =>
      post({ ev: 'packet', sock: n, hex: Buffer.from(p.payload).toString('hex'), srcIp: p.srcIp, dstIp: p.dstIp, ttl: p.ttl, ipTotalLength: p.ipTotalLength, ipHeaderLength: p.ipHeaderLength, rxAgeUs }),
    );
    post({ id: req.id, ok: true, sock: n, warnings });
  } else if (req.op === 'send') {
    const s = sockets.get(req.sock);
    if (s === undefined) throw new Error(`no socket ${req.sock}`);
    await s.send(Uint8Array.from(Buffer.from(req.hex, 'hex')), req.src, req.dst, req.ttl);
    post({ id: req.id, ok: true });
  } else if (req.op === 'block') {
    post({ id: req.id, ok: true });
    setTimeout(() => {
      const end = performance.now() + req.ms;
      while (performance.now() < end) {
        // busy: nothing is read from any socket meanwhile
      }
    }, req.afterMs);
  } else {
    sockets.get(req.sock)?.close();
    sockets.delete(req.sock);
    post({ id: req.id, ok: true });
  }
}

process.on('message', (req: PeerRequest) => {
  handle(req).catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ id: req.id, ok: false, name: err.name, code: e instanceof TsvrrpdIoError ? e.code : '', message: err.message });
  });
});
process.on('disconnect', () => {
  for (const s of sockets.values()) s.close();
  process.exit(0);
});
