/**
 * The native addon (native/, ARCHITECTURE.md §2) loads, checks its arguments, and speaks
 * sd_notify(3): nothing without $NOTIFY_SOCKET, one datagram to a filesystem or an abstract
 * ('@') unix socket otherwise. The receiving end is a small python3 datagram socket, since
 * node:dgram has no AF_UNIX. Needs the built addon (npm install / scripts/setup.sh) but not
 * root; sending frames is proved in test/integration/garp.test.ts.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TsvrrpdIoError } from '../../../src/io/errors';
import { NATIVE_ADDON_PATH, NativeAddonError, isNativeSystemError, loadNative } from '../../../src/io/native';
import { notifyReady, notifyStatus, notifyStopping, sdNotify } from '../../../src/io/sd-notify';

const RECEIVER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
addr = sys.argv[1]
s.bind('\\0' + addr[1:] if addr.startswith('@') else addr)
s.settimeout(10)
print('ready', flush=True)
for _ in range(int(sys.argv[2])):
    print(json.dumps(s.recv(4096).decode()), flush=True)
`;

/** A unix datagram receiver at `address` that prints the first `count` messages and exits. */
async function receiver(address: string, count: number): Promise<{ child: ChildProcess; messages: Promise<string[]> }> {
  const child = spawn('python3', ['-c', RECEIVER, address, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`receiver exited ${code} before ready: ${err}`)));
  });
  const messages = exited.then((code) => {
    assert.equal(code, 0, `receiver failed: ${err}`);
    return out.split('\n').slice(1).filter((l) => l.length > 0).map((l) => JSON.parse(l) as string);
  });
  return { child, messages };
}

const savedNotifySocket = process.env['NOTIFY_SOCKET'];
afterEach(() => {
  if (savedNotifySocket === undefined) delete process.env['NOTIFY_SOCKET'];
  else process.env['NOTIFY_SOCKET'] = savedNotifySocket;
});

test('the addon is built and loads with all its exports', () => {
  assert.ok(fs.existsSync(NATIVE_ADDON_PATH), `${NATIVE_ADDON_PATH} missing: run npm install`);
  const addon = loadNative();
  assert.equal(typeof addon.sendFrame, 'function');
  assert.equal(typeof addon.sdNotify, 'function');
  assert.equal(typeof addon.findRawSocket, 'function');
  assert.equal(typeof addon.rxAgeNs, 'function');
  assert.equal(typeof addon.watchSignals, 'function');
  assert.equal(typeof addon.ignoreSignals, 'function');
  assert.equal(loadNative(), addon, 'loaded once and cached');
});

test('a missing addon is a typed NativeAddonError that says how to build it', () => {
  const missing = path.join(os.tmpdir(), `tsv-no-addon-${process.pid}.node`);
  assert.throws(() => loadNative(missing), (e: unknown) => {
    assert.ok(e instanceof NativeAddonError);
    assert.equal(e.code, 'NATIVE_NOT_BUILT');
    assert.equal(e.message, 'native addon not built: run npm install (needs g++, make, python3)');
    return true;
  });
});

test('a file that is not an addon is NATIVE_LOAD_FAILED', () => {
  const bogus = path.join(os.tmpdir(), `tsv-bogus-addon-${process.pid}.node`);
  fs.writeFileSync(bogus, 'not an ELF file');
  try {
    assert.throws(() => loadNative(bogus), (e: unknown) => e instanceof NativeAddonError && e.code === 'NATIVE_LOAD_FAILED');
  } finally {
    fs.rmSync(bogus, { force: true });
  }
});

test('sendFrame checks its arguments before touching a socket', () => {
  const addon = loadNative();
  const frame = new Uint8Array(42);
  const call = addon.sendFrame as unknown as (...args: unknown[]) => void;
  assert.throws(() => call(), TypeError);
  assert.throws(() => call('2', frame), TypeError);
  assert.throws(() => call(2, [1, 2, 3]), TypeError);
  assert.throws(() => call(2, new Uint16Array(21)), TypeError);
  assert.throws(() => call(0, frame), RangeError);
  assert.throws(() => call(1.5, frame), RangeError);
  assert.throws(() => call(2 ** 31, frame), RangeError);
  assert.throws(() => call(2, new Uint8Array(13)), RangeError);
});

test('sendFrame without CAP_NET_RAW fails with code EPERM and its errno', { skip: process.getuid?.() === 0 ? 'runs as root' : false }, () => {
  assert.throws(() => loadNative().sendFrame(1, new Uint8Array(42)), (e: unknown) => isNativeSystemError(e) && e.code === 'EPERM' && e.errno === 1);
});

