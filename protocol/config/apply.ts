/**
 * Applying a configuration file (§4.2, §5.2): the file `{ config: {...}, crc }` may be complete or
 * partial; the variables it holds replace the current ones and the others are kept. Any error
 * rejects the whole file and nothing is applied (§5.2: "the file will not be applied").
 */
import { BsonDocument, BsonValue } from '../bson/types';
import { checkField, fail, join, trimmedEntries } from './check';
import { CONFIG_GROUPS, CONFIG_SCHEMA, INFO_ONLY_FIELDS, fieldSpec } from './schema';
import { ApplyResult, Config, ConfigError } from './types';
import { bsonTypeOf, cloneTree, getPath, isDocument, sameTree, setPath } from './values';

const CONFIG_KEY = 'config';
/** The CRC trailer (§5.1.1.4) is the file codec's business; it reaches here already checked. */
const CRC_KEY = 'crc';

/**
 * Unknown keys reject the file. The manual never says they are ignored: it stresses that keys are
 * case-sensitive (§4.2) and that a file with an incorrect value is not applied (§5.2), so a
 * misspelt key is reported instead of being silently dropped. The info-only fields of appendix 9.1
 * are the exception: §4.2 lets the hub's own /CONFIG copy be sent back, so they are skipped.
 *
 * `changed` lists the paths (`config.radio.duration`) whose value differs from `current`.
 */
export function applyConfigFile(current: Config, doc: BsonDocument): ApplyResult {
  const top = trimmedEntries(doc, '');
  if (!top.ok) return top;
  let body: BsonValue | undefined;
  for (const [key, value] of top.entries) {
    if (key === CONFIG_KEY) body = value;
    else if (key !== CRC_KEY) return fail(key, 'unknown key (keys are case-sensitive, §4.2)');
  }
  if (body === undefined) return fail(CONFIG_KEY, 'missing');
  if (!isDocument(body)) return fail(CONFIG_KEY, `expected document, got ${bsonTypeOf(body)}`);

  const draft = cloneTree(current) as unknown as Record<string, unknown>;
  const merged = mergeGroup(draft, body, '');
  if (merged !== undefined) return merged;
  const config = draft as unknown as Config;
  const inconsistent = crossCheck(config);
  if (inconsistent !== undefined) return inconsistent;

  const changed = CONFIG_SCHEMA.filter((s) => !sameTree(getPath(current, s.path), getPath(config, s.path))).map((s) => join(CONFIG_KEY, s.path));
  return { ok: true, config, changed };
}

function mergeGroup(draft: Record<string, unknown>, doc: BsonDocument, group: string): ConfigError | undefined {
  const entries = trimmedEntries(doc, join(CONFIG_KEY, group));
  if (!entries.ok) return entries;
  for (const [key, value] of entries.entries) {
    const path = join(group, key);
    const field = join(CONFIG_KEY, path);
    if (group === '' && INFO_ONLY_FIELDS.includes(key)) continue;
    if (CONFIG_GROUPS.includes(path)) {
      if (!isDocument(value)) return fail(field, `expected document, got ${bsonTypeOf(value)}`);
      const inner = mergeGroup(draft, value, path);
      if (inner !== undefined) return inner;
      continue;
    }
    const spec = fieldSpec(path);
    if (spec === undefined) return fail(field, 'unknown key (keys are case-sensitive, §4.2)');
    const checked = checkField(spec, value, field);
    if (!checked.ok) return checked;
    setPath(draft, path, checked.value);
  }
  return undefined;
}

/** Rules between fields, checked on the merged configuration. */
function crossCheck(config: Config): ConfigError | undefined {
  const { radio, scheduleRadio, security, remote } = config;
  // §4.2.2 multi-listening: element i of `duration` (and of a trigger's `data`, §4.2.5.1.1) is the
  // window of mode i, so a list must have one entry per mode.
  const modes = Array.isArray(radio.mode) ? radio.mode.length : 1;
  if (Array.isArray(radio.duration) && radio.duration.length !== modes) {
    return fail('config.radio.duration', `${radio.duration.length} durations for ${modes} listening mode(s)`);
  }
  for (let i = 0; i < scheduleRadio.length; i++) {
    const data = scheduleRadio[i].data;
    if (Array.isArray(data) && data.length !== modes) {
      return fail(`config.scheduleRadio[${i}].data`, `${data.length} durations for ${modes} listening mode(s)`);
    }
  }
  // §4.2.1.2: encrypted files need the AES-128 key.
  if (security.encryption && security.key === null) return fail('config.security.key', 'required when encryption is true');
  // Product extension (docs/configuration.md): uploading over MQTT needs a broker.
  if (remote.transport !== 'ftp' && remote.mqtt.addr === null) return fail('config.remote.mqtt.addr', `required when remote.transport is '${remote.transport}'`);
  return undefined;
}
