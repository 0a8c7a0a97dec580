/**
 * Realistic simulated meters (issue 12 item 4): each encrypting meter has its own key from the seed,
 * encrypts every telegram under its own address with a fresh access number, and a meter behind a radio
 * converter keeps its own identity in the long TPL header. The Node-crypto oracle checks the bytes on air.
 */
import { parseHeader } from '../../protocol/wmbus/header';
import { decodePhy } from '../../protocol/wmbus/phy';
import { keyListText, KEY_LIST_HEADER } from '../../sim/radio/key-list';
import { meterTemplates, MeterTemplate } from '../../sim/radio/meter-frames';
import { createPopulation, Population, PopulationSpec } from '../../sim/radio/population';
import { createRandom } from '../../sim/world/random';
import { CorpusEntry, loadCorpus } from '../wmbus/corpus';
import { oracleDecrypt } from './meters-oracle';

const MINUTE_MS = 60_000;
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function template(driver: string): MeterTemplate {
  return meterTemplates().find((t) => t.driver === driver) as MeterTemplate;
}

function population(spec: PopulationSpec, seed = 7): Population {
  return createPopulation({ collisions: false, twoFrameKinds: 0, ...spec }, createRandom(seed));
}

/** The CRC-free frames a population puts on the air in [0, toMs), with their meter. */
function airFrames(p: Population, toMs: number): { meter: number; sequence: number; frame: Uint8Array }[] {
  return p.transmissions(0, toMs).map((t) => {
    const r = decodePhy(t.stream, t.phy);
    if (!r.ok) throw new Error(`telegram of meter ${t.meterIndex} does not decode`);
    return { meter: t.meterIndex, sequence: t.sequence, frame: r.frame };
  });
}

describe('simulated meter keys', () => {
  test('the same seed gives the same keys, another seed other keys', () => {
    const keys = (seed: number) => population({ meters: 40 }, seed).meters.map((m) => (m.key === undefined ? '-' : hexOf(m.key)));
    expect(keys(3)).toEqual(keys(3));
    expect(keys(3)).not.toEqual(keys(4));
  });

  test('a meter has a key exactly when one of its frame kinds is encrypted, and no two meters share one', () => {
    const p = population({ meters: 300, twoFrameKinds: 0.5 });
    const withKey = p.meters.filter((m) => m.key !== undefined);
    expect(withKey.length).toBeGreaterThan(50);
    expect(new Set(withKey.map((m) => hexOf(m.key as Uint8Array))).size).toBe(withKey.length);
    for (const m of p.meters.filter((x) => x.key === undefined)) {
      for (const f of m.frames) {
        const h = parseHeader(f);
        expect(h.ok && h.header.securityMode !== 5 && h.header.securityMode !== 7 && h.header.ell?.ci !== 0x8d).toBe(true);
      }
    }
  });

  test('the key list has the header row and one id,manufacturer,driver,key row per meter with a key', () => {
    const p = population({ meters: 60 });
    const rows = keyListText(p.meters).trimEnd().split('\n');
    expect(rows[0]).toBe(KEY_LIST_HEADER);
    const withKey = p.meters.filter((m) => m.key !== undefined);
    expect(rows.slice(1)).toEqual(withKey.map((m) => `${m.id},${m.manufacturer},${m.driver},${hexOf(m.key as Uint8Array).toUpperCase()}`));
    for (const row of rows.slice(1)) expect(row).toMatch(/^\d{8},[A-Z]{3},[a-z0-9_]+,[0-9A-F]{32}$/);
  });
});

