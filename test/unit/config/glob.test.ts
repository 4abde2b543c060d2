/**
 * glob(3) with GLOB_BRACE | GLOB_MARK as keepalived's `include` uses it (src/config/glob.ts),
 * including the missing file/directory counts of lib/parser.c gl_lstat()/gl_opendir().
 * Expected results were checked against glibc's glob() on this host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandBraces, glob, segmentRegExp } from '../../../src/config/glob';
import { memoryFs } from '../../support/config-harness';

const fs = memoryFs({
  '/g/a.conf': 'a',
  '/g/b.conf': 'b',
  '/g/c.txt': 'c',
  '/g/ab': 'ab',
  '/g/a,': 'comma',
  '/g/x': 'x',
  '/g/.hidden.conf': 'h',
  '/g/z.conf': 'z',
  '/g/d/x.conf': 'dx',
  '/g/e/y.conf': 'ey',
  '/g/empty': null,
});

// expandBraces()

test('glob GLOB_BRACE: {a,b} expands to each alternative in order', () => {
  assert.deepEqual(expandBraces('/etc/{a,b}.conf'), ['/etc/a.conf', '/etc/b.conf']);
});

test('glob GLOB_BRACE: nested braces expand depth first', () => {
  assert.deepEqual(expandBraces('x{a,{b,c}}y'), ['xay', 'xby', 'xcy']);
});

test('glob GLOB_BRACE: two brace groups expand as a product, first group outermost', () => {
  assert.deepEqual(expandBraces('{a,b}{1,2}'), ['a1', 'a2', 'b1', 'b2']);
});

test('glob GLOB_BRACE: an empty alternative is allowed', () => {
  assert.deepEqual(expandBraces('{,a}.conf'), ['.conf', 'a.conf']);
});

test("glob GLOB_BRACE: '\\{' and '\\,' are not brace syntax", () => {
  assert.deepEqual(expandBraces('\\{a,b}'), ['\\{a,b}']);
  assert.deepEqual(expandBraces('{a\\,,x}'), ['a\\,', 'x']);
});

test('glob GLOB_BRACE: a pattern without braces is returned as is', () => {
  assert.deepEqual(expandBraces('/etc/keepalived/*.conf'), ['/etc/keepalived/*.conf']);
});

test(
  'glob GLOB_BRACE: a brace group without a comma expands to its content (glibc: {x} -> x, a{}b -> ab)',
  () => {
    assert.deepEqual(expandBraces('{x}'), ['x']);
    assert.deepEqual(expandBraces('a{}b'), ['ab']);
  },
);

// segmentRegExp()

test("glob fnmatch: '*' matches any run of characters, including none", () => {
  const re = segmentRegExp('*.conf');
  assert.equal(re.test('a.conf'), true);
  assert.equal(re.test('.conf'), true);
  assert.equal(re.test('a.txt'), false);
  assert.equal(re.test('a.conf.bak'), false);
});

test("glob fnmatch: '?' matches exactly one character", () => {
  const re = segmentRegExp('?.conf');
  assert.equal(re.test('a.conf'), true);
  assert.equal(re.test('ab.conf'), false);
  assert.equal(re.test('.conf'), false);
});

test("glob fnmatch: '[ab]' and '[a-c]' are character classes", () => {
  assert.equal(segmentRegExp('[ab].conf').test('b.conf'), true);
  assert.equal(segmentRegExp('[ab].conf').test('c.conf'), false);
  assert.equal(segmentRegExp('[a-c].conf').test('c.conf'), true);
  assert.equal(segmentRegExp('[a-c].conf').test('d.conf'), false);
});

test("glob fnmatch: '[!a]' and '[^a]' are negated classes", () => {
  for (const p of ['[!a].conf', '[^a].conf']) {
    assert.equal(segmentRegExp(p).test('b.conf'), true, p);
    assert.equal(segmentRegExp(p).test('a.conf'), false, p);
  }
});

test("glob fnmatch: '.' and other RegExp characters match only themselves", () => {
  assert.equal(segmentRegExp('a.conf').test('a.conf'), true);
  assert.equal(segmentRegExp('a.conf').test('aXconf'), false);
  assert.equal(segmentRegExp('a+(b)').test('a+(b)'), true);
});

test("glob fnmatch: a backslash makes the next wildcard literal", () => {
  assert.equal(segmentRegExp('a\\*').test('a*'), true);
  assert.equal(segmentRegExp('a\\*').test('ab'), false);
});

test("glob fnmatch: an unclosed '[' is a literal bracket", () => {
  assert.equal(segmentRegExp('a[b').test('a[b'), true);
  assert.equal(segmentRegExp('a[b').test('ab'), false);
});

// glob()

test('glob(): matches are sorted by name', () => {
  const r = glob(fs, '/g/*.conf');
  assert.deepEqual(r.paths, ['/g/a.conf', '/g/b.conf', '/g/z.conf']);
  assert.equal(r.hadWildcards, true);
  assert.equal(r.missingFiles + r.missingDirectories, 0);
});

test("glob(): names are sorted bytewise (',' before '.' before letters)", () => {
  assert.deepEqual(glob(fs, '/g/a*').paths, ['/g/a,', '/g/a.conf', '/g/ab']);
});

test("glob(): a wildcard does not match a leading '.', an explicit '.' does", () => {
  assert.equal(glob(fs, '/g/*.conf').paths.includes('/g/.hidden.conf'), false);
  assert.deepEqual(glob(fs, '/g/.*.conf').paths, ['/g/.hidden.conf']);
});

test("glob GLOB_MARK: directories come back with a trailing '/'", () => {
  const r = glob(fs, '/g/*');
  assert.ok(r.paths.includes('/g/d/'));
  assert.ok(r.paths.includes('/g/empty/'));
  assert.ok(r.paths.includes('/g/a.conf'));
  assert.equal(glob(fs, '/g/d').paths[0], '/g/d/');
});

test('glob(): wildcards work in directory segments', () => {
  assert.deepEqual(glob(fs, '/g/*/*.conf').paths, ['/g/d/x.conf', '/g/e/y.conf']);
});

