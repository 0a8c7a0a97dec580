/**
 * The upload documents (§5.3 data, §5.4 alarm, §5.5 ACK, §5.7 supervision, §5.8 log) built from the
 * values of the manual's JSON examples, compared byte for byte with the examples themselves, and
 * checked against the npm `bson` package as an independent encoder.
 */
import { calculateObjectSize, deserialize, Int32, serialize } from 'bson';
import { encodeBson } from '../../protocol/bson/encode';
import { parseExtendedJson } from '../../protocol/bson/ejson';
import { BSON_BINARY_GENERIC, BsonBinary, BsonDocument } from '../../protocol/bson/types';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { buildAckDocument } from '../../protocol/files/ack';
import { buildAlarmDocument } from '../../protocol/files/alarm';
import { bsonDocumentSize } from '../../protocol/files/bson-size';
import { buildDataDocument, dataFileSize, DataRecord } from '../../protocol/files/data';
import { FileHeader, secondsValue } from '../../protocol/files/header';
import { buildLogDocument, LogRecord } from '../../protocol/files/log';
import { buildSupervisionDocument, Supervision, TEMPERATURE_BINS, temperatureBin } from '../../protocol/files/supervision';
import { ACK_EXAMPLE, ALARM_EXAMPLE, DATA_EXAMPLE, LOG_EXAMPLE, SUPERVISION_EXAMPLE } from './manual-documents';
import { toNpmDocument } from './npm-oracle';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const base64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** A manual example as a document, without the `crc` field the file codec adds. */
function example(json: string): BsonDocument {
  const parsed = parseExtendedJson(json);
  if (!parsed.ok) throw new Error(parsed.error);
  const { crc: _crc, ...doc } = parsed.value;
  return doc;
}

/** Our encoding, the npm package's encoding and the arithmetic size all agree. */
function expectOracleAgrees(doc: BsonDocument): void {
  const ours = encodeBson(doc);
  expect(hex(ours)).toBe(hex(serialize(toNpmDocument(doc))));
  expect(bsonDocumentSize(doc)).toBe(ours.length);
  expect(calculateObjectSize(toNpmDocument(doc))).toBe(ours.length);
}

/** Through the device's file codec and back, the document is unchanged and `crc` is the last key. */
function expectFileRoundTrip(doc: BsonDocument): void {
  const file = encodeFile(doc, { encryption: false });
  const back = decodeFile(file, { encrypted: false, crcMode: 2 });
  expect(back.ok && back.doc).toEqual(doc);
  const keys = Object.keys(deserialize(file));
  expect(keys[keys.length - 1]).toBe('crc');
}

const WE_1234 = (source: FileHeader['source'], timeSec: number): FileHeader => ({ uid: 'WE_1234', source, timeSec });

describe('§5.3 data file', () => {
  const frames = [base64('fAviGIskafDwA4E0UkO26w=='), base64('+plAPliAwE0df2KBY1N7Iodr/LAFS2CrXTrUsY3wy731VN113/9UmOCiglwR')];
  const records: DataRecord[] = [
    { timeSec: 1560066602, rssi: 199, frame: frames[0] },
    { timeSec: 15600645887, rssi: 178, frame: frames[1] },
  ];
  const built = buildDataDocument(WE_1234('schedule', 1560068897), records);

  test('is the manual example, with F as binary type 0x00 (the table) and the out-of-int32 T as int64', () => {
    const expected = example(DATA_EXAMPLE);
    const data = expected.data as BsonDocument[];
    // §5.3 table: F is "type 0x00"; the example's $type 80 disagrees with it.
    data[0].F = new BsonBinary(frames[0], BSON_BINARY_GENERIC);
    data[1].F = new BsonBinary(frames[1], BSON_BINARY_GENERIC);
    // 15600645887 does not fit int32; JSON makes it a double, the builder keeps it an integer.
    data[1].T = 15600645887n;
    expect(hex(encodeBson(built))).toBe(hex(encodeBson(expected)));
  });

  test('has uid, source, TS, frameCount, data in that order and frameCount counts the records', () => {
    expect(Object.keys(built)).toEqual(['uid', 'source', 'TS', 'frameCount', 'data']);
    expect(built.frameCount).toBe(2);
    expect((built.data as BsonDocument[]).map((d) => Object.keys(d))).toEqual([['T', 'R', 'F'], ['T', 'R', 'F']]);
  });

  test('encodes as the npm bson package does, and dataFileSize is the exact file length', () => {
    expectOracleAgrees(built);
    expect(dataFileSize(WE_1234('schedule', 1560068897), records)).toBe(encodeFile(built, { encryption: false }).length);
  });

  test('survives the file codec with its CRC trailer last', () => {
    expectFileRoundTrip(built);
  });

  test('an empty data file still carries frameCount 0 and an empty data list', () => {
    expect(buildDataDocument(WE_1234('magnet', 1), [])).toEqual({ uid: 'WE_1234', source: 'magnet', TS: 1, frameCount: 0, data: [] });
  });
});

