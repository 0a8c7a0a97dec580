/** Validates decoded BSON values against the schema table and converts them to their Config form. */
import { BsonBinary, BsonDocument, BsonValue } from '../bson/types';
import { Check, CodeSize, FieldSpec, ListCheck, TextFormat } from './schema';
import { normalizeTrigger } from './trigger';
import { isIpv4 } from '../net/address';
import { ConfigError } from './types';
import { bsonTypeOf, describe, integerOf, isDocument, sameTree } from './values';

export type Checked = { ok: true; value: unknown } | ConfigError;

const MAX_PORT = 65535;

export function fail(field: string, reason: string): ConfigError {
  return { ok: false, field, reason };
}

function ok(value: unknown): Checked {
  return { ok: true, value };
}

/**
 * A document's entries with surrounding white space removed from each key. The manual's own examples
 * write `" longHeader"` (§4.2.2) and `" monitoringPeriod "` (§4.2.5.2); keys stay case-sensitive
 * (§4.2). Two keys that trim to the same name are an error.
 */
export function trimmedEntries(doc: BsonDocument, field: string): { ok: true; entries: [string, BsonValue][] } | ConfigError {
  const entries: [string, BsonValue][] = [];
  const seen: string[] = [];
  for (const [raw, value] of Object.entries(doc)) {
    const key = raw.trim();
    if (seen.includes(key)) return fail(join(field, key), 'key given twice');
    seen.push(key);
    entries.push([key, value]);
  }
  return { ok: true, entries };
}

/** `a.b` from `a` and `b`; either side may be empty. */
export function join(field: string, key: string): string {
  if (field === '') return key;
  return key === '' ? field : `${field}.${key}`;
}

/** Checks one schema field: null handling, the table's BSON types, then the value check. */
export function checkField(spec: FieldSpec, value: BsonValue, field: string): Checked {
  if (value === null) {
    if (!spec.nullable) return fail(field, `null is not allowed, expected ${spec.bson.join(' or ')}`);
    return ok(spec.check.kind === 'codes' || spec.check.kind === 'schedule' ? [] : null);
  }
  const type = bsonTypeOf(value);
  if (!spec.bson.includes(type)) return fail(field, `expected ${spec.bson.join(' or ')}, got ${type}`);
  return checkValue(spec.check, value, field);
}

export function checkValue(check: Check, value: BsonValue, field: string): Checked {
  switch (check.kind) {
    case 'int':
      return checkInt(check.min, check.max, check.orZero === true, value, field);
    case 'enum':
      return checkEnum(check.values, check.aliases, value, field);
    case 'bool':
      return typeof value === 'boolean' ? ok(value) : fail(field, `expected bool, got ${bsonTypeOf(value)}`);
    case 'text':
      return checkText(check.maxLength, check.format, value, field);
    case 'pin':
      return checkPin(check.maxLength, value, field);
    case 'bytes':
      if (!(value instanceof BsonBinary)) return fail(field, `expected binary, got ${bsonTypeOf(value)}`);
      if (value.bytes.length !== check.length) return fail(field, `${value.bytes.length} bytes, expected ${check.length}`);
      return ok(value.bytes.slice());
    case 'codes':
      return checkCodes(check.size, check.maxCount, value, field);
    case 'list':
      return checkList(check, value, field);
    case 'oneOrList':
      return Array.isArray(value) ? checkList(check.list, value, field) : checkValue(check.item, value, field);
    case 'cron': {
      if (typeof value !== 'string') return fail(field, `expected string, got ${bsonTypeOf(value)}`);
      const trigger = normalizeTrigger(value);
      return trigger.ok ? ok(trigger.cron) : fail(field, trigger.reason);
    }
    case 'schedule':
      return checkSchedule(check.maxCount, check.data, check.dataRequired, value, field);
  }
}

