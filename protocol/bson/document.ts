import { BsonDocument } from './types';

/** A plain `{}` object (also from another realm), as opposed to arrays, typed arrays and class instances. */
export function isPlainObject(value: unknown): value is BsonDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/** Sets an own data property; a key named `__proto__` would otherwise replace the prototype. */
export function setProperty<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
