import type { SettingValue, Settings } from '../../drivers/settings/types';
import type { PowerTap } from './power-rail';

/** NVS keys are limited to 15 characters on ESP32 (nvs_flash: NVS_KEY_NAME_MAX_SIZE - 1). */
export const MAX_KEY_LENGTH = 15;

/**
 * Settings store: the map lives in the device's persistent state, values are copied in and out.
 * With a tap, a write torn by a power cut leaves the old value or the new one: NVS writes an entry
 * whole and marks it valid last (ESP-IDF NVS, "Items"), so a key is never half written.
 */
export class SimSettings implements Settings {
  constructor(private readonly store: Map<string, SettingValue>, private readonly tap?: PowerTap) {}

  get(key: string): SettingValue | undefined {
    const v = this.store.get(key);
    return v instanceof Uint8Array ? v.slice() : v;
  }

  set(key: string, value: SettingValue): void {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new Error(`settings: key "${key}" must be 1-${MAX_KEY_LENGTH} characters`);
    const copy = value instanceof Uint8Array ? value.slice() : value;
    this.write(`settings set ${key}`, () => this.store.set(key, copy));
  }

  delete(key: string): void {
    this.write(`settings delete ${key}`, () => this.store.delete(key));
  }

  keys(): string[] {
    return [...this.store.keys()].sort();
  }

  private write(what: string, apply: () => void): void {
    if (this.tap === undefined) apply();
    else this.tap.write('settings', what, apply);
  }
}
