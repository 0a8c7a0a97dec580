/** The configuration a hub starts from, and the one a factory reset restores. */
import { BsonDocument } from '../bson/types';
import { applyConfigFile } from './apply';
import { CONFIG_SCHEMA } from './schema';
import { Config, ConfigError } from './types';
import { cloneTree, setPath } from './values';

/** Every variable at its appendix 9.1 default (see `source` in the schema where the manual is unclear). */
export function defaultConfig(): Config {
  const root: Record<string, unknown> = {};
  for (const spec of CONFIG_SCHEMA) setPath(root, spec.path, cloneTree(spec.default));
  return root as unknown as Config;
}

export type PresetResult = { ok: true; config: Config } | ConfigError;

/**
 * The defaults of a hub shipped with a factory pre-configuration (a configuration file, partial like
 * any other): §3.1.1.4 makes it the configuration a factory reset restores, and §3.1.1.2 ships such a
 * hub in STORAGE mode, so `mode` is `storage` unless the preset sets it.
 */
export function withFactoryPreset(preset: BsonDocument): PresetResult {
  const base = defaultConfig();
  base.mode = 'storage';
  const applied = applyConfigFile(base, preset);
  return applied.ok ? { ok: true, config: applied.config } : applied;
}
