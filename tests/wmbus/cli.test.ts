import { run as decode } from '../../bin/commands/decode';
import { run as frameCommand } from '../../bin/commands/frame';
import { encodeStream } from '../../protocol/wmbus/encode';
import { bytes, hex } from './corpus';
import { captureStdout } from '../support/capture-output';

const FRAME = bytes('2e44333003020100071b7a634820252f2f0265840842658308820165950802fb1aae0142fb1aae018201fb1aa9012f');


function lines(out: string): Record<string, unknown>[] {
  return out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('wmbus decode', () => {
  test('prints one JSON line per stream with the decoded fields and exits 0 when all decode', async () => {
    const streams = (['T1', 'C1A', 'C1B'] as const).map((m) => hex(encodeStream(FRAME, m)!));
    const { code, out } = await captureStdout(() => decode(streams));
    expect(code).toBe(0);
    expect(lines(out)).toEqual(
      ['T1', 'C1A', 'C1B'].map((mode) => ({
        mode,
        crcOk: true,
        frame: hex(FRAME),
        manufacturer: 'LAS',
        id: '00010203',
        version: '07',
        deviceType: '1b',
        ci: '7a',
      })),
    );
  });

  test('--mode s1 reads Manchester streams', async () => {
    const { code, out } = await captureStdout(() => decode(['--mode', 's1', hex(encodeStream(FRAME, 'S1')!)]));
    expect(code).toBe(0);
    expect(lines(out)[0]).toMatchObject({ mode: 'S1', crcOk: true, id: '00010203' });
  });

  test('a stream with a CRC error gives crcOk false with the error and exit code 1', async () => {
    const stream = encodeStream(FRAME, 'C1A')!;
    stream[30] ^= 0x01;
    const { code, out } = await captureStdout(() => decode([hex(stream), hex(encodeStream(FRAME, 'T1')!)]));
    expect(code).toBe(1);
    expect(lines(out)[0]).toEqual({ mode: 'C1A', crcOk: false, error: 'crc' });
    expect(lines(out)[1]).toMatchObject({ mode: 'T1', crcOk: true });
  });

  test('text that is not hex is reported as a hex error', async () => {
    const { code, out } = await captureStdout(() => decode(['xyz']));
    expect(code).toBe(1);
    expect(lines(out)).toEqual([{ mode: null, crcOk: false, error: 'hex' }]);
  });

  test('a stream quoted with spaces between its bytes decodes like the same hex without them', async () => {
    const spaced = hex(encodeStream(FRAME, 'T1')!).replace(/(..)(?!$)/g, '$1 ');
    const { code, out } = await captureStdout(() => decode([spaced]));
    expect(code).toBe(0);
    expect(lines(out)).toEqual([expect.objectContaining({ mode: 'T1', crcOk: true, frame: hex(FRAME) })]);
  });

  test('a stream written byte by byte without quotes (split by the shell) is one stream', async () => {
    const bytesArgs = hex(encodeStream(FRAME, 'C1A')!).match(/../g)!;
    const { code, out } = await captureStdout(() => decode(bytesArgs));
    expect(code).toBe(0);
    expect(lines(out)).toEqual([expect.objectContaining({ mode: 'C1A', crcOk: true, frame: hex(FRAME) })]);
  });

  test('an unknown mode is a usage error (exit 2)', async () => {
    const { code } = await captureStdout(() => decode(['--mode', 'n1', '00']));
    expect(code).toBe(2);
  });
});

describe('wmbus frame', () => {
  test('prints link, ELL, AFL, TPL, security mode and filter identity', async () => {
    const { code, out } = await captureStdout(() =>
      frameCommand(['5B445A149922992202378C20F6900F002C25BC9E0000BF48954821BC508D72992299225A140102F6003007102F']),
    );
    expect(code).toBe(0);
    const json = JSON.parse(out) as Record<string, any>;
    expect(json.link).toMatchObject({ c: '44', manufacturer: 'EBZ', id: '22992299', version: '02', deviceType: '37' });
    expect(json.ell).toMatchObject({ ci: '8c', cc: '20', acc: 'f6' });
    expect(json.afl).toMatchObject({ fcl: '2c00', mcl: '25', mac: 'bf48954821bc508d' });
    expect(json.tpl).toMatchObject({ ci: '72', header: 'long', cfg: '0730', address: { id: '22992299', version: '01', deviceType: '02' } });
    expect(json.securityMode).toBe(7);
    expect(json.identity).toEqual({ source: 'tpl', hex: '5a14992299220102' });
  });

  test('--short-header takes the identity from the DLL', async () => {
    const { out } = await captureStdout(() =>
      frameCommand(['--short-header', '5B445A149922992202378C20F6900F002C25BC9E0000BF48954821BC508D72992299225A140102F6003007102F']),
    );
    expect((JSON.parse(out) as { identity: unknown }).identity).toEqual({ source: 'dll', hex: '5a14992299220237' });
  });

  test('hex with spaces, quoted or split by the shell, reads as the same frame', async () => {
    const plain = '5B445A149922992202378C20F6900F002C25BC9E0000BF48954821BC508D72992299225A140102F6003007102F';
    const expected = (await captureStdout(() => frameCommand([plain]))).out;
    const spaced = plain.replace(/(..)(?!$)/g, '$1 ');
    for (const args of [[spaced], spaced.split(' ')]) {
      const { code, out } = await captureStdout(() => frameCommand(args));
      expect(code).toBe(0);
      expect(out).toBe(expected);
    }
  });

  test('a frame shorter than the DLL is an error with exit code 1', async () => {
    const { code, out } = await captureStdout(() => frameCommand(['0944ee4d']));
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({ error: 'length' });
  });
});
