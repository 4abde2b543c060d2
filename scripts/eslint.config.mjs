// Lint rules that keep the architecture honest (shared/design/ARCHITECTURE.md §3):
// src/protocol and src/config are pure, so they may not import I/O modules or
// use timers, the wall clock or the process object.
import tseslint from 'typescript-eslint';

const ioModules = [
  'node:*', 'fs', 'fs/*', 'net', 'dgram', 'child_process', 'os', 'path', 'process',
  'raw-socket', 'netlink', 'winston', 'nodemailer', 'commander',
];
const pureRestrictions = {
  'no-restricted-imports': ['error', {
    patterns: [
      { group: ioModules, message: 'src/protocol and src/config are pure: inject I/O through a port.' },
      { group: ['**/io/*', '**/runtime/*', '**/cli', '**/daemon'], message: 'pure code must not import adapters or the runtime.' },
    ],
  }],
  'no-restricted-globals': ['error',
    { name: 'setTimeout', message: 'pure code takes time as an input' },
    { name: 'setInterval', message: 'pure code takes time as an input' },
    { name: 'setImmediate', message: 'pure code takes time as an input' },
    { name: 'process', message: 'pure code must not touch the process' },
    { name: 'require', message: 'pure code must not load modules dynamically' },
  ],
  'no-restricted-properties': ['error',
    { object: 'Date', property: 'now', message: 'pure code takes time as an input' },
  ],
  'no-restricted-syntax': ['error',
    { selector: "NewExpression[callee.name='Date']", message: 'pure code takes time as an input' },
  ],
};

const upward = { group: ['**/daemon', '**/main', '**/cli'], message: 'runtime/ and io/ must not import the daemon, main or the CLI (layers point down).' };
const adapters = { group: ['**/io/*', '!**/io/ports', '!**/io/errors'], message: 'this layer works on ports: of io/, only io/ports and io/errors.' };

// Pure runtime modules (plan, reload-plan, status) may name the ports' data types.
const pureRuntimeRestrictions = {
  ...pureRestrictions,
  'no-restricted-imports': ['error', {
    patterns: [
      { group: ioModules, message: 'pure runtime modules take their facts as inputs.' },
      { group: ['**/io/*', '!**/io/ports', '**/cli', '**/daemon', '**/main'], message: 'pure runtime modules must not import adapters.' },
    ],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'native/**', 'test/config-corpus/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/protocol/**/*.ts', 'src/config/**/*.ts'], rules: pureRestrictions },
  // Layers (ARCHITECTURE §5): nothing below points back up at the entry points; the daemon's
  // lifecycle works on ports, never on an adapter; plan and reload-plan are pure.
  { files: ['src/io/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [upward] }] } },
  // runtime/ works on ports: of io/ it imports io/ports and io/errors, and types.
  { files: ['src/runtime/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [upward, { ...adapters, allowTypeImports: true }] }] } },
  { files: ['src/daemon.ts'], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [upward, { ...adapters, allowTypeImports: true }] }] } },
  { files: ['src/runtime/plan.ts', 'src/runtime/reload-plan.ts', 'src/runtime/status*.ts'], rules: pureRuntimeRestrictions },
);