describe('§5.4 alarm file', () => {
  const built = buildAlarmDocument(WE_1234('alarm', 1560068897), { type: 'temperature', value: 45 });

  test('is the manual example without the stray frameCount', () => {
    const { frameCount, ...expected } = example(ALARM_EXAMPLE);
    expect(frameCount).toBe(2);
    expect(hex(encodeBson(built))).toBe(hex(encodeBson(expected)));
  });

  test('encodes as the npm bson package does and survives the file codec', () => {
    expectOracleAgrees(built);
    expectFileRoundTrip(built);
  });

  test.each(['battery', 'ntp'] as const)('carries a %s alarm', (type) => {
    expect(buildAlarmDocument(WE_1234('alarm', 5), { type, value: 12 }).alarm).toEqual({ type, value: 12 });
  });
});

describe('§5.5 ACK file', () => {
  const built = buildAckDocument(WE_1234('ftp', 1560068897), { type: 'cmd', cid: 'c_1234', result: 'ok', data: '/f10/152233-cmd.bson' });

  test('is the manual example', () => {
    expect(hex(encodeBson(built))).toBe(hex(encodeBson(example(ACK_EXAMPLE))));
  });

  test('encodes as the npm bson package does and survives the file codec', () => {
    expectOracleAgrees(built);
    expectFileRoundTrip(built);
  });

  test('leaves data out when there is none', () => {
    const ack = buildAckDocument(WE_1234('usb', 1), { type: 'config', cid: '', result: 'ko' }).ack as BsonDocument;
    expect(Object.keys(ack)).toEqual(['type', 'cid', 'result']);
  });
});