describe('encrypted telegrams on the air', () => {
  test.each([
    ['mode 5, short header', 'apator162', 'mode5'],
    ['mode 5, stored decrypted in the corpus', 'elvsense', 'mode5'],
    ['mode 5, behind a radio converter', 'engelmann_faw', 'mode5'],
    ['mode 7 with AFL', 'sensostar', 'mode7'],
    ['mode 7, stored decrypted in the corpus', 'emerlin868', 'mode7'],
    ['ELL AES-CTR', 'kamwater', 'ell'],
  ])('%s (%s): every telegram decrypts with the meter key and keeps the template length', (_name, driver, scheme) => {
    const t = template(driver);
    const p = population({ meters: 5, frames: [t] });
    const frames = airFrames(p, 10 * MINUTE_MS);
    expect(frames.length).toBeGreaterThan(20);
    for (const { meter, frame } of frames) {
      const r = oracleDecrypt(frame, Buffer.from(p.meters[meter].key as Uint8Array));
      expect([r.scheme, r.ok]).toEqual([scheme, true]);
      expect(frame.length).toBe(t.frame.length);
    }
  });

  test('the decrypted payload is the template plaintext padded with 2F, whatever the address and ACC', () => {
    const p = population({ meters: 3, frames: [template('apator162')] });
    for (const { meter, frame } of airFrames(p, 5 * MINUTE_MS)) {
      const r = oracleDecrypt(frame, Buffer.from(p.meters[meter].key as Uint8Array));
      const plain = p.meters[meter].frames[0];
      expect(r.ok && hexOf(r.plain)).toBe(hexOf(plain.subarray(15, 111)));
    }
  });

  test('the access number steps per telegram, so the same reading never gives the same ciphertext twice', () => {
    const p = population({ meters: 1, frames: [template('elvsense')], intervalMs: { min: 10_000, max: 10_000 } });
    const frames = airFrames(p, 10 * MINUTE_MS);
    const accs = frames.map((f) => f.frame[11]);
    expect(accs).toEqual(frames.map((f) => f.sequence & 0xff));
    expect(new Set(frames.map((f) => hexOf(f.frame.subarray(15)))).size).toBe(frames.length);
  });

  test('a mode-7 meter counts its messages in the AFL and each MAC checks under its own counter', () => {
    const p = population({ meters: 1, frames: [template('sensostar')] });
    const frames = airFrames(p, 10 * MINUTE_MS);
    const counters = frames.map((f) => {
      const h = parseHeader(f.frame);
      return h.ok ? h.header.afl?.messageCounter : undefined;
    });
    const base = (counters[0] as number) - frames[0].sequence;
    expect(counters).toEqual(frames.map((f) => base + f.sequence));
    for (const f of frames) expect(oracleDecrypt(f.frame, Buffer.from(p.meters[0].key as Uint8Array)).ok).toBe(true);
  });

  test('an encrypting ELL meter keeps its session number and sends a payload CRC that checks after decryption', () => {
    const p = population({ meters: 2, frames: [template('kamwater')] });
    for (const { meter, frame } of airFrames(p, 5 * MINUTE_MS)) {
      expect(hexOf(frame.subarray(13, 17))).toBe('d37cac21');
      expect(oracleDecrypt(frame, Buffer.from(p.meters[meter].key as Uint8Array)).ok).toBe(true);
    }
  });

  test('a ciphertext template without a key goes on the air with its ciphertext and ACC unchanged, and its meter has no key', () => {
    const hydrus = loadCorpus().find((e) => e.payload_encrypted_in_corpus === true && e.tpl_ci === '72' && e.manufacturer === 'HYD') as CorpusEntry;
    const t = Buffer.from(hydrus.telegram_hex, 'hex');
    const p = population({ meters: 2, frames: [new Uint8Array(t)] });
    expect(p.meters.map((m) => m.key)).toEqual([undefined, undefined]);
    for (const { frame } of airFrames(p, 5 * MINUTE_MS)) expect(hexOf(frame.subarray(19))).toBe(t.subarray(19).toString('hex'));
  });

  test('another meter key does not decrypt a telegram', () => {
    const p = population({ meters: 2, frames: [template('apator162')] });
    const { meter, frame } = airFrames(p, 5 * MINUTE_MS)[0];
    expect(oracleDecrypt(frame, Buffer.from(p.meters[1 - meter].key as Uint8Array)).ok).toBe(false);
  });
});

describe('a meter behind a radio converter', () => {
  const t = template('engelmann_faw');

  test('the DLL carries the converter: its own id, the manufacturer and type of the template DLL', () => {
    const p = population({ meters: 20, frames: [t] });
    for (const m of p.meters) {
      const h = parseHeader(m.frames[0]);
      expect(h.ok && h.header.link.address.id).toBe(m.converterId);
      expect(m.converterId).not.toBe(m.id);
      // The template's DLL: EFE (M-field 0x14C5), device type 0x07.
      expect(h.ok && [h.header.link.address.mField, h.header.link.address.deviceType]).toEqual([0x14c5, t.frame[9]]);
      expect(hexOf(m.frames[0].subarray(2, 4))).toBe(hexOf(t.frame.subarray(2, 4)));
    }
  });

  test('the long header carries the meter: its id and the template TPL manufacturer, version and type', () => {
    const p = population({ meters: 20, frames: [t] });
    for (const m of p.meters) {
      const h = parseHeader(m.frames[0]);
      expect(h.ok && h.header.tpl?.address).toEqual({ mField: 0x14c5, manufacturer: 'EFE', id: m.id, version: 0x00, deviceType: 0x07 });
      expect([m.manufacturer, m.version, m.deviceType]).toEqual(['EFE', 0x00, 0x07]);
    }
  });

  test('the identity the simulator reports is the one the filters use with longHeader on, the converter with it off', () => {
    const p = population({ meters: 10, frames: [t] });
    for (const { meter, frame } of airFrames(p, 5 * MINUTE_MS)) {
      const m = p.meters[meter];
      const on = parseHeader(frame);
      const off = parseHeader(frame, { longHeader: false });
      expect(on.ok && hexOf(on.header.identity)).toBe(hexOf(m.identity));
      expect(off.ok && off.header.identity).toEqual(frame.slice(2, 10));
      expect(off.ok && off.header.link.address.id).toBe(m.converterId);
    }
  });

  test('converter ids are unique among all ids of the population', () => {
    const p = population({ meters: 200 });
    const ids = p.meters.flatMap((m) => (m.converterId === undefined ? [m.id] : [m.id, m.converterId]));
    expect(p.meters.some((m) => m.converterId !== undefined)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a second frame kind names the same meter behind the same converter', () => {
    const p = population({ meters: 40, twoFrameKinds: 1, frames: [t, template('minomess'), template('weh_07')] });
    for (const m of p.meters.filter((x) => x.frames.length === 2)) {
      const [a, b] = m.frames.map((f) => parseHeader(f));
      expect(a.ok && b.ok && [hexOf(b.header.identity), b.header.link.address.id]).toEqual([hexOf(m.identity), m.converterId]);
    }
  });
});
