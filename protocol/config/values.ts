/** Small helpers over decoded BSON values and configuration trees. */
import { BsonBinary, BsonDocument, BsonDouble, BsonValue } from '../bson/types';
import { BsonTypeName } from './schema';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** The BSON element type a decoded value stands for (protocol/bson/types.ts mapping). */
export function bsonTypeOf(value: BsonValue): BsonTypeName {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX ? 'int32' : 'double';
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof BsonDouble) return 'double';
  if (value instanceof BsonBinary) return 'binary';
  if (Array.isArray(value)) return 'array';
  return 'document';
}

export function isDocument(value: BsonValue | undefined): value is BsonDocument {
  return value !== undefined && bsonTypeOf(value) === 'document';
}

/** The integer a numeric value holds, or undefined when it is not numeric or not integral. */
export function integerOf(value: BsonValue): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (value instanceof BsonDouble) n = value.value;
  else if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
    n = Number(value);
  } else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Printable form of a value for error messages. */
export function describe(value: BsonValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof BsonDouble) return String(value.value);
  if (value instanceof BsonBinary) return `binary(${value.bytes.length} bytes)`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value !== null && typeof value === 'object') return 'document';
  return String(value);
}

type Tree = unknown;

/** Deep copy of a configuration tree (plain objects, arrays, Uint8Array, primitives). */
export function cloneTree<T>(value: T): T {
  return cloneAny(value) as T;
}

function cloneAny(value: Tree): Tree {
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return value.map(cloneAny);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Tree> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneAny(v);
    return out;
  }
  return value;
}

export function sameTree(a: Tree, b: Tree): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameTree(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, Tree>)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as Record<string, Tree>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameTree((a as Record<string, Tree>)[k], (b as Record<string, Tree>)[k]));
  }
  return a === b;
}

/** Reads a dot path (`remote.modem.apn`) from a tree. */
export function getPath(root: Tree, path: string): Tree {
  let node = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, Tree>)[key];
  }
  return node;
}

/** Writes a dot path, creating intermediate objects. */
export function setPath(root: Record<string, Tree>, path: string, value: Tree): void {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, Tree>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}
