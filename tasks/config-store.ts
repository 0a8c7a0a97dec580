import type { Settings } from '../drivers/settings/types';
import { decodeBson } from '../protocol/bson/decode';
import { encodeBson } from '../protocol/bson/encode';
import type { BsonDocument } from '../protocol/bson/types';
import { applyConfigFile } from '../protocol/config/apply';
import { defaultConfig, withFactoryPreset } from '../protocol/config/defaults';
import { configToDocument } from '../protocol/config/serialize';
import type { ApplyResult, Config, ConfigInfo, SystemMode } from '../protocol/config/types';
import { KEY } from './settings-keys';

/**
 * The configuration in force, persisted in the settings store as the same BSON document the hub
 * uploads to /CONFIG. A factory pre-configuration, when one was loaded at manufacturing, is kept
 * beside it and is what a factory reset restores (§3.1.1.4).
 */
export class ConfigStore {
  private config: Config;

  constructor(private readonly settings: Settings, private readonly info: () => ConfigInfo) {
    this.config = this.load();
  }

  get current(): Config {
    return this.config;
  }

  get mode(): SystemMode {
    return this.config.mode;
  }

  /** A change not yet copied to the server's /CONFIG (survives deep sleep). */
  get copyPending(): boolean {
    return this.settings.get(KEY.configCopyPending) === true;
  }

  copyUploaded(): void {
    this.settings.delete(KEY.configCopyPending);
  }

  /** Applies a configuration file (`{config: {...}}`); all or nothing. */
  apply(doc: BsonDocument): ApplyResult {
    const result = applyConfigFile(this.config, doc);
    if (result.ok && result.changed.length > 0) this.replace(result.config);
    return result;
  }

  setMode(mode: SystemMode): void {
    if (this.config.mode === mode) return;
    this.replace({ ...this.config, mode });
  }

  /** Stores the manufacturer's pre-configuration; it becomes the factory default (and is applied now). */
  setFactoryPreset(preset: BsonDocument): ApplyResult {
    const r = withFactoryPreset(preset);
    if (!r.ok) return r;
    this.settings.set(KEY.factoryPreset, encodeBson(preset));
    this.replace(r.config);
    return { ok: true, config: r.config, changed: ['config'] };
  }

  factoryReset(): void {
    this.replace(this.factoryDefault());
  }

  /** The document uploaded to /CONFIG and returned by configGet. */
  document(): BsonDocument {
    return configToDocument(this.config, this.info());
  }

  private replace(config: Config): void {
    this.config = config;
    this.settings.set(KEY.configCopyPending, true);
    this.settings.set(KEY.config, encodeBson(configToDocument(config, this.info())));
  }

  private factoryDefault(): Config {
    const raw = this.settings.get(KEY.factoryPreset);
    if (raw instanceof Uint8Array) {
      const doc = decodeBson(raw);
      if (doc.ok) {
        const r = withFactoryPreset(doc.value);
        if (r.ok) return r.config;
      }
    }
    return defaultConfig();
  }

  private load(): Config {
    const raw = this.settings.get(KEY.config);
    if (raw instanceof Uint8Array) {
      const doc = decodeBson(raw);
      if (doc.ok) {
        const r = applyConfigFile(defaultConfig(), doc.value);
        if (r.ok) return r.config;
      }
    }
    // Nothing stored (first power-on) or unreadable: the factory default, never a half config.
    return this.factoryDefault();
  }
}
