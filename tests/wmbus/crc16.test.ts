import { crc16, crc16Matches, writeCrc16 } from '../../protocol/wmbus/crc16';
import { bytes, loadCorpus } from './corpus';

describe('EN 13757-4 CRC-16', () => {
  test('check value of "123456789" is 0xC2B7 (poly 0x3D65, init 0, xorout 0xFFFF)', () => {
    expect(crc16(Uint8Array.from(Buffer.from('123456789', 'ascii')))).toBe(0xc2b7);
  });

  test('CRC of no bytes is the final XOR value', () => {
    expect(crc16(new Uint8Array(0))).toBe(0xffff);
  });

  test('first block of a real format-A frame carries its CRC high byte first', () => {
    // simulation_dll_crcs.txt: 73 44 14 86 7C C3 0B 00 03 03 | 0D 58
    const block = bytes('734414867cc30b0003030d58');
    expect(crc16(block, 0, 10)).toBe(0x0d58);
    expect(crc16Matches(block, 0, 10)).toBe(true);
  });

  test('every CRC of the format-B corpus frame verifies (blocks 1+2 and block 3)', () => {
    const entry = loadCorpus().find((e) => e.dll_crc_present && e.frame_format === 'B');
    const frame = bytes(entry!.telegram_hex);
    expect(crc16Matches(frame, 0, 126)).toBe(true);
    expect(crc16Matches(frame, 128, frame.length - 2)).toBe(true);
  });

  test('a single flipped bit is detected', () => {
    const block = bytes('734414867cc30b0003030d58');
    block[3] ^= 0x10;
    expect(crc16Matches(block, 0, 10)).toBe(false);
  });

  test('writeCrc16 stores the value crc16Matches accepts', () => {
    const buf = new Uint8Array(7);
    buf.set([1, 2, 3, 4, 5]);
    writeCrc16(buf, 0, 5);
    expect((buf[5] << 8) | buf[6]).toBe(crc16(buf, 0, 5));
    expect(crc16Matches(buf, 0, 5)).toBe(true);
  });
});
