/** sim/moddable/manifest.json, the simulator's Moddable host build, stays what its generator writes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_ALIASES, HOST_ENTRY, HOST_HEAPS, HOST_PROGRAM, HOST_TYPES, hostManifest, hostManifestPath } from '../../sim/moddable/manifest.node';
import { REPO, manifestPath } from './device-manifest';
import { moduleGraph } from './module-graph';

interface Manifest {
  build: Record<string, string>;
  creation: Record<string, unknown> & { main: string };
  modules: Record<string, string>;
  preload: string[];
  typescript: { compiler: string; tsconfig: { compilerOptions: Record<string, unknown> & { types: string[] } } };
}

const read = (file: string): Manifest => JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
const host = read(hostManifestPath());
const device = read(manifestPath());

describe('host manifest (sim/moddable/manifest.json)', () => {
  test('is what sim/moddable/manifest.node.ts writes from the import graph (run it after changing imports)', () => {
    expect(host).toEqual(hostManifest());
  });

  test('maps the entry under its path, so its relative imports resolve on XS as in the repository', () => {
    expect(host.modules[HOST_ENTRY]).toBe('$(WMBUS)/' + HOST_ENTRY);
    expect(host.modules['*']).toBeUndefined();
    expect(host.creation.main).toBe(HOST_ENTRY);
  });

  test('the firmware, the simulator board and the bridge are all preloaded, as on the device', () => {
    expect(host.preload).toEqual(expect.arrayContaining(['main', 'tasks/app', 'board', 'host_bridge', HOST_ENTRY]));
    for (const [specifier, source] of Object.entries(HOST_ALIASES)) expect(host.modules[specifier]).toBe('$(WMBUS)/' + source);
    expect(host.preload).toHaveLength(moduleGraph({ entries: [HOST_ENTRY], aliases: HOST_ALIASES }).modules.length);
  });

  test('same creation and TypeScript step as the device (but the heaps, the main module and the typings)', () => {
    const { main: _hostMain, chunk: _hostChunk, heap: _hostHeap, ...hostCreation } = host.creation;
    const { main: _deviceMain, chunk: _deviceChunk, heap: _deviceHeap, ...deviceCreation } = device.creation;
    expect(hostCreation).toEqual(deviceCreation);
    expect(host.creation.static).toBe(0);
    expect({ chunk: host.creation.chunk, heap: host.creation.heap }).toEqual(HOST_HEAPS);
    expect(host.typescript.compiler).toBe(device.typescript.compiler);
    const { types: _hostTypes, ...hostOptions } = host.typescript.tsconfig.compilerOptions;
    const { types: _deviceTypes, ...deviceOptions } = device.typescript.tsconfig.compilerOptions;
    expect(hostOptions).toEqual(deviceOptions);
  });

  test('the native sources, the program main and the typings are where the manifest points', () => {
    for (const file of ['sim/moddable/host_bridge.c', 'sim/moddable/host_bridge.js', HOST_PROGRAM + '.c', ...HOST_TYPES.map((t) => t + '.d.ts')]) {
      expect(fs.existsSync(path.join(REPO, file))).toBe(true);
    }
    expect(path.resolve(path.dirname(hostManifestPath()), host.build.WMBUS)).toBe(REPO);
  });
});