test('sdNotify returns false when NOTIFY_SOCKET is unset', () => {
  delete process.env['NOTIFY_SOCKET'];
  assert.equal(loadNative().sdNotify('READY=1'), false);
  assert.equal(notifyReady(), false);
  assert.equal(notifyStatus('x'), false);
  assert.equal(notifyStopping(), false);
});

test('sdNotify delivers READY=1 to a filesystem NOTIFY_SOCKET', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-notify-'));
  const sock = path.join(dir, 'notify.sock');
  try {
    const r = await receiver(sock, 1);
    process.env['NOTIFY_SOCKET'] = sock;
    assert.equal(loadNative().sdNotify('READY=1'), true);
    assert.deepEqual(await r.messages, ['READY=1']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sdNotify supports abstract @ names; notifyReady/notifyStatus/notifyStopping send the sd_notify words', async () => {
  const name = `@tsv-notify-${process.pid}-${Date.now()}`;
  const r = await receiver(name, 3);
  process.env['NOTIFY_SOCKET'] = name;
  assert.equal(notifyReady(), true);
  assert.equal(notifyStatus('2 instances\nVI_1 MASTER'), true);
  assert.equal(notifyStopping(), true);
  assert.deepEqual(await r.messages, ['READY=1', 'STATUS=2 instances VI_1 MASTER', 'STOPPING=1']);
});

test('sdNotify to a socket nobody listens on throws ENOENT (addon) and TsvrrpdIoError (adapter)', () => {
  process.env['NOTIFY_SOCKET'] = path.join(os.tmpdir(), `tsv-nobody-${process.pid}.sock`);
  assert.throws(() => loadNative().sdNotify('READY=1'), (e: unknown) => isNativeSystemError(e) && e.code === 'ENOENT' && e.errno === 2 && e.syscall === 'sendto');
  assert.throws(() => notifyReady(), (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'ENOENT');
});

test('a NOTIFY_SOCKET that is neither a path nor @name is EINVAL', () => {
  process.env['NOTIFY_SOCKET'] = 'relative/notify.sock';
  assert.throws(() => loadNative().sdNotify('READY=1'), (e: unknown) => isNativeSystemError(e) && e.code === 'EINVAL');
  assert.throws(() => sdNotify('READY=1'), (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'EINVAL');
});

test('outside systemd the adapter does not even load the addon', () => {
  delete process.env['NOTIFY_SOCKET'];
  assert.equal(sdNotify('READY=1', () => assert.fail('addon loaded')), false);
});

test('a missing addon under systemd is TsvrrpdIoError ENOENT carrying the how-to-build message', () => {
  process.env['NOTIFY_SOCKET'] = '@tsv-unused';
  assert.throws(
    () => sdNotify('READY=1', () => loadNative('/nonexistent/tsvrrpd_native.node')),
    (e: unknown) => e instanceof TsvrrpdIoError && e.code === 'ENOENT' && e.message.startsWith('native addon not built: run npm install'),
  );
});

test('findRawSocket / rxAgeNs: argument checks; no such socket is -1, a non-socket has no stamp (-1)', () => {
  const addon = loadNative();
  const find = addon.findRawSocket as (...a: unknown[]) => number;
  const age = addon.rxAgeNs as (...a: unknown[]) => number;
  assert.throws(() => find(), TypeError);
  assert.throws(() => find('112', 'eth0'), TypeError);
  assert.throws(() => find(300, 'eth0'), RangeError);
  assert.throws(() => find(112, 7), TypeError);
  assert.throws(() => age(), TypeError);
  assert.throws(() => age('3'), TypeError);
  assert.throws(() => age(-1), RangeError);
  assert.throws(() => age(1.5), RangeError);
  // This process has no raw socket of protocol 112 bound to an interface of that name.
  assert.equal(addon.findRawSocket(112, 'tsv-none0'), -1);
  // fd 0 is not a socket: SIOCGSTAMPNS fails, the age is unknown.
  assert.equal(addon.rxAgeNs(0), -1);
});

test('watchSignals / ignoreSignals: argument checks (arrays of 1..SIGRTMAX, never KILL or STOP)', () => {
  const addon = loadNative();
  const watch = addon.watchSignals as (...a: unknown[]) => void;
  const ignore = addon.ignoreSignals as (...a: unknown[]) => void;
  assert.throws(() => watch([36]), TypeError);
  assert.throws(() => watch(36, () => undefined), TypeError);
  assert.throws(() => watch([0], () => undefined), RangeError);
  assert.throws(() => watch([9], () => undefined), RangeError);
  assert.throws(() => ignore([19]), RangeError);
  assert.throws(() => ignore([65]), RangeError);
  assert.throws(() => ignore(['1']), TypeError);
  assert.throws(() => ignore([1.5]), RangeError);
});
