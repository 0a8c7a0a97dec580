export type SettingValue = number | string | boolean | Uint8Array;

/** Persistent key-value store (NVS on ESP32). Keys are at most 15 characters. */
export interface Settings {
  get(key: string): SettingValue | undefined;
  set(key: string, value: SettingValue): void;
  delete(key: string): void;
  keys(): string[];
}
