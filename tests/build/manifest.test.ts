/** manifest.json and the partition table stay consistent with the source tree and the board. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FRAME_STORE_PARTITION, PINS } from '../../boards/esp32-reference/pins';
import { DEVICE_ALIASES, DEVICE_GRAPH, REPO, deviceManifestLists, manifestPath } from './device-manifest';
import { moduleGraph, runtimeImports } from './module-graph';

interface Manifest {
  build: Record<string, string>;
  creation: {
    static: number;
    chunk: { initial: number; incremental: number };
    heap: { initial: number; incremental: number };
    stack: number;
    main: string;
  };
  include: string[];
  defines: { ECMA419: { enabled: number }; file: { partition: string } };
  config: { pins: unknown; framestore: string };
  modules: Record<string, string | string[]>;
  preload: string[];
  typescript: { compiler: string; tsconfig: { compilerOptions: { types: string[] } } };
}

const manifest = JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as Manifest;

interface Partition {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
}

function partitions(): Partition[] {
  const csv = fs.readFileSync(path.join(REPO, 'sdkconfig', 'partitions.csv'), 'utf8');
  return csv
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => {
      const [name, type, subtype, offset, size] = l.split(',').map((f) => f.trim());
      return { name, type, subtype, offset: Number(offset), size: Number(size) };
    });
}

const KB = 1024;
const MB = 1024 * KB;
const FLASH_BYTES = 8 * MB;
const APP_ALIGN = 64 * KB;
const SECTOR = 4 * KB;

describe('module map', () => {
  const lists = deviceManifestLists();

  test('maps exactly the modules the firmware imports at run time, under their repository paths', () => {
    expect(manifest.modules).toEqual(lists.modules);
  });

  test('preloads every one of them, so their code and frozen tables stay in flash', () => {
    expect(manifest.preload).toEqual(lists.preload);
  });

  test('main, the board alias and the native bindings are part of the image', () => {
    expect(manifest.modules['*']).toEqual(['./main']);
    for (const [specifier, source] of Object.entries(DEVICE_ALIASES)) expect(manifest.modules[specifier]).toBe('./' + source);
    for (const native of ['esp32_power', 'esp32_ota', 'wmbus_kernels']) {
      expect(fs.existsSync(path.join(REPO, 'native', native + '.c'))).toBe(true);
    }
  });

  test('an import used only for types is not followed: the compiled JavaScript does not have it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-'));
    const file = path.join(dir, 'module.ts');
    fs.writeFileSync(file, "import type { A } from './a';\nimport { T } from './t';\nimport { b } from './b';\nexport const x: A | T = b;\n");
    expect(runtimeImports(file)).toEqual(['./b']);
    fs.rmSync(dir, { recursive: true });
  });

  test('a types-only module is not compiled into the image', () => {
    expect(Object.values(manifest.modules)).not.toContain('./tasks/types');
  });

  test('mcconfig compiles with this repository’s TypeScript and the native modules’ typings', () => {
    expect(manifest.build.WMBUS).toBe('./');
    expect(manifest.typescript.compiler).toBe('$(WMBUS)/node_modules/.bin/tsc');
    for (const t of manifest.typescript.tsconfig.compilerOptions.types) {
      expect(fs.existsSync(path.join(REPO, t + '.d.ts'))).toBe(true);
    }
  });
});

/** The SDK's manifest of one ECMA-419 IO class: `$(IO)/spi/manifest.json` provides `embedded:io/spi`. */
const IO_CLASS_INCLUDE = /^\$\(IO\)\/([a-z0-9]+)\/manifest\.json$/;
const IO_SPECIFIER = 'embedded:io/';

/**
 * Includes that bring Wi-Fi, lwIP sockets, SNTP and `setup/network`, which the SDK runs at every
 * boot: the SDK's IO manifest for all classes (its ESP32 manifest includes manifest_net.json and
 * the lwIP sockets) and the network manifests themselves. The firmware's network is the BG95's.
 */
const NETWORK_INCLUDE = /(^\$\(MODDABLE\)\/modules\/io\/manifest\.json$|manifest_net\.json$|\/(network|wifi|socket)\/)/;

