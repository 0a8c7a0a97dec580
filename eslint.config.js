// Lint rules: the layer rule and the XS-compatibility rules for firmware code (also checked by
// tests/build/layers.test.ts and tests/firmware/xs-purity.test.ts), and a few correctness rules for everything.
const tseslint = require('typescript-eslint');

const NODE_BUILTINS = ['fs', 'path', 'os', 'net', 'tls', 'dgram', 'dns', 'child_process', 'crypto', 'buffer', 'events', 'stream', 'util', 'http', 'https', 'url', 'zlib', 'worker_threads', 'timers', 'process'];

const LAYER_ORDER = 'protocol/ < drivers/ < tasks/ < boards/ < main.ts, moddable-board.ts';

/** A relative specifier that climbs out of the importing folder into one of the repository's top-level `names`. */
function upInto(names) {
  return `^(\\.\\./)+(${names.join('|')})(/|$)`;
}

/**
 * The firmware layers, bottom to top, and what each may not import: the layers above it
 * (`board` is the build's alias of the board module, the top layer) and the host-only folders.
 */
const LAYERS = [
  { name: 'protocol/', files: ['protocol/**/*.ts'], above: ['drivers', 'tasks', 'boards', 'main', 'moddable-board'], boardAlias: true },
  { name: 'drivers/', files: ['drivers/**/*.ts'], above: ['tasks', 'boards', 'main', 'moddable-board'], boardAlias: true },
  { name: 'tasks/', files: ['tasks/**/*.ts'], above: ['boards', 'main', 'moddable-board'], boardAlias: true },
  { name: 'boards/', files: ['boards/**/*.ts'], above: ['main', 'moddable-board'], boardAlias: false },
  { name: 'main.ts', files: ['main.ts', 'moddable-board.ts'], above: [], boardAlias: false },
];

function layerImports(layer) {
  const upward = `Layer rule (${LAYER_ORDER}): ${layer.name} may import only its own layer and those below it.`;
  const nodeOnly = 'Firmware runs on XS: no Node modules.';
  return {
    files: layer.files,
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          ...NODE_BUILTINS.map((name) => ({ name, message: nodeOnly })),
          ...(layer.boardAlias ? [{ name: 'board', message: upward }] : []),
        ],
        patterns: [
          { group: ['node:*'], message: nodeOnly },
          { regex: upInto(['sim', 'tests', 'bench', 'bin']), message: 'Layer rule: firmware never imports sim/, tests/, bench/ or bin/.' },
          ...(layer.above.length > 0 ? [{ regex: upInto(layer.above), message: upward }] : []),
        ],
      }],
    },
  };
}

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
  ...LAYERS.map(layerImports),
  {
    files: ['main.ts', 'moddable-board.ts', 'protocol/**/*.ts', 'tasks/**/*.ts', 'drivers/**/*.ts', 'boards/esp32-reference/**/*.ts'],
    rules: {
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
