/** Power cuts in the storage fakes: a torn write, the dead boot after it, and the scenario's powerCut action. */
import { PowerCutError } from '../../sim/drivers/flash';
import { SimFiles } from '../../sim/drivers/files';
import { PowerRail } from '../../sim/drivers/power-rail';
import { createOtaState, SimOta } from '../../sim/drivers/ota';
import { SimSettings } from '../../sim/drivers/settings';
import type { SettingValue } from '../../drivers/settings/types';
import { scenarioErrors } from '../../sim/cli/scenario-check';
import { runSimulation } from '../../sim/run';
import { DEFAULT_SCENARIO } from '../../sim/scenario';
import { createRandom } from '../../sim/world/random';

const FILES_BYTES = 64 * 1024;
const FACTORY = Uint8Array.of(0x57, 0x4d, 0x46, 0x57);

describe('a write torn by a power cut', () => {
  test('a settings write cut short leaves the old value or the new one, and throws PowerCutError', () => {
    const outcomes = new Set<SettingValue | undefined>();
    for (let seed = 0; seed < 16; seed++) {
      const store = new Map<string, SettingValue>([['cfg', 'old']]);
      const rail = new PowerRail();
      rail.arm('settings', 0, createRandom(seed));
      expect(() => new SimSettings(store, rail.tap()).set('cfg', 'new')).toThrow(PowerCutError);
      outcomes.add(store.get('cfg'));
    }
    expect(outcomes).toEqual(new Set(['old', 'new']));
  });

  test('the cut lands on the write it was armed for: earlier writes go through', () => {
    const store = new Map<string, SettingValue>();
    const rail = new PowerRail();
    rail.arm('settings', 2, createRandom(1));
    const settings = new SimSettings(store, rail.tap());
    settings.set('a', 1);
    settings.set('b', 2);
    expect(() => settings.set('c', 3)).toThrow(PowerCutError);
    expect(store.get('a')).toBe(1);
    expect(store.get('b')).toBe(2);
    expect(rail.counters.torn.settings).toBe(1);
  });

  test('a file rename cut short is done or not done: the file is under exactly one of its names', () => {
    for (let seed = 0; seed < 8; seed++) {
      const store = new Map([['a.tmp', Uint8Array.of(1, 2, 3)]]);
      const rail = new PowerRail();
      rail.arm('files', 0, createRandom(seed));
      expect(() => new SimFiles(store, FILES_BYTES, rail.tap()).rename('a.tmp', 'a')).toThrow(PowerCutError);
      expect([...store.keys()].length).toBe(1);
      expect([...store.values()][0]).toEqual(Uint8Array.of(1, 2, 3));
    }
  });

  test('an OTA write cut short leaves the running image to boot: the new one only boots once written whole and chosen', () => {
    const image = Uint8Array.from({ length: 3 * 4096 }, (_, i) => i & 0xff);
    // Writes of an install: erase, three slices, end, boot choice.
    const writes = 6;
    for (let tornAt = 0; tornAt < writes; tornAt++) {
      const state = createOtaState(FACTORY);
      const rail = new PowerRail();
      rail.arm('ota', tornAt, createRandom(tornAt));
      const ota = new SimOta(state, { slotBytes: 64 * 1024, tap: rail.tap() });
      expect(() => {
        ota.begin(image.length);
        for (let at = 0; at < image.length; at += 4096) ota.write(image.subarray(at, at + 4096));
        ota.complete();
        ota.setBoot(ota.inactiveSlot);
      }).toThrow(PowerCutError);
      expect(rail.counters.torn.ota).toBe(1);
      const booted = new SimOta(state, { slotBytes: 64 * 1024 });
      const running = booted.runningImage;
      // Torn before the boot choice: the factory image; at it, the choice was made or not.
      if (tornAt < writes - 1) expect(running).toEqual(FACTORY);
      else expect([FACTORY.join(','), image.join(',')]).toContain(running.join(','));
    }
  });

  test('after the cut the boot that was running writes nothing more', () => {
    const settingsStore = new Map<string, SettingValue>([['k', 'kept']]);
    const fileStore = new Map([['log', Uint8Array.of(7)]]);
    const rail = new PowerRail();
    const tap = rail.tap();
    rail.instantCut();
    expect(() => new SimSettings(settingsStore, tap).set('k', 'lost')).toThrow(PowerCutError);
    expect(() => new SimFiles(fileStore, FILES_BYTES, tap).delete('log')).toThrow(PowerCutError);
    expect(settingsStore.get('k')).toBe('kept');
    expect(fileStore.get('log')).toEqual(Uint8Array.of(7));
  });

  test('the next boot writes again', () => {
    const store = new Map<string, SettingValue>();
    const rail = new PowerRail();
    rail.instantCut();
    new SimSettings(store, rail.tap()).set('k', 'after');
    expect(store.get('k')).toBe('after');
  });
});

describe('the scenario action powerCut', () => {
  test('the box boots again as at power-on and goes on with its schedule', async () => {
    const scenario = { ...DEFAULT_SCENARIO, days: 2, actions: [{ atMinutes: 600, action: 'powerCut' as const }] };
    const { device, summary } = await runSimulation(scenario, { print: () => undefined });
    expect(device.stats.bootsByCause['power-on']).toBe(2);
    expect(summary.windows).toBe(2);
  });

  test('a cut armed on the frame store tears a write of the next radio window, and the window of the next day runs', async () => {
    const scenario = { ...DEFAULT_SCENARIO, days: 2, actions: [{ atMinutes: 179, action: 'powerCut' as const, during: 'frame-store' as const, afterWrites: 40 }] };
    const { device, summary } = await runSimulation(scenario, { print: () => undefined });
    expect(device.rail.counters.torn['frame-store']).toBe(1);
    expect(device.stats.bootsByCause['power-on']).toBe(2);
    expect(summary.windows).toBe(1);
  });

  test('the scenario check names an unknown action and a store a cut cannot tear', () => {
    const errors = scenarioErrors({ actions: [{ atMinutes: 1, action: 'unplug' }, { atMinutes: 1, action: 'powerCut', during: 'ram' }] });
    expect(errors).toEqual([
      'actions[0].action: "unplug" is not an action (known: magnet, reset, usb, powerCut, network, sms)',
      'actions[1].during: "ram" is not a store a cut can tear (frame-store, settings, files, ota)',
    ]);
  });

  test('the scenario check accepts the powerCut action with its keys', () => {
    expect(scenarioErrors({ actions: [{ atMinutes: 10, action: 'powerCut', during: 'settings', afterWrites: 3 }] })).toEqual([]);
  });
});
