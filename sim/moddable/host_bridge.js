/*
 * Binding to sim/moddable/host_bridge.c in the Moddable app-native pattern: the function's body is
 * the C function named after `@`. Typings: sim/moddable/typings.d.ts.
 */

function call(message) @ "xs_host_bridge_call";

export { call };
