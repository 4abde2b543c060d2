/**
 * io/config-worker.ts: a reload's check runs in a worker thread and gives exactly what
 * --check-config gives on the main thread (the same CheckResult, plain data); a file with
 * errors comes back as diagnostics; a worker that cannot finish in time is a typed error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkConfigFile, checkConfigInWorker, ConfigWorkerError } from '../../../src/io/config-worker';

function tmpConf(t: { after(fn: () => void): void }, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsv-cw-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'keepalived.conf');
  fs.writeFileSync(file, text);
  return file;
}

/** A real interface of this host (the check looks interfaces up); lo is refused by keepalived. */
const IFACE = fs.readdirSync('/sys/class/net').find((n) => n !== 'lo') ?? 'eth0';
const GOOD = `vrrp_instance VI_1 {\n interface ${IFACE}\n virtual_router_id 51\n priority 150\n virtual_ipaddress {\n  10.9.0.1/24\n }\n}\n`;

test('the worker\'s CheckResult is the main thread\'s, deep-equal (the config a reload applies)', async (t) => {
  const file = tmpConf(t, GOOD);
  const inWorker = await checkConfigInWorker({ file, configId: 'lb1' });
  assert.deepStrictEqual(inWorker, checkConfigFile({ file, configId: 'lb1' }));
  assert.equal(inWorker.exitCode, 0, JSON.stringify(inWorker.diagnostics));
  assert.equal(inWorker.config?.instances[0]?.name, 'VI_1');
});

test('a broken file comes back as its diagnostics with file:line, not as an error', async (t) => {
  const file = tmpConf(t, GOOD.replace(' priority 150\n', ' priority 150\n bogus_keyword 1\n').slice(0, -2));
  const r = await checkConfigInWorker({ file, configId: 'lb1' });
  assert.notEqual(r.exitCode, 0);
  assert.ok(r.diagnostics.some((d) => d.at?.file === file && d.at.line === 5), JSON.stringify(r.diagnostics));
});

test('a check that cannot finish in time is a ConfigWorkerError (the worker is stopped)', async (t) => {
  const file = tmpConf(t, GOOD);
  // 1 ms: a worker thread cannot even start in that time.
  await assert.rejects(checkConfigInWorker({ file, configId: 'lb1' }, 1), (e: unknown) => e instanceof ConfigWorkerError && e.code === 'CONFIG_WORKER' && /took over 1 ms/.test(e.message));
});
