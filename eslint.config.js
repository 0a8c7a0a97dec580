// Lint rules: the XS-compatibility rules for firmware code (also checked by tests/firmware/xs-purity.test.ts)
// and a few correctness rules for everything.
const tseslint = require('typescript-eslint');

const NODE_BUILTINS = ['fs', 'path', 'os', 'net', 'tls', 'dgram', 'dns', 'child_process', 'crypto', 'buffer', 'events', 'stream', 'util', 'http', 'https', 'url', 'zlib', 'worker_threads', 'timers', 'process'];

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '**/*.js'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-unreachable': 'error',
      'no-fallthrough': 'error',
      'no-self-assign': 'error',
      'no-unsafe-finally': 'error',
      'no-restricted-syntax': ['error', {
        selector: "AssignmentExpression[left.type='MemberExpression'][left.object.type='ThisExpression'][left.property.name='name']",
        message: 'Preloaded, Error.prototype is frozen and this assignment throws: declare `override readonly name = …` as a class field.',
      }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['main.ts', 'protocol/**/*.ts', 'tasks/**/*.ts', 'drivers/**/*.ts', 'boards/esp32-reference/**/*.ts', 'boards/types.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: NODE_BUILTINS.map((name) => ({ name, message: 'Firmware runs on XS: no Node modules.' })),
        patterns: [
          { group: ['node:*'], message: 'Firmware runs on XS: no Node modules.' },
          { group: ['**/sim/**'], message: 'Firmware must not depend on the simulator.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'Buffer', message: 'Use Uint8Array.' },
        { name: 'process', message: 'No process on XS.' },
        { name: 'setTimeout', message: 'Timers come from the injected Clock.' },
        { name: 'setInterval', message: 'Timers come from the injected Clock.' },
        { name: 'require', message: 'ES modules only.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Time comes from the injected Clock.' },
        { object: 'performance', property: 'now', message: 'Time comes from the injected Clock.' },
      ],
    },
  },
);
