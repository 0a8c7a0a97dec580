/**
 * CRC-32 as zlib/PNG/Ethernet compute it (reflected polynomial 0xEDB88320, init and final XOR
 * 0xFFFFFFFF): the CRC32 the manual puts in every BSON file (§5.1.1.4). Chainable like zlib's
 * `crc32(crc, buf)`: `crc32(b, crc32(a)) === crc32(a ++ b)`.
 */
const POLYNOMIAL = 0xedb88320;
const ALL_ONES = 0xffffffff;

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 of `bytes`, continuing from `previous` (the CRC of the data before them). Unsigned result. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = (previous ^ ALL_ONES) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ ALL_ONES) >>> 0;
}
