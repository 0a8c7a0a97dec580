/** No import runs upward: protocol/ < drivers/ < tasks/ < boards/ < main.ts, and firmware never imports the host folders. */
import { LAYERS, layerFiles, layerViolations, violationsInLayer } from './layers';

describe('the layer checker', () => {
  test('finds every firmware module it has to check', () => {
    const files = LAYERS.flatMap((l) => layerFiles(l.name));
    expect(files).toEqual(expect.arrayContaining(['protocol/ftp/client.ts', 'drivers/power/ledger.ts', 'tasks/app.ts', 'boards/sim/board.ts', 'main.ts', 'moddable-board.ts']));
    expect(files.length).toBeGreaterThan(100);
  });

  test('flags an import of a layer above the importer, a type-only one included', () => {
    expect(layerViolations('protocol/ftp/client.ts', "import type { Clock } from '../../drivers/clock/types';\n")).toEqual([
      { file: 'protocol/ftp/client.ts', specifier: '../../drivers/clock/types', reason: 'protocol imports drivers, a layer above it' },
    ]);
  });

  test('flags a re-export from a layer above as it flags an import', () => {
    expect(layerViolations('drivers/power/ledger.ts', "export type { Board } from '../../tasks/board';\n").map((v) => v.reason)).toEqual(['drivers imports tasks, a layer above it']);
  });

  test('flags the board alias below the entry layer', () => {
    expect(layerViolations('tasks/app.ts', "import { createBoard } from 'board';\n").map((v) => v.reason)).toEqual(['tasks imports entry, a layer above it']);
    expect(layerViolations('main.ts', "import { createBoard } from 'board';\n")).toEqual([]);
  });

  test('flags a firmware import of the simulator, the tests, the benchmarks or the CLI', () => {
    const source = ["'../sim/device'", "'../tests/fixtures/manual-clock'", "'../bench/run'", "'../bin/cli'"].map((s) => `import * as m from ${s};\n`).join('');
    expect(layerViolations('boards/pins.ts', source).map((v) => v.reason)).toEqual([
      'firmware (boards) imports the host-only sim/',
      'firmware (boards) imports the host-only tests/',
      'firmware (boards) imports the host-only bench/',
      'firmware (boards) imports the host-only bin/',
    ]);
  });

  test('allows imports of the same layer, of the layers below and of the SDK', () => {
    const source = "import { a } from './board';\nimport type { Clock } from '../protocol/ports/clock';\nimport type { Flash } from '../drivers/flash/types';\nimport Digital from 'embedded:io/digital';\n";
    expect(layerViolations('tasks/app.ts', source)).toEqual([]);
  });

  test('leaves the host folders free to import anything', () => {
    expect(layerViolations('sim/device.ts', "import { boot } from '../main';\nimport { installBoard } from 'board';\n")).toEqual([]);
  });
});

describe('the firmware respects the layer rule', () => {
  test.each(LAYERS.map((l) => l.name))('%s imports only its own layer, the layers below it and the SDK', (layer) => {
    expect(violationsInLayer(layer)).toEqual([]);
  });
});
