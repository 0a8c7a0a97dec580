/**
 * Every device module is preloaded: xsl runs it at build time and keeps what it creates in flash
 * only if it is frozen; any object left mutable is copied into RAM at boot. XS's `Object.freeze`
 * takes a second argument that also freezes every object reachable from the first
 * (xs/sources/xsObject.c, fx_Object_freeze). TypeScript's lib declares one argument, hence the
 * declaration below. Standard engines (V8 under jest and the simulator) ignore the extra argument
 * and freeze the outer level only.
 */
type XsFreeze = <T>(value: T, deep: boolean) => Readonly<T>;

type NotTypedArray<T> = T extends ArrayBufferView ? never : unknown;

/**
 * Deep-freezes a constant table where it is defined, keeping its precise type. Not for a typed
 * array: standard engines refuse to freeze one with elements, and xsl makes a preloaded typed
 * array and its buffer read-only by itself (xs/tools/xslSlot.c, fxPrepareHeap).
 */
export function freezeTable<T extends object>(table: T & NotTypedArray<T>): Readonly<T> {
  // Called on Object itself: XS's deep freeze looks up `this.isFrozen` and `this.freeze` for each
  // nested object, so a detached reference to Object.freeze throws there.
  return (Object.freeze as XsFreeze)(table, true);
}
