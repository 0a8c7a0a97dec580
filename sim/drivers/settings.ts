import type { SettingValue, Settings } from '../../drivers/settings/types';

/** NVS keys are limited to 15 characters on ESP32 (nvs_flash: NVS_KEY_NAME_MAX_SIZE - 1). */
export const MAX_KEY_LENGTH = 15;

/** Settings store: the map lives in the device's persistent state, values are copied in and out. */
export class SimSettings implements Settings {
  constructor(private readonly store: Map<string, SettingValue>) {}

  get(key: string): SettingValue | undefined {
    const v = this.store.get(key);
    return v instanceof Uint8Array ? v.slice() : v;
  }

  set(key: string, value: SettingValue): void {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new Error(`settings: key "${key}" must be 1-${MAX_KEY_LENGTH} characters`);
    this.store.set(key, value instanceof Uint8Array ? value.slice() : value);
  }

  delete(key: string): void {
    this.store.delete(key);
  }

  keys(): string[] {
    return [...this.store.keys()].sort();
  }
}