function checkInt(min: number, max: number, orZero: boolean, value: BsonValue, field: string): Checked {
  const n = integerOf(value);
  if (n === undefined) return fail(field, `expected an integer, got ${describe(value)}`);
  if (orZero && n === 0) return ok(n);
  if (n < min || n > max) return fail(field, `${n} is out of range ${min}..${max}${orZero ? ' (or 0 to disable)' : ''}`);
  return ok(n);
}

function checkEnum(values: readonly (number | string)[], aliases: Readonly<Record<string, string>> | undefined, value: BsonValue, field: string): Checked {
  const numeric = typeof values[0] === 'number';
  let v: number | string | undefined;
  if (numeric) v = integerOf(value);
  else if (typeof value === 'string') v = aliases !== undefined && Object.prototype.hasOwnProperty.call(aliases, value) ? aliases[value] : value;
  if (v === undefined) return fail(field, `expected ${numeric ? 'an integer' : 'a string'}, got ${describe(value)}`);
  if (!values.includes(v)) return fail(field, `${describe(value)} is not one of ${values.join(', ')}`);
  return ok(v);
}

function checkText(maxLength: number, format: TextFormat | undefined, value: BsonValue, field: string): Checked {
  if (typeof value !== 'string') return fail(field, `expected string, got ${bsonTypeOf(value)}`);
  // '' is "no server" for addresses (§4.2.3.2); the host format stores it as null, its only "none".
  if (format === 'host' && value === '') return ok(null);
  const length = [...value].length;
  if (length > maxLength) return fail(field, `${length} characters, at most ${maxLength}`);
  const bad = format === undefined ? undefined : formatError(format, value);
  return bad === undefined ? ok(value) : fail(field, bad);
}

function formatError(format: TextFormat, text: string): string | undefined {
  switch (format) {
    case 'digits4':
      return /^[0-9]{4}$/.test(text) ? undefined : `${JSON.stringify(text)} is not 4 digits`;
    case 'phone':
      return /^\+?[0-9]{1,16}$/.test(text) ? undefined : `${JSON.stringify(text)} is not a phone number of up to 16 digits`;
    case 'hostPort':
      return hostPortError(text);
    case 'host':
      return hostError(text);
    case 'clientId':
      return /^[0-9a-zA-Z_-]+$/.test(text) ? undefined : `${JSON.stringify(text)} is not 1..23 characters of 0-9, a-z, A-Z, '_', '-'`;
    case 'topicPrefix':
      return topicPrefixError(text);
  }
}

/** A host name (RFC 1123 labels) or a dotted IPv4 address; no port, which has its own variable. */
function hostError(text: string): string | undefined {
  if (text.includes(':')) return `${JSON.stringify(text)} has a port: give it in port`;
  const labels = text.split('.');
  if (labels.every((l) => /^[0-9]+$/.test(l))) return isIpv4(text) ? undefined : `${JSON.stringify(text)} is not a dotted IPv4 address`;
  const bad = labels.some((l) => !/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
  return bad ? `${JSON.stringify(text)} is not a host name or IPv4 address` : undefined;
}

/** MQTT 3.1.1 §4.7: a topic name has no '+' or '#' and no NUL (§1.5.3); the prefix joins topics with '/'. */
function topicPrefixError(text: string): string | undefined {
  if (text === '') return 'empty, at least 1 character';
  if (text.includes('+') || text.includes('#')) return `${JSON.stringify(text)} contains a wildcard ('+' or '#')`;
  if (text.includes('\u0000')) return `${JSON.stringify(text)} contains NUL`;
  if (text.startsWith('/') || text.endsWith('/')) return `${JSON.stringify(text)} starts or ends with '/'`;
  return undefined;
}

/** §4.2.3.2, §4.2.3.3: `host` or `host:port` with port 1–65535; '' means no server. */
function hostPortError(text: string): string | undefined {
  if (text === '') return undefined;
  if (/\s/.test(text)) return `${JSON.stringify(text)} contains white space`;
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  if (colon === 0) return `${JSON.stringify(text)} has no host before the port`;
  const port = text.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > MAX_PORT) return `port "${port}" is not a number 1..${MAX_PORT}`;
  return undefined;
}

