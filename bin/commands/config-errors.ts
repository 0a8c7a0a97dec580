/**
 * Every error of a configuration file, for `wmbus config check`. The device's applyConfigFile stops
 * at the first error, which its ACK names (§5.5); the operator fixing a file wants them all. Each
 * round takes the variable an error names out of the file and applies the rest again, so the device
 * code keeps its single-error path and the list below is what it would report, one fix at a time.
 */
import { isPlainObject } from '../../protocol/bson/document';
import { BsonDocument, BsonValue } from '../../protocol/bson/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { Config, ConfigError } from '../../protocol/config/types';

/** A file has at most this many variables; the bound only guards the loop. */
const MAX_ROUNDS = 1000;
const CONFIG_KEY = 'config';

/** `config.scheduleRadio[0].cron` → `['config', 'scheduleRadio']`: a list or trigger error removes the whole variable. */
function pathOf(field: string): string[] {
  const path: string[] = [];
  for (const part of field.split('.')) {
    const bracket = part.indexOf('[');
    path.push(bracket < 0 ? part : part.slice(0, bracket));
    if (bracket >= 0) break;
  }
  return path;
}

/** A copy of `doc` without the key at `path` (keys matched as the device does, white space trimmed); undefined when it is not there. */
function without(doc: BsonDocument, path: readonly string[]): BsonDocument | undefined {
  const [head, ...rest] = path;
  const key = Object.keys(doc).find((k) => k.trim() === head);
  if (key === undefined) return undefined;
  const out: BsonDocument = { ...doc };
  if (rest.length === 0) {
    delete out[key];
    return out;
  }
  const inner: BsonValue = doc[key];
  if (!isPlainObject(inner)) {
    delete out[key];
    return out;
  }
  const smaller = without(inner as BsonDocument, rest);
  if (smaller === undefined) return undefined;
  out[key] = smaller;
  return out;
}

/** The errors applyConfigFile finds in `doc`, in the order it finds them; empty when the file applies. */
export function configErrors(current: Config, doc: BsonDocument): ConfigError[] {
  const errors: ConfigError[] = [];
  let work: BsonDocument | undefined = doc;
  for (let round = 0; round < MAX_ROUNDS && work !== undefined; round++) {
    const applied = applyConfigFile(current, work);
    if (applied.ok) break;
    if (errors.some((e) => e.field === applied.field && e.reason === applied.reason)) break;
    errors.push(applied);
    const path = pathOf(applied.field);
    // Without its `config` document the file would only add "config: missing".
    if (path.length === 1 && path[0] === CONFIG_KEY) break;
    work = without(work, path);
  }
  return errors;
}