describe('§5.7 supervision file', () => {
  const supervision: Supervision = {
    identity: { uid: 'WE_1234', name: '1234', SN: 'SN20200423_9876543210' },
    version: { hw: 11, sw: '01.04', swBle: '0.1', swModem: 'BG95M3LAR02A03_01.005.01.005' },
    uptime: { run: 85484, radio: 69090, modem: 5873, lowPower: 336583 },
    measures: { vAlim: 7100, temperature: 15, histogram: [0, 0, 63, 73, 36, 0, 0] },
    modem: {
      rssi: -57,
      quality: { rssi: -57, rsrp: -79, rsrq: -13, sinr: 12 },
      nwinfo: '"eMTC","20801","LTE BAND 20",6400',
      imei: '864475041522664',
      iccid: '89330123456789012345',
      num: '',
      operator: 'Orange F Things Mobile',
      mode: 'LTEM',
    },
    counters: { wakeup: 2281, magnetWakeup: 4, bleWakeup: 0, ftp: 137, alarms: 0, radio: 2094, usb: 14, wd: 0, fault: 0 },
    dates: { lastConfig: 1598364963, lastUpdate: 0, lastPowerOn: 0, lastCnxOk: 1610968521, lastCnxKo: 1610752526 },
    battery: { remainTime: null, capaPrcent: 95, capamAh: 13362 },
    WmBus: {
      CptRxPreamb: 18443,
      CptRxSync: 11639,
      CPtRxFrames: 5632,
      CptRxFramesCrcKo: 221,
      CptRxFramesDecodeKo: 5786,
      CptRxFramesLenKo: 0,
      CptRxOverrun: 0,
      CptRxTimeOut: 0,
      CptRecFrames: 253,
    },
  };
  const built = buildSupervisionDocument(WE_1234('schedule', 1598349735), supervision);
  const section = built.supervision as BsonDocument;

  test('has the values of the manual example in every section', () => {
    const expected = example(SUPERVISION_EXAMPLE).supervision as BsonDocument;
    for (const name of ['identity', 'version', 'uptime', 'measures', 'dates', 'battery', 'WmBus']) {
      expect(hex(encodeBson(section[name] as BsonDocument))).toBe(hex(encodeBson(expected[name] as BsonDocument)));
    }
    // Example order differs (radio before alarms); the table's order is used, the values are the same.
    expect(section.counters).toEqual(expected.counters);
    const { nwinf, ...modem } = expected.modem as BsonDocument;
    const ours = section.modem as BsonDocument;
    expect(ours.nwinfo).toBe(nwinf);
    for (const key of Object.keys(modem)) expect(ours[key]).toEqual(modem[key]);
  });

  test('sections and fields are those of §5.7, in its order', () => {
    expect(Object.keys(built)).toEqual(['uid', 'source', 'TS', 'supervision']);
    expect(Object.keys(section)).toEqual(['identity', 'version', 'uptime', 'measures', 'modem', 'counters', 'dates', 'battery', 'WmBus']);
    const keys = (name: string): string[] => Object.keys(section[name] as BsonDocument);
    expect(keys('identity')).toEqual(['uid', 'name', 'SN']);
    expect(keys('version')).toEqual(['hw', 'sw', 'swBle', 'swModem']);
    expect(keys('uptime')).toEqual(['run', 'radio', 'modem', 'lowPower']);
    expect(keys('measures')).toEqual(['vAlim', 'temperature', 'histogram']);
    expect(keys('modem')).toEqual(['rssi', 'quality', 'nwinfo', 'imei', 'iccid', 'num', 'operator', 'mode']);
    expect(Object.keys((section.modem as BsonDocument).quality as BsonDocument)).toEqual(['rssi', 'rsrp', 'rsrq', 'sinr']);
    expect(keys('counters')).toEqual(['wakeup', 'magnetWakeup', 'bleWakeup', 'ftp', 'alarms', 'radio', 'usb', 'wd', 'fault']);
    expect(keys('dates')).toEqual(['lastConfig', 'lastUpdate', 'lastPowerOn', 'lastCnxOk', 'lastCnxKo']);
    expect(keys('battery')).toEqual(['remainTime', 'capaPrcent', 'capamAh']);
    expect(keys('WmBus')).toEqual([
      'CptRxPreamb',
      'CptRxSync',
      'CPtRxFrames',
      'CptRxFramesCrcKo',
      'CptRxFramesDecodeKo',
      'CptRxFramesLenKo',
      'CptRxOverrun',
      'CptRxTimeOut',
      'CptRecFrames',
    ]);
    expect(Object.keys((section.measures as BsonDocument).histogram as BsonDocument)).toEqual(TEMPERATURE_BINS.map((b) => b.label));
  });

  test('every number is written as int32, version strings as strings, remainTime as null', () => {
    const decoded = deserialize(encodeBson(built), { promoteValues: false }) as Record<string, unknown>;
    const leaves: [string, unknown][] = [];
    const walk = (value: unknown, path: string): void => {
      if (value !== null && typeof value === 'object' && value.constructor === Object) {
        for (const [k, v] of Object.entries(value)) walk(v, path + '.' + k);
      } else leaves.push([path, value]);
    };
    walk(decoded.supervision, 'supervision');
    const strings = new Set(['identity.uid', 'identity.name', 'identity.SN', 'version.sw', 'version.swBle', 'version.swModem']);
    for (const key of ['nwinfo', 'imei', 'iccid', 'num', 'operator', 'mode']) strings.add('modem.' + key);
    for (const [path, value] of leaves) {
      const short = path.replace(/^supervision\./, '');
      if (short === 'battery.remainTime') expect(value).toBeNull();
      else if (strings.has(short)) expect(typeof value).toBe('string');
      else expect(value).toBeInstanceOf(Int32);
    }
    expect(leaves.length).toBe(3 + 4 + 4 + 2 + 7 + 1 + 4 + 6 + 9 + 5 + 3 + 9);
  });

  test('encodes as the npm bson package does and survives the file codec', () => {
    expectOracleAgrees(built);
    expectFileRoundTrip(built);
  });

  test('unknown dates are left out (they are optional)', () => {
    const doc = buildSupervisionDocument(WE_1234('ftp', 1), { ...supervision, dates: { lastPowerOn: 1700000000 } });
    expect((doc.supervision as BsonDocument).dates).toEqual({ lastPowerOn: 1700000000 });
  });

  test.each<[number, string]>([
    [-25, 'below -10°C'],
    [-10.5, 'below -10°C'],
    [-10, '-10°C to 0°C'],
    [-0.1, '-10°C to 0°C'],
    [0, '0°C to 10°C'],
    [15, '10°C to 20°C'],
    [29.9, '20°C to 30°C'],
    [39.9, '30°C to 40°C'],
    [40, 'above 40°C'],
    [85, 'above 40°C'],
  ])('%d °C counts in the "%s" bin', (celsius, label) => {
    expect(TEMPERATURE_BINS[temperatureBin(celsius)].label).toBe(label);
  });
});