function checkPin(maxLength: number, value: BsonValue, field: string): Checked {
  if (typeof value === 'string') return checkText(maxLength, undefined, value, field);
  const n = integerOf(value);
  if (n === undefined || n < 0) return fail(field, `expected a string or a non-negative integer, got ${describe(value)}`);
  return checkText(maxLength, undefined, String(n), field);
}

/** §4.2.2: filter codes (or black-list identities), as one binary with the codes back to back or as an array of one-code binaries. */
function checkCodes(size: CodeSize, maxCount: number, value: BsonValue, field: string): Checked {
  const codes: Uint8Array[] = [];
  if (value instanceof BsonBinary) {
    if (value.bytes.length % size !== 0) return fail(field, `${value.bytes.length} bytes is not a whole number of ${size}-byte codes`);
    for (let i = 0; i < value.bytes.length; i += size) codes.push(value.bytes.slice(i, i + size));
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (!(item instanceof BsonBinary)) return fail(`${field}[${i}]`, `expected binary, got ${bsonTypeOf(item)}`);
      if (item.bytes.length !== size) return fail(`${field}[${i}]`, `${item.bytes.length} bytes, expected ${size}`);
      codes.push(item.bytes.slice());
    }
  } else return fail(field, `expected binary or array, got ${bsonTypeOf(value)}`);
  if (codes.length > maxCount) return fail(field, `too many entries: ${codes.length} codes, at most ${maxCount}`);
  return ok(size === 1 ? codes.map((c) => c[0]) : codes);
}

function checkList(check: ListCheck, value: BsonValue, field: string): Checked {
  if (!Array.isArray(value)) return fail(field, `expected array, got ${bsonTypeOf(value)}`);
  if (value.length > check.maxCount) return fail(field, `too many entries: ${value.length}, at most ${check.maxCount}`);
  if (value.length < check.minCount) return fail(field, `${value.length} entries, at least ${check.minCount}`);
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) {
    const item = checkValue(check.item, value[i], `${field}[${i}]`);
    if (!item.ok) return item;
    if (check.distinct === true && out.some((o) => sameTree(o, item.value))) return fail(`${field}[${i}]`, `${describe(value[i])} is listed twice`);
    out.push(item.value);
  }
  return ok(out);
}

/** §4.2.5.1: a list of `{ cron, data }` timer triggers. */
function checkSchedule(maxCount: number, data: Check, dataRequired: boolean, value: BsonValue, field: string): Checked {
  if (!Array.isArray(value)) return fail(field, `expected array, got ${bsonTypeOf(value)}`);
  if (value.length > maxCount) return fail(field, `too many entries: ${value.length} triggers, at most ${maxCount}`);
  const triggers: { cron: string; data?: unknown }[] = [];
  for (let i = 0; i < value.length; i++) {
    const entryField = `${field}[${i}]`;
    const entry = value[i];
    if (!isDocument(entry)) return fail(entryField, `expected document, got ${bsonTypeOf(entry)}`);
    const keys = trimmedEntries(entry, entryField);
    if (!keys.ok) return keys;
    let cron: string | undefined;
    let dataValue: unknown;
    for (const [key, v] of keys.entries) {
      const keyField = join(entryField, key);
      if (key === 'cron') {
        const c = checkValue({ kind: 'cron' }, v, keyField);
        if (!c.ok) return c;
        cron = c.value as string;
      } else if (key === 'data') {
        if (v === null && !dataRequired) continue;
        if (v === null) return fail(keyField, 'null is not allowed');
        const d = checkValue(data, v, keyField);
        if (!d.ok) return d;
        dataValue = d.value;
      } else return fail(keyField, 'unknown key');
    }
    if (cron === undefined) return fail(join(entryField, 'cron'), 'missing');
    if (dataValue === undefined && dataRequired) return fail(join(entryField, 'data'), 'missing');
    triggers.push(dataValue === undefined ? { cron } : { cron, data: dataValue });
  }
  return ok(triggers);
}
