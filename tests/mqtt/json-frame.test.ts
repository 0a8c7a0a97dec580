/**
 * The JSON message of one received frame (protocol/mqtt/json-frame.ts): key order, the meter fields
 * wmbusmeters reports for real corpus telegrams, and nulls where the header cannot give a field.
 */
import { encodeFrameJson, frameJson, frameTopic } from '../../protocol/mqtt/json-frame';
import { decodeFrameJson } from '../../protocol/mqtt/json-frame-decode';
import { toHex } from '../../protocol/text/utf8';
import { bytes, loadCorpus } from '../wmbus/corpus';

/** IMT aquastream (corpus): DLL id 10049257, long transport header IMT 05933237 version 1 type 7, CI 0x72. */
function aquastream(): Uint8Array {
  const e = loadCorpus().find((x) => x.manufacturer === 'IMT' && x.expected_id === '05933237' && !x.dll_crc_present);
  if (e === undefined) throw new Error('corpus entry missing');
  return bytes(e.telegram_hex);
}

const GATEWAY = { uid: 'WE_000123' };
/** 2026-01-05T06:00:03Z. */
const TIME = 1767592803;

function text(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8');
}

describe('frame JSON message', () => {
  test('a corpus frame gives every field, keys in order, no whitespace', () => {
    const frame = aquastream();
    const json = text(encodeFrameJson({ time: TIME, rssi: -71, frame }, GATEWAY));
    expect(json).toBe(
      `{"id":"05933237","manufacturer":"IMT","version":1,"type":7,"rssi":-71,"time":"2026-01-05T06:00:03Z","ci":114,"frame":"${toHex(frame)}","gateway":"WE_000123"}`,
    );
  });

  test('the id is the one wmbusmeters reports for every corpus telegram', () => {
    const corpus = loadCorpus().filter((e) => !e.dll_crc_present);
    const wrong = corpus.filter((e) => frameJson({ time: TIME, rssi: 0, frame: bytes(e.telegram_hex) }, GATEWAY).id !== e.expected_id);
    expect(corpus.length).toBeGreaterThan(300);
    expect(wrong.map((e) => e.expected_id)).toEqual([]);
  });

  test('the frame is the whole telegram in lower-case hex, L-field first', () => {
    const frame = aquastream();
    const j = frameJson({ time: TIME, rssi: -71, frame }, GATEWAY);
    expect(j.frame.startsWith('4644b425')).toBe(true);
    expect(j.frame.length).toBe(2 * frame.length);
  });

  test('a frame cut inside its long transport header falls back to the DLL address', () => {
    const frame = aquastream().subarray(0, 15);
    expect(frameJson({ time: TIME, rssi: -90, frame }, GATEWAY)).toEqual({
      id: '10049257', manufacturer: 'IMT', version: 5, type: 14, rssi: -90, time: '2026-01-05T06:00:03Z', ci: 0x72, frame: toHex(frame), gateway: 'WE_000123',
    });
  });

  test('a frame shorter than the DLL gives a valid message with null meter fields and CI', () => {
    const frame = aquastream().subarray(0, 7);
    const json = text(encodeFrameJson({ time: TIME, rssi: -90, frame }, GATEWAY));
    expect(json).toBe('{"id":null,"manufacturer":null,"version":null,"type":null,"rssi":-90,"time":"2026-01-05T06:00:03Z","ci":null,"frame":"4644b425579204","gateway":"WE_000123"}');
  });

  test('an empty frame still gives a message', () => {
    const r = decodeFrameJson(encodeFrameJson({ time: 0, rssi: 0, frame: new Uint8Array(0) }, GATEWAY));
    expect(r).toEqual({ ok: true, value: { id: null, manufacturer: null, version: null, type: null, rssi: 0, time: '1970-01-01T00:00:00Z', ci: null, frame: '', gateway: 'WE_000123' } });
  });

  test('decodes back to the fields it was made of', () => {
    const input = { time: TIME, rssi: -71, frame: aquastream() };
    expect(decodeFrameJson(encodeFrameJson(input, GATEWAY))).toEqual({ ok: true, value: frameJson(input, GATEWAY) });
  });

  test('a message that is not JSON or lacks a field is refused without throwing', () => {
    expect(decodeFrameJson(Uint8Array.of(0x7b))).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(decodeFrameJson(Buffer.from('{"id":"1"}'))).toEqual({ ok: false, error: 'a field is missing or of the wrong type' });
  });
});

describe('frame topic', () => {
  test('is prefix / manufacturer / printed id', () => {
    expect(frameTopic('wmbus/WE_000123', { frame: aquastream() })).toBe('wmbus/WE_000123/IMT/05933237');
  });

  test('uses unknown for levels the header cannot give', () => {
    expect(frameTopic('wmbus', { frame: Uint8Array.of(1, 2, 3) })).toBe('wmbus/unknown/unknown');
  });
});
