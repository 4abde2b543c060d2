/**
 * Syslog through the native addon on the real kernel: a unix datagram socket (a python3
 * receiver standing in for /dev/log) gets the RFC 3164 line, with the facility keepalived's
 * `-S` selects. And the CLI refuses a facility outside 0..7 without starting anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { facilityFromOption, SyslogWriter } from '../../src/io/syslog';
import { have, waitFor } from '../support/netns';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const addon = fs.existsSync(path.join(ROOT, 'native', 'build', 'Release', 'tsvrrpd_native.node'));
const skip = !addon ? 'needs the native addon (npm ci)' : !have('python3') ? 'needs python3' : false;

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
s.settimeout(10)
print(s.recv(4096).decode(), flush=True)
`;

test('syslog line reaches a unix datagram socket with PRI for LOG_LOCAL3 (keepalived -S 3)', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-syslog-'));
  const sock = path.join(dir, 'log');
  const rx = spawn('python3', ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  rx.stdout.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitFor('the receiver', () => out.includes('ready'), 10_000);
    const failures: string[] = [];
    new SyslogWriter(facilityFromOption(3), sock, undefined, (m) => failures.push(m)).write('info', '(VI_1) Entering MASTER STATE');
    await waitFor('the datagram', () => out.includes('tsvrrpd['), 10_000);
    assert.deepEqual(failures, []);
    assert.match(out, new RegExp(`<158>[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d tsvrrpd\\[${process.pid}\\]: \\(VI_1\\) Entering MASTER STATE`));
  } finally {
    rx.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tsvrrpd -S 9 is refused before anything starts', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli.js'), '-S', '9', '-f', '/nonexistent.conf'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /must be 0\.\.7/);
});
