/**
 * Keyword dispatch and block bookkeeping (src/config/stream.ts) against keepalived 2.2.7
 * lib/parser.c process_stream(), alloc_value_block() and skip_block(). Every expected verdict
 * and line here was checked with keepalived -t.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText, errorLines, errors } from '../../support/config-harness';

const F = '/etc/keepalived/keepalived.conf';

function instance(name: string, vrid: number, body = '', vip = '10.0.0.1/24'): string {
  return `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  virtual_ipaddress {\n    ${vip}\n  }\n${body}}\n`;
}

test("keepalived process_stream(): an unknown keyword is reported with its line and column", () => {
  const r = checkText('global_defs {\n  router_idx lb1\n}\nfoo bar\n');
  assert.deepEqual(errors(r), [
    `(${F}: Line 2, Col 3) Unknown keyword 'router_idx'`,
    `(${F}: Line 4, Col 1) Unknown keyword 'foo'`,
  ]);
  assert.equal(r.exitCode, 5);
  assert.equal(r.diagnostics[0]?.cls, 'UNKNOWN_KEYWORD');
});

test("keepalived process_stream(): a stray '{' inside a block is \"Unexpected '{' - ignoring\"", () => {
  const r = checkText('global_defs {\n  router_id lb1\n  {\n}\n');
  assert.deepEqual(errors(r).slice(0, 1), [`(${F}: Line 3, Col 3) Unexpected '{' - ignoring`]);
  assert.equal(r.diagnostics[0]?.cls, 'UNEXPECTED_BOB');
  assert.equal(r.exitCode, 5);
});

test("keepalived process_stream(): a block keyword without '{' is \"Missing '{'\" on the next line", () => {
  // keepalived -t prints the first two from its parent process and the other two from its
  // children, which skip global_defs and so read its lines at the top level.
  const r = checkText('global_defs\n  router_id lb1\n}\n');
  assert.deepEqual(errors(r).sort(), [
    `(${F}: Line 2, Col 3) Missing '{' at beginning of configuration block`,
    `(${F}: Line 2, Col 3) Unknown keyword 'router_id'`,
    `(${F}: Line 3, Col 1) Extra '}' found`,
    `(${F}: Line 3, Col 1) Unknown keyword '}'`,
  ]);
  assert.equal(r.exitCode, 5);
});

test("keepalived process_stream(): the '{' of a block may be on the next line", () => {
  const r = checkText('global_defs\n{\n  router_id lb1\n}\n');
  assert.deepEqual(errors(r), []);
  assert.equal(r.config?.global.routerId, 'lb1');
});

test("keepalived alloc_value_block(): `virtual_ipaddress { 10.0.0.1/24 }` on one line", () => {
  const r = checkText('vrrp_instance VI_1 { interface eth0\n  virtual_router_id 51\n  virtual_ipaddress { 10.0.0.1/24 }\n}\n');
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.config?.instances[0]?.virtualIpaddress.map((a) => `${a.address}/${a.prefixLength}`), ['10.0.0.1/24']);
});

test("keepalived alloc_value_block(): the block's lines may start after '{' and end before '}'", () => {
  const r = checkText('vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {  10.0.0.1/24\n    10.0.0.2/24 }\n}\n');
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.config?.instances[0]?.virtualIpaddress.map((a) => a.address), ['10.0.0.1', '10.0.0.2']);
});

test("keepalived alloc_value_block(): the '{' of a value block may be on its own line", () => {
  const r = checkText('vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress\n  {\n    10.0.0.1/24\n  }\n}\n');
  assert.deepEqual(errors(r), []);
  assert.equal(r.config?.instances[0]?.virtualIpaddress.length, 1);
});

test('keepalived alloc_value_block(): a value given on the keyword line is "extra parameters"', () => {
  const r = checkText(instance('VI_1', 51, '  virtual_ipaddress_excluded 10.0.0.9/24\n  garp_master_delay 3\n'));
  assert.equal(errors(r)[0], `(${F}: Line 7, Col 30) Block virtual_ipaddress_excluded has extra parameters 10.0.0.9/24 ...`);
  // Like keepalived, the next line is then read as the block's content.
  assert.equal(errorLines(r).includes(8), true);
  assert.equal(r.exitCode, 5);
});

test('keepalived process_stream(): a block closed by `} text` goes on with the text as a line', () => {
  const r = checkText(`${instance('VI_1', 51).replace(/}\n$/, '} foo\n')}`);
  assert.deepEqual(errors(r), [`(${F}: Line 7, Col 3) Unknown keyword 'foo'`]);
  assert.equal(r.config?.instances.length, 1);
});

test('keepalived skip_block(): a duplicate vrrp_instance is reported and its whole block skipped', () => {
  const text = `${instance('VI_1', 51)}vrrp_instance VI_1 {\n  bogus1\n  track_script {\n    bogus2\n  }\n}\nafter_skip\n`;
  const r = checkText(text);
  assert.deepEqual(errors(r), [
    `(${F}: Line 8, Col 15) vrrp instance VI_1 already defined`,
    `(${F}: Line 14, Col 1) Unknown keyword 'after_skip'`,
  ]);
  assert.equal(r.config?.instances.length, 1);
  assert.equal(r.config?.instances[0]?.vrid, 51);
});

test("keepalived skip_block(): a skipped block whose '{' is on the next line is skipped too", () => {
  const text = `${instance('VI_1', 51)}vrrp_instance VI_1\n{\n  bogus1\n}\nafter_skip\n`;
  const r = checkText(text);
  assert.deepEqual(errorLines(r), [8, 12]);
});

test('keepalived vrrp_handler(): `vrrp_instance {` without a name is reported and skipped', () => {
  const r = checkText('vrrp_instance {\n  bogus3\n}\nbar\n');
  assert.deepEqual(errors(r), [
    `(${F}: Line 1, Col 1) vrrp_instance must have a name`,
    `(${F}: Line 4, Col 1) Unknown keyword 'bar'`,
  ]);
});

test("keepalived process_stream(): after a missing '}' the rest is read inside the open block", () => {
  const r = checkText('global_defs {\n  router_id x\nvrrp_instance VI_1 {\n  interface eth0\n');
  assert.deepEqual(errorLines(r), [3, 4]);
  assert.ok(errors(r).includes(`(${F}: Line 3, Col 1) Unknown keyword 'vrrp_instance'`));
  assert.equal(r.diagnostics.at(-1)?.cls, 'MISSING_EOB');
  assert.equal(r.exitCode, 5);
});

test('keepalived process_stream(): keywords of one block are unknown in another', () => {
  const r = checkText('global_defs {\n  priority 100\n}\n');
  assert.deepEqual(errors(r), [`(${F}: Line 2, Col 3) Unknown keyword 'priority'`]);
});

test('keepalived process_stream(): a well-formed instance parses without any diagnostic that changes the verdict', () => {
  const r = checkText(instance('VI_1', 51));
  assert.deepEqual(errors(r), []);
  assert.equal(r.exitCode, 0);
});
