/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR): the frame store's
 * record check. Table-driven, because XS interprets every iteration of the byte loop; the ESP32
 * board supplies the same function in C (native/wmbus_kernels.c, `crc16Ccitt`).
 */
const CRC16_POLY = 0x1021;
const CRC16_INIT = 0xffff;

function crc16Table(): Uint16Array {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ CRC16_POLY) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
}

const CRC16_TABLE = crc16Table();

export function crc16Ccitt(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = CRC16_INIT;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ CRC16_TABLE[((c >> 8) ^ bytes[i]) & 0xff];
  return c;
}
