import { IDENTITY_BYTES, makeIdentity, idBytesFromText } from '../../protocol/wmbus/identity';
import { whitelistTable, WindowFilter, type RecordingRules } from '../../tasks/radio/filter';

/** §4.2.2 / §4.2.2.1 / §3.1.2.1 recording rules, on identities as the radio task sees them. */
const SEN = 0x4cae;
const KAM = 0x2c2d;
const WATER = 0x07;
const HEAT = 0x04;

function id(mField: number, number: string, version = 0x68, type = WATER): Uint8Array {
  return makeIdentity(mField, idBytesFromText(number) as Uint8Array, version, type);
}

function rules(over: Partial<RecordingRules> = {}, listed: Uint8Array[] = []): RecordingRules {
  const packed = new Uint8Array(listed.length * IDENTITY_BYTES);
  listed.forEach((l, i) => packed.set(l, i * IDENTITY_BYTES));
  return { manufFilter: [], mediumFilter: [], whitelist: whitelistTable(packed), mask: {}, ...over };
}

describe('recording rules of a listening window', () => {
  test('without filters every meter is recorded', () => {
    expect(new WindowFilter(rules()).judge(id(SEN, '33225544'), 25)).toBe('record');
  });

  test('manufFilter keeps only the listed M-fields', () => {
    const f = new WindowFilter(rules({ manufFilter: [Uint8Array.of(0x2d, 0x2c)] }));
    expect(f.judge(id(SEN, '33225544'), 25)).toBe('manufacturer');
    expect(f.judge(id(KAM, '33225544'), 25)).toBe('record');
  });

  test('mediumFilter keeps only the listed device types', () => {
    const f = new WindowFilter(rules({ mediumFilter: [HEAT] }));
    expect(f.judge(id(SEN, '33225544', 0x68, WATER), 25)).toBe('medium');
    expect(f.judge(id(SEN, '33225545', 0x68, HEAT), 25)).toBe('record');
  });

  test('with a white list only listed meters are recorded', () => {
    const f = new WindowFilter(rules({}, [id(SEN, '33225544')]));
    expect(f.judge(id(SEN, '33225544'), 25)).toBe('record');
    expect(f.judge(id(SEN, '33225545'), 25)).toBe('whitelist');
  });

  test('the white list compares version and medium unless told to skip them', () => {
    const listed = [id(SEN, '33225544', 0x68, WATER)];
    expect(new WindowFilter(rules({}, listed)).judge(id(SEN, '33225544', 0x69, WATER), 25)).toBe('whitelist');
    expect(new WindowFilter(rules({ mask: { skipVersionField: true } }, listed)).judge(id(SEN, '33225544', 0x69, WATER), 25)).toBe('record');
    expect(new WindowFilter(rules({}, listed)).judge(id(SEN, '33225544', 0x68, HEAT), 25)).toBe('whitelist');
    expect(new WindowFilter(rules({ mask: { skipMediumField: true } }, listed)).judge(id(SEN, '33225544', 0x68, HEAT), 25)).toBe('record');
  });

  test('only the first frame of each size from each meter is recorded in a window (§3.1.2.1)', () => {
    const f = new WindowFilter(rules());
    const meter = id(SEN, '33225544');
    expect(f.judge(meter, 20)).toBe('record');
    expect(f.judge(meter, 20)).toBe('duplicate');
    expect(f.judge(meter, 45)).toBe('record');
    expect(f.judge(meter, 45)).toBe('duplicate');
    expect(f.judge(id(SEN, '33225545'), 20)).toBe('record');
  });

  test('a new window records the same meter again', () => {
    const meter = id(SEN, '33225544');
    new WindowFilter(rules()).judge(meter, 20);
    expect(new WindowFilter(rules()).judge(meter, 20)).toBe('record');
  });

  test('the window may close once every white-listed meter has been recorded', () => {
    const listed = [id(SEN, '00000001'), id(SEN, '00000002'), id(KAM, '00000003')];
    const f = new WindowFilter(rules({}, listed));
    f.judge(listed[0], 25);
    f.judge(listed[0], 30);
    f.judge(listed[1], 25);
    expect(f.allWhitelistedHeard()).toBe(false);
    f.judge(listed[2], 25);
    expect(f.allWhitelistedHeard()).toBe(true);
  });

  test('without a white list the window never closes early', () => {
    const f = new WindowFilter(rules());
    f.judge(id(SEN, '33225544'), 25);
    expect(f.allWhitelistedHeard()).toBe(false);
  });

  test('a 2000-entry white list finds every entry and nothing else', () => {
    const listed = Array.from({ length: 2000 }, (_, i) => id(i % 2 ? SEN : KAM, String(10_000_000 + i * 7)));
    const f = new WindowFilter(rules({}, listed));
    for (const l of listed) expect(f.judge(l, 25)).toBe('record');
    expect(f.allWhitelistedHeard()).toBe(true);
    expect(f.judge(id(SEN, '99999999'), 25)).toBe('whitelist');
  });
});