test('keepalived gl_lstat(): a missing file without wildcards counts as a missing file', () => {
  const r = glob(fs, '/g/nosuch.conf');
  assert.deepEqual(r.paths, []);
  assert.equal(r.missingFiles, 1);
  assert.equal(r.missingDirectories, 0);
  assert.equal(r.hadWildcards, false);
});

test('keepalived gl_opendir(): a wildcard under a missing directory counts as a missing directory', () => {
  const r = glob(fs, '/nosuch/*.conf');
  assert.deepEqual(r.paths, []);
  assert.equal(r.missingDirectories, 1);
  assert.equal(r.hadWildcards, true);
});

test('glob(): a wildcard that matches nothing in an existing directory is not "missing"', () => {
  const r = glob(fs, '/g/*.xyz');
  assert.deepEqual(r.paths, []);
  assert.equal(r.missingFiles, 0);
  assert.equal(r.missingDirectories, 0);
  assert.equal(r.hadWildcards, true);
});

test('glob GLOB_BRACE: a brace alternative that is missing is counted while the others match', () => {
  const r = glob(fs, '/g/{a,nosuch}.conf');
  assert.deepEqual(r.paths, ['/g/a.conf']);
  assert.equal(r.missingFiles, 1);
  assert.equal(r.hadBraces, true);
});

test('glob GLOB_BRACE: brace alternatives keep their order, each globbed on its own', () => {
  assert.deepEqual(glob(fs, '/g/{z,a}.conf').paths, ['/g/z.conf', '/g/a.conf']);
  assert.deepEqual(glob(fs, '/g/{d,nosuch}/*.conf').paths, ['/g/d/x.conf']);
});

test("glob(): an escaped ',' in a brace alternative names the file 'a,'", () => {
  assert.deepEqual(glob(fs, '/g/{a\\,,x}').paths, ['/g/a,', '/g/x']);
});
