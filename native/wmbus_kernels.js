/*
 * Bindings to native/wmbus_kernels.c in the Moddable app-native pattern: each function's body is
 * the C function named after `@`. The module object is a WmbusKernels (protocol/wmbus/kernels.ts)
 * (the frame store's record CRC, the filter identity and the filter's key-table probe included). Typings: types/wmbus_kernels.d.ts.
 */

function crc16(bytes, start, end) @ "xs_wmbus_crc16";
function decode3of6(chips, out, count, chipOffset) @ "xs_wmbus_decode_3of6";
function decodeManchester(chips, out, count, chipOffset) @ "xs_wmbus_decode_manchester";
function stripBlocksA(onAir, frame) @ "xs_wmbus_strip_blocks_a";
function crc16Ccitt(bytes, start, end) @ "xs_wmbus_crc16_ccitt";
function filterIdentity(frame, out, flags) @ "xs_wmbus_filter_identity";
function probeKeys(keys, width, hashBytes, slots, mask, key, keyOffset, ignore) @ "xs_wmbus_probe_keys";

export { crc16, decode3of6, decodeManchester, stripBlocksA, crc16Ccitt, filterIdentity, probeKeys };

/* The whole module as one frozen object: the board imports it as a default (a const binding), since
 * xsl reports a namespace import (`import * as`) as a closure that is not const ("no const"). */
export default Object.freeze({ crc16, decode3of6, decodeManchester, stripBlocksA, crc16Ccitt, filterIdentity, probeKeys });
