/**
 * Checksums for the frame store's on-flash format. Table-driven: the store runs a CRC over every
 * record it appends, and XS interprets each loop iteration, so a byte-at-a-time table is worth
 * its 1.5 KB of ROM.
 */

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR. */
const CRC16_POLY = 0x1021;
const CRC16_INIT = 0xffff;
/** CRC-32 (IEEE 802.3): reflected poly 0xEDB88320, init and final XOR 0xFFFFFFFF. */
const CRC32_POLY_REFLECTED = 0xedb88320;
const CRC32_INIT = 0xffffffff;

function crc16Table(): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ CRC16_POLY) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
}

function crc32Table(): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32_POLY_REFLECTED : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

const CRC16_TABLE = crc16Table();
const CRC32_TABLE = crc32Table();

export function crc16Ccitt(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = CRC16_INIT;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ CRC16_TABLE[((c >> 8) ^ bytes[i]) & 0xff];
  return c;
}

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = CRC32_INIT;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ CRC32_TABLE[(c ^ bytes[i]) & 0xff];
  return (c ^ CRC32_INIT) >>> 0;
}
