import { run as decode } from '../../bin/commands/decode';
import { run as frameCommand } from '../../bin/commands/frame';
import { encodeStream } from '../../protocol/wmbus/encode';
import { bytes, hex } from '../wmbus/corpus';
import { captureStdout } from '../support/capture-output';

/**
 * `wmbus decode` and `wmbus frame` on a frame whose upper header is cut short: the link layer's
 * fields (the identity the concentrator records it under) beside the error. The frame is a corpus
 * telegram (EE4D meter 12345678, short TPL header) cut after its CI and access number, L-field set
 * to match; `decode` gets it re-encoded in T1, block CRCs computed by the project's encoder.
 */
const CUT_SHORT_TPL = bytes('0b44ee4d785634123c067a8f');


describe('a CRC-valid frame with a truncated upper header', () => {
  test('wmbus decode prints its DLL manufacturer, id, version and type beside the error', async () => {
    const { code, out } = await captureStdout(() => decode([hex(encodeStream(CUT_SHORT_TPL, 'T1') as Uint8Array)]));
    expect(code).toBe(1);
    expect(JSON.parse(out.trim())).toEqual({
      mode: 'T1',
      crcOk: true,
      frame: hex(CUT_SHORT_TPL),
      manufacturer: 'SON',
      id: '12345678',
      version: '3c',
      deviceType: '06',
      ci: '7a',
      error: 'truncated',
    });
  });

  test('wmbus frame prints the link layer and the error instead of the error alone', async () => {
    const { code, out } = await captureStdout(() => frameCommand([hex(CUT_SHORT_TPL)]));
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({
      link: {
        l: 11,
        lMatchesLength: true,
        c: '44',
        manufacturer: 'SON',
        mField: '4dee',
        id: '12345678',
        version: '3c',
        deviceType: '06',
        diehlTransform: 'none',
      },
      error: 'truncated',
    });
  });

  test('wmbus frame on bytes shorter than a link layer still prints only the error', async () => {
    const { code, out } = await captureStdout(() => frameCommand(['0b44ee4d7856']));
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({ error: 'length' });
  });
});
