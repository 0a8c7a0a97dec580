/**
 * Preloading keeps a module's tables in flash only when they are frozen; xsl copies every mutable
 * one into RAM at boot (.ci/device-build fails on its "not frozen" warnings). The tables are
 * frozen with protocol/freeze.ts, whose `Object.freeze(table, true)` is XS's deep freeze. V8
 * ignores the second argument, so here the outer level is checked as loaded, and every level with
 * the modules loaded again under a stand-in for XS's deep freeze (xs/sources/xsObject.c,
 * fx_Object_freeze).
 */
import * as path from 'node:path';
import { freezeTable } from '../../protocol/freeze';
import { FrameStore } from '../../tasks/store/frame-store';
import { REPO } from './module-graph';

/** Exported tables of the device image, by module: a sample from each layer. */
const TABLES: readonly (readonly [module: string, exports: readonly string[]])[] = [
  ['protocol/config/schema', ['CONFIG_SCHEMA', 'CONFIG_GROUPS', 'INFO_ONLY_FIELDS', 'NB_IOT_BANDS', 'MODEM_TECHS', 'MODEM_TECH_ALIASES']],
  ['protocol/config/whitelist', ['WHITELIST_FILE_SUFFIXES']],
  ['protocol/commands/types', ['COMMAND_TYPES', 'COMMAND_TYPE_ALIASES']],
  ['protocol/bson/format', ['ELEMENT']],
  ['protocol/crypto/cbc', ['FILE_IV']],
  ['protocol/crypto/ed25519', ['ED25519_CONSTANTS']],
  ['protocol/files/names', ['OUTBOX_DIRECTORY']],
  ['protocol/files/supervision', ['TEMPERATURE_BINS']],
  ['protocol/firmware/image', ['IMAGE_MAGIC']],
  ['protocol/wmbus/header', ['FILTER_IDENTITY_RESULTS']],
  ['drivers/power/model', ['POWER_MODEL', 'PACK', 'INITIAL_STATES']],
  ['drivers/radio/cc1101-registers', ['Reg', 'Strobe', 'StatusReg', 'ChipState', 'MarcState', 'GdoSignal', 'KNOWN_VERSIONS', 'WMBUS_PHY']],
  ['drivers/radio/types', ['RADIO_HEAD_BYTES']],
  ['drivers/modem/bg95', ['BG95_TIMING']],
  ['drivers/modem/bg95-config', ['IOTOPMODE', 'NWSCANMODE', 'AUTO_DEFAULT_SEQUENCE', 'NB_IOT_BANDS']],
  ['drivers/esp32/ota', ['OTA_IMG_STATE']],
  ['tasks/log/events', ['EVENTS']],
  ['tasks/settings-keys', ['KEY']],
  ['tasks/modem/policy', ['LIMIT']],
  ['tasks/modem/session', ['SERVER_DIRECTORIES']],
  ['boards/esp32-reference/pins', ['PINS']],
];

const EACH_TABLE = TABLES.flatMap(([module, names]) => names.map((name) => [module, name] as const));

function load(module: string): Record<string, unknown> {
  return require(path.join(REPO, module)) as Record<string, unknown>;
}

/** XS's deep freeze: typed-array elements cannot be frozen and are passed over, as XS does. */
function xsDeepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  if (ArrayBuffer.isView(value)) {
    Object.preventExtensions(value);
    return;
  }
  v8Freeze(value);
  for (const key of Reflect.ownKeys(value)) {
    const property = Object.getOwnPropertyDescriptor(value, key);
    xsDeepFreeze(property?.value);
  }
}

const v8Freeze = Object.freeze;

/** The modules loaded afresh while `Object.freeze(x, true)` freezes deeply, as on XS. */
function loadUnderXsFreeze(module: string): Record<string, unknown> {
  let exports: Record<string, unknown> = {};
  const freeze = (value: unknown, deep?: boolean): unknown => {
    if (deep !== true) return v8Freeze(value);
    xsDeepFreeze(value);
    return value;
  };
  Object.freeze = freeze as typeof Object.freeze;
  try {
    jest.isolateModules(() => {
      exports = load(module);
    });
  } finally {
    Object.freeze = v8Freeze;
  }
  return exports;
}

/** Paths below `value` to every object left mutable (a typed array: still extensible). */
function mutableParts(value: unknown, at = '', seen = new Set<object>()): string[] {
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const frozen = ArrayBuffer.isView(value) ? !Object.isExtensible(value) : Object.isFrozen(value);
  const here = frozen ? [] : [at || '(table)'];
  return here.concat(Object.entries(value).flatMap(([key, item]) => mutableParts(item, `${at}.${key}`, seen)));
}

describe('freezeTable', () => {
  test('returns the table it was given, frozen', () => {
    const table = { a: 1 };
    expect(freezeTable(table)).toBe(table);
    expect(Object.isFrozen(table)).toBe(true);
  });

  test("asks for XS's deep freeze with Object.freeze's second argument", () => {
    const spy = jest.spyOn(Object, 'freeze');
    try {
      const table = { a: [1] };
      freezeTable(table);
      expect(spy).toHaveBeenCalledWith(table, true);
    } finally {
      spy.mockRestore();
    }
  });

  test('calls Object.freeze on Object, where XS finds isFrozen for the nested objects', () => {
    const spy = jest.spyOn(Object, 'freeze');
    try {
      freezeTable({ a: [1] });
      expect(spy.mock.contexts[0]).toBe(Object);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('constant tables of the device image', () => {
  test.each(EACH_TABLE)('%s: %s is frozen as loaded', (module, name) => {
    expect(Object.isFrozen(load(module)[name])).toBe(true);
  });

  test.each(EACH_TABLE)("%s: %s is frozen at every level under XS's deep freeze", (module, name) => {
    expect(mutableParts(loadUnderXsFreeze(module)[name])).toEqual([]);
  });

  test('the walk names a nested object left mutable', () => {
    expect(mutableParts(v8Freeze({ a: v8Freeze([v8Freeze({}), { b: 1 }]) }))).toEqual(['.a.1']);
  });

  test("the frame store's generator method has its prototype frozen", () => {
    expect(Object.isFrozen((FrameStore.prototype.records as { prototype: object }).prototype)).toBe(true);
  });
});
