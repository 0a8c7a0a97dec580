import * as fs from 'fs';
import * as path from 'path';

/**
 * Firmware code runs on XS on the ESP32: no Node modules, no Buffer/process, no host timers, no
 * wall-clock reads (time comes from the injected Clock). The ESLint config enforces the same rules
 * in the editor; this test keeps them true in `npm test`.
 */
const ROOT = path.resolve(__dirname, '../..');
const FIRMWARE = ['main.ts', 'moddable-board.ts', 'protocol', 'tasks', 'drivers', 'boards/esp32-reference'];

const NODE_MODULES = ['fs', 'path', 'os', 'net', 'tls', 'dgram', 'dns', 'child_process', 'crypto', 'buffer', 'events', 'stream', 'util', 'http', 'https', 'url', 'zlib', 'worker_threads', 'timers', 'process'];

const FORBIDDEN: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'Node built-in import', pattern: new RegExp(`from\\s+['"](node:[^'"]+|${NODE_MODULES.join('|')})['"]`) },
  { name: 'require()', pattern: /\brequire\s*\(/ },
  { name: 'Buffer', pattern: /\bBuffer\b/ },
  { name: 'process', pattern: /\bprocess\s*\./ },
  { name: 'setTimeout', pattern: /\bsetTimeout\s*\(/ },
  { name: 'setInterval', pattern: /\bsetInterval\s*\(/ },
  { name: 'Date.now', pattern: /\bDate\.now\s*\(/ },
  { name: 'new Date() without a time', pattern: /new Date\(\s*\)/ },
  { name: 'performance.now', pattern: /\bperformance\.now\s*\(/ },
  { name: 'npm package import', pattern: /from\s+['"](?![./]|embedded:|board['"]|timer['"]|preference['"]|flash['"]|file['"]|ota['"]|crypt['"]|esp32_power['"]|esp32_ota['"]|wmbus_kernels['"])[^'"]+['"]/ },
  { name: 'simulator import', pattern: /from\s+['"][./]*\/sim\// },
];

function tsFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return full.endsWith('.ts') ? [full] : [];
  return fs.readdirSync(full).flatMap((f) => tsFiles(path.join(entry, f)));
}

/** Source without comments, so prose may mention Date.now. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const files = FIRMWARE.flatMap(tsFiles);

describe('firmware code stays runnable on XS', () => {
  test('there is firmware code to check', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  test.each(FORBIDDEN.map((f) => [f.name, f.pattern] as const))('no %s in main.ts, protocol/, tasks/, drivers/ or the ESP32 board', (_name, pattern) => {
    const offenders = files.filter((f) => pattern.test(code(fs.readFileSync(f, 'utf8')))).map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