/** What is wrong with a manifest's includes for the `embedded:io/*` modules a graph imports. */
function ioIncludeProblems(include: readonly string[], external: readonly string[]): string[] {
  const imported = external.filter((s) => s.startsWith(IO_SPECIFIER)).map((s) => s.slice(IO_SPECIFIER.length));
  const included = include.map((i) => IO_CLASS_INCLUDE.exec(i)?.[1]).filter((c): c is string => c !== undefined);
  return [
    ...include.filter((i) => NETWORK_INCLUDE.test(i)).map((i) => `${i} brings the network stack`),
    ...imported.filter((c) => !included.includes(c)).map((c) => `${IO_SPECIFIER}${c} is imported but $(IO)/${c}/manifest.json is not included`),
    ...included.filter((c) => !imported.includes(c)).map((c) => `$(IO)/${c}/manifest.json is included but ${IO_SPECIFIER}${c} is not imported`),
  ];
}

describe('SDK manifests', () => {
  test('includes the IO manifest of each embedded:io class the firmware imports, no other, and no network manifest', () => {
    expect(ioIncludeProblems(manifest.include, moduleGraph(DEVICE_GRAPH).external)).toEqual([]);
  });

  test('the include check reports the SDK’s all-class IO manifest, a class not included and a class not imported', () => {
    const include = ['$(MODDABLE)/modules/io/manifest.json', '$(IO)/spi/manifest.json', '$(IO)/analog/manifest.json'];
    expect(ioIncludeProblems(include, ['embedded:io/spi', 'embedded:io/i2c', 'timer'])).toEqual([
      '$(MODDABLE)/modules/io/manifest.json brings the network stack',
      'embedded:io/i2c is imported but $(IO)/i2c/manifest.json is not included',
      '$(IO)/analog/manifest.json is included but embedded:io/analog is not imported',
    ]);
  });

  test('keeps the ECMA-419 define the SDK’s IO manifest set: the debugger reserves its UART pins with it', () => {
    // build/devices/esp32/lib/debugger/debugger_uart.c: builtinUsePin() on the debug UART's pins under MODDEF_ECMA419_ENABLED.
    expect(manifest.build.IO).toBe('$(MODDABLE)/modules/io');
    expect(manifest.defines.ECMA419.enabled).toBe(1);
  });
});

describe('board configuration', () => {
  test('config.pins mirrors boards/esp32-reference/pins.ts', () => {
    expect(manifest.config.pins).toEqual(PINS);
  });

  test('the frame store partition named in the board exists', () => {
    expect(manifest.config.framestore).toBe(FRAME_STORE_PARTITION);
    expect(partitions().find((p) => p.name === FRAME_STORE_PARTITION)).toBeDefined();
  });

  test('build files exist where the manifest points', () => {
    expect(fs.existsSync(path.join(REPO, manifest.build.SDKCONFIGPATH, 'sdkconfig.defaults'))).toBe(true);
    expect(fs.existsSync(path.join(REPO, manifest.build.PARTITIONS_FILE))).toBe(true);
  });
});

describe('partition table (8 MB)', () => {
  const table = partitions();

  test('partitions are sector aligned, in order, without overlap, inside the flash', () => {
    let end = 0x9000; // after the bootloader and the partition table itself
    for (const p of table) {
      expect(p.offset % SECTOR).toBe(0);
      expect(p.size % SECTOR).toBe(0);
      expect(p.offset).toBeGreaterThanOrEqual(end);
      end = p.offset + p.size;
    }
    expect(end).toBeLessThanOrEqual(FLASH_BYTES);
  });

  test('two OTA app slots of equal size on 64 KB boundaries, with otadata', () => {
    const apps = table.filter((p) => p.type === 'app');
    expect(apps.map((p) => p.subtype)).toEqual(['ota_0', 'ota_1']);
    expect(apps[0].size).toBe(apps[1].size);
    for (const a of apps) expect(a.offset % APP_ALIGN).toBe(0);
    expect(table.find((p) => p.subtype === 'ota')).toBeDefined();
  });

  test('frame store of at least 1.5 MB; LittleFS storage; NVS large enough for a 16 KB white list', () => {
    const by = (n: string): Partition => table.find((p) => p.name === n)!;
    expect(by(FRAME_STORE_PARTITION).size).toBeGreaterThanOrEqual(1.5 * MB);
    expect(manifest.defines.file.partition).toBe('#storage');
    expect(by('storage').type).toBe('data');
    expect(by('nvs').size).toBeGreaterThanOrEqual(4 * 16 * KB);
  });
});

describe('XS machine creation', () => {
  test('separate chunk and slot heaps for the ESP32’s split DRAM (static 0)', () => {
    expect(manifest.creation.static).toBe(0);
    expect(manifest.creation.main).toBe('main');
  });

  test('the chunk heap holds the 16 KB white list plus a 20 KB file decoded and re-encoded', () => {
    expect(manifest.creation.chunk.initial).toBeGreaterThanOrEqual(16 * KB + 2 * 20 * KB);
  });
});
