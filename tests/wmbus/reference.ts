/**
 * A deliberately slow, independent model of the receive path used as a test oracle: bit-by-bit chip
 * decoding and a bitwise CRC, sharing no code with protocol/wmbus.
 */
const CODE_TO_NIBBLE = new Map<string, number>(
  ['010110', '001101', '001110', '001011', '011100', '011001', '011010', '010011',
   '101100', '100101', '100110', '100011', '110100', '110001', '110010', '101001'].map((c, i) => [c, i]),
);

function bits(stream: Uint8Array): string {
  return Array.from(stream, (b) => b.toString(2).padStart(8, '0')).join('');
}

function crcBitwise(data: number[]): number {
  let crc = 0;
  for (const byte of data) {
    for (let i = 7; i >= 0; i--) {
      const top = ((crc >> 15) & 1) ^ ((byte >> i) & 1);
      crc = (crc << 1) & 0xffff;
      if (top) crc ^= 0x3d65;
    }
  }
  return crc ^ 0xffff;
}

/** Byte n of the on-air frame, or undefined when the chips are not a valid code. */
function byteAt(stream: Uint8Array, mode: string, n: number): number | undefined {
  if (mode === 'C1A' || mode === 'C1B') return n + 2 < stream.length ? stream[n + 2] : undefined;
  const all = bits(stream);
  if (mode === 'T1') {
    const hi = CODE_TO_NIBBLE.get(all.slice(12 * n, 12 * n + 6));
    const lo = CODE_TO_NIBBLE.get(all.slice(12 * n + 6, 12 * n + 12));
    return hi === undefined || lo === undefined ? undefined : (hi << 4) | lo;
  }
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const pair = all.slice(16 * n + 2 * i, 16 * n + 2 * i + 2);
    if (pair === '01') v = (v << 1) | 1;
    else if (pair === '10') v = v << 1;
    else return undefined;
  }
  return v;
}

/** The CRC-free frame the stream carries if every chip decodes and every CRC holds, else undefined. */
export function referenceDecode(stream: Uint8Array, mode: string): number[] | undefined {
  const l = byteAt(stream, mode, 0);
  if (l === undefined) return undefined;
  const onAir: number[] = [];
  const take = (count: number): number[] | undefined => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const b = byteAt(stream, mode, onAir.length);
      if (b === undefined) return undefined;
      onAir.push(b);
      out.push(b);
    }
    return out;
  };
  const checked = (count: number): number[] | undefined => {
    const data = take(count);
    const crc = take(2);
    if (data === undefined || crc === undefined) return undefined;
    return crcBitwise(data) === ((crc[0] << 8) | crc[1]) ? data : undefined;
  };
  const frame: number[] = [];
  if (mode === 'C1B') {
    const total = l + 1;
    if (total < 12 || total === 129) return undefined;
    const first = checked(Math.min(total, 128) - 2);
    if (first === undefined) return undefined;
    frame.push(...first);
    if (total > 128) {
      const third = checked(total - 130);
      if (third === undefined) return undefined;
      frame.push(...third);
    }
    frame[0] = frame.length - 1;
    return frame;
  }
  if (l < 9) return undefined;
  const first = checked(10);
  if (first === undefined) return undefined;
  frame.push(...first);
  while (frame.length < l + 1) {
    const block = checked(Math.min(16, l + 1 - frame.length));
    if (block === undefined) return undefined;
    frame.push(...block);
  }
  return frame;
}
