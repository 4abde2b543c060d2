/**
 * `$NAME=value` definitions and their substitution (src/config/definitions.ts) against
 * keepalived 2.2.7 lib/parser.c check_definition(), find_definition(), replace_param() and the
 * standard definitions of set_std_definitions().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Definitions, type DefinitionEnv } from '../../../src/config/definitions';

interface Recorder {
  env: DefinitionEnv;
  calls: [number, number][];
}

function recorder(value = 7): Recorder {
  const calls: [number, number][] = [];
  return {
    calls,
    env: {
      currentDir: () => '/etc/keepalived/conf.d',
      instanceName: () => 'inst1',
      random: (min, max) => {
        calls.push([min, max]);
        return value;
      },
    },
  };
}

function defs(...lines: string[]): Definitions {
  const d = new Definitions(recorder().env);
  for (const l of lines) assert.equal(d.tryDefine(l), true, l);
  return d;
}

test('keepalived check_definition(): `$X=value` defines X and `$X` is replaced by its value', () => {
  const d = defs('$VIP=10.0.0.1/24');
  const s = d.substitute('ip $VIP');
  assert.equal(s.text, 'ip 10.0.0.1/24');
  assert.equal(s.changed, true);
  assert.deepEqual(s.extraLines, []);
});

test('keepalived check_definition(): blanks after the = are not part of the value', () => {
  assert.equal(defs('$X=   v1').substitute('$X').text, 'v1');
});

test("keepalived check_definition(): `$X = 1` is not a definition (the name must run into '=')", () => {
  const d = new Definitions(recorder().env);
  assert.equal(d.tryDefine('$X = 1'), false);
  assert.equal(d.tryDefine('$X =1'), false);
  assert.equal(d.hasUserDefinitions, false);
});

test('keepalived check_definition(): a name must start with a letter or _', () => {
  const d = new Definitions(recorder().env);
  assert.equal(d.tryDefine('$1X=1'), false);
  assert.equal(d.tryDefine('$_X=1'), true);
  assert.equal(d.hasUserDefinitions, true);
});

test('keepalived check_definition(): a later definition replaces an earlier one', () => {
  assert.equal(defs('$X=one', '$X=two').substitute('k $X').text, 'k two');
});

test('keepalived replace_param(): ${X} is replaced even when letters follow', () => {
  assert.equal(defs('$X=10').substitute('a${X}b').text, 'a10b');
});

test("keepalived find_definition(): `$X/24` is not replaced (only blank, ',', ')' or end may follow)", () => {
  const s = defs('$X=10.0.0.1').substitute('$X/24');
  assert.equal(s.text, '$X/24');
  assert.equal(s.changed, false);
});

test("keepalived find_definition(): `$X` followed by ',', ')' or a tab is replaced", () => {
  const d = defs('$X=1');
  assert.equal(d.substitute('($X)').text, '(1)');
  assert.equal(d.substitute('$X,$X').text, '1,1');
  assert.equal(d.substitute('$X\tz').text, '1\tz');
});

test('keepalived replace_param(): an undefined name is left alone', () => {
  const s = defs('$X=1').substitute('a $NOPE b ${NOPE}');
  assert.equal(s.text, 'a $NOPE b ${NOPE}');
  assert.equal(s.changed, false);
});

test("keepalived replace_param(): a lone '$' or '$' before a digit is text", () => {
  const s = defs('$X=1').substitute('cost $5 and $');
  assert.equal(s.text, 'cost $5 and $');
  assert.equal(s.changed, false);
});

test('keepalived find_definition(): a user definition takes no ${X params}', () => {
  assert.equal(defs('$X=1').substitute('${X 2}').text, '${X 2}');
});

test('keepalived check_definition(): a value ending in \\ starts a multi-line definition', () => {
  const d = new Definitions(recorder().env);
  assert.equal(d.tryDefine('$ADDRS=10.0.0.1/24 \\'), true);
  assert.equal(d.isCollecting, true);
  assert.equal(d.continueDefinition('10.0.0.2/24 \\'), true);
  assert.equal(d.isCollecting, true);
  assert.equal(d.continueDefinition('10.0.0.3/24'), true);
  assert.equal(d.isCollecting, false);
  const s = d.substitute('$ADDRS');
  assert.equal(s.text, '10.0.0.1/24');
  assert.deepEqual(s.extraLines, ['10.0.0.2/24', '10.0.0.3/24']);
});

test('keepalived read_line(): an empty line ends a multi-line definition', () => {
  const d = new Definitions(recorder().env);
  d.tryDefine('$M=a \\');
  assert.equal(d.continueDefinition(''), true);
  assert.equal(d.isCollecting, false);
  assert.equal(d.continueDefinition('next'), false);
  assert.deepEqual(d.substitute('$M').extraLines, []);
  assert.equal(d.substitute('$M').text, 'a');
});

test('keepalived find_definition(): a multi-line definition is only replaced at the end of a line', () => {
  const d = new Definitions(recorder().env);
  d.tryDefine('$M=a \\');
  d.continueDefinition('b');
  assert.equal(d.substitute('x $M y').changed, false);
  assert.deepEqual(d.substitute('x ${M}').extraLines, ['b']);
  assert.equal(d.substitute('x ${M}').text, 'x a');
});

test('keepalived get_random(): ${_RANDOM 1 10} asks for a number in [1, 10]', () => {
  const r = recorder(4);
  const d = new Definitions(r.env);
  assert.equal(d.substitute('weight ${_RANDOM 1 10}').text, 'weight 4');
  assert.deepEqual(r.calls, [[1, 10]]);
});

test(
  'keepalived get_random(): ${_RANDOM} defaults to [0, 32767] and ${_RANDOM 5} to [5, 32767]',
  () => {
    const r = recorder(3);
    const d = new Definitions(r.env);
    d.substitute('${_RANDOM}');
    d.substitute('${_RANDOM 5}');
    assert.deepEqual(r.calls, [[0, 32767], [5, 32767]]);
  },
);

test('keepalived find_definition(): ${_RANDOM 1 10 } (ending in a blank) is not replaced', () => {
  const r = recorder();
  const s = new Definitions(r.env).substitute('${_RANDOM 1 10 }');
  assert.equal(s.changed, false);
  assert.deepEqual(r.calls, []);
});

test('keepalived set_std_definitions(): ${_HASH} is # and ${_BANG} is !', () => {
  const d = new Definitions(recorder().env);
  assert.equal(d.substitute('a${_HASH}b${_BANG}c').text, 'a#b!c');
  assert.equal(d.hasUserDefinitions, false);
});

test('keepalived get_cwd()/get_instance(): ${_PWD} and ${_INSTANCE} come from the environment', () => {
  const d = new Definitions(recorder().env);
  assert.equal(d.substitute('${_PWD}/x $_INSTANCE').text, '/etc/keepalived/conf.d/x inst1');
});

test('keepalived check_definition(): a user definition can override a standard one', () => {
  const d = defs('$_HASH=hash');
  assert.equal(d.substitute('${_HASH}').text, 'hash');
});