describe('§5.8 log file', () => {
  const records: LogRecord[] = [
    { timeSec: 1598348100, code: 33554432, data: '[APP][appModeInit():133]mode: run' },
    { timeSec: 1598348100, code: 33554432, data: '[APP][appRun():27]run application' },
    { timeSec: 1598348100, code: 3, data: '[RADIO][appRadioTask():57]radio task' },
    { timeSec: 1598348100, code: 3, data: '[FRAME][Frame_FastFilter_Init():57]white list filter disable' },
    { timeSec: 1598348100, code: 33554432, data: '[RADIO][appRadioTask():98]Windowsduration: 30' },
    { timeSec: 1598348130, code: 33554432, data: '[FRAME][Frame_Process_Cmd():226]RX Frame count:5' },
    { timeSec: 1598348134, code: 3, data: '[PERIODIC][periodicTask():49]periodic task' },
    { timeSec: 1598348134, code: 33554432, data: '[RADIO][appRadioNextAlarm():144]Next Alarm: Tue Aug 25 09:40:00 2020\n data: 30' },
  ];
  const built = buildLogDocument(WE_1234('schedule', 1560068897), records);

  test('is the manual example', () => {
    expect(hex(encodeBson(built))).toBe(hex(encodeBson(example(LOG_EXAMPLE))));
  });

  test('encodes as the npm bson package does and survives the file codec', () => {
    expectOracleAgrees(built);
    expectFileRoundTrip(built);
  });

  test('D is optional: an event without data has only T and C', () => {
    const doc = buildLogDocument(WE_1234('ftp', 1), [{ timeSec: 2, code: 7 }]);
    expect(doc.log).toEqual([{ T: 2, C: 7 }]);
  });
});

describe('timestamps', () => {
  test('stay int32 up to 2038-01-19T03:14:07Z and become int64 after, never a double', () => {
    expect(secondsValue(0x7fffffff)).toBe(0x7fffffff);
    expect(secondsValue(0x80000000)).toBe(0x80000000n);
    expect(secondsValue(1591083697.9)).toBe(1591083697);
  });
});
