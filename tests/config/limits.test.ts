/**
 * Every limit of appendix 9.1: for each range the value just outside is refused and the bound is
 * accepted; the same for lengths and entry counts; and every field refuses a value of the wrong type.
 * The limits are restated here from the manual, not read from the schema under test.
 */
import { BsonBinary, BsonDouble, BsonValue } from '../../protocol/bson/types';
import { getPath } from '../../protocol/config/values';
import { accepted, fileWith, rejected } from './spec';

/** [path, min, max, "0 disables"] */
const RANGES: [string, number, number, boolean][] = [
  ['logLevel', 0, 3, false],
  ['local.magnet', 0, 2, false],
  ['local.testCount', 1, 30, false],
  ['local.timeout', 60, 3600, true],
  ['security.crcMode', 0, 2, false],
  ['radio.mode', 0, 2, false],
  ['radio.duration', 1, 3600, false],
  ['remote.modem.timeout', 60, 1800, false],
  ['remote.modem.randomDelay', 0, 60, false],
  ['remote.ftp.mode', 0, 1, false],
  ['alarms.temperature', 10, 50, true],
  ['alarms.timeGap', 2, 3600, true],
  ['alarms.battery', 10, 99, true],
  ['monitoringPeriod', 15, 1440, true],
];

describe('numeric ranges', () => {
  test.each(RANGES.map(([path, min]) => [path, min]))('%s: lower bound %i accepted, one less refused', (path, min) => {
    expect(rejected(fileWith(path, min - 1))).toMatchObject({ field: `config.${path}` });
    expect(getPath(accepted(fileWith(path, min)).config, path)).toBe(min);
  });

  test.each(RANGES.map(([path, , max]) => [path, max]))('%s: upper bound %i accepted, one more refused', (path, max) => {
    expect(getPath(accepted(fileWith(path, max)).config, path)).toBe(max);
    expect(rejected(fileWith(path, max + 1))).toMatchObject({ field: `config.${path}` });
  });

  test.each(RANGES.filter((r) => r[3]).map(([path]) => path))('%s: 0 disables', (path) => {
    expect(getPath(accepted(fileWith(path, 0)).config, path)).toBe(0);
  });

  test('the refusal says why', () => {
    expect(rejected(fileWith('radio.duration', 3601))).toEqual({ ok: false, field: 'config.radio.duration', reason: '3601 is out of range 1..3600' });
    expect(rejected(fileWith('alarms.battery', 9)).reason).toBe('9 is out of range 10..99 (or 0 to disable)');
    expect(rejected(fileWith('logLevel', 4)).reason).toBe('4 is not one of 0, 1, 2, 3');
  });

  test('radio schedule window: 29 refused, 30 and 3600 accepted, 3601 refused', () => {
    const at = (data: number) => fileWith('scheduleRadio', [{ cron: '0 * * * *', data }]);
    expect(rejected(at(29))).toMatchObject({ field: 'config.scheduleRadio[0].data' });
    expect(accepted(at(30)).config.scheduleRadio[0].data).toBe(30);
    expect(accepted(at(3600)).config.scheduleRadio[0].data).toBe(3600);
    expect(rejected(at(3601))).toMatchObject({ field: 'config.scheduleRadio[0].data' });
  });

  test('FTP schedule file bits: -1 refused, 0 and 7 accepted, 8 refused', () => {
    const at = (data: number) => fileWith('scheduleFTP', [{ cron: '0 * * * *', data }]);
    expect(rejected(at(-1))).toMatchObject({ field: 'config.scheduleFTP[0].data' });
    expect(accepted(at(0)).config.scheduleFTP[0].data).toBe(0);
    expect(accepted(at(7)).config.scheduleFTP[0].data).toBe(7);
    expect(rejected(at(8))).toMatchObject({ field: 'config.scheduleFTP[0].data' });
  });

  test('multi-listening window list entries obey the same range', () => {
    const multi = accepted(fileWith('radio.mode', [1, 0])).config;
    expect(rejected(fileWith('radio.duration', [60, 0]), multi)).toMatchObject({ field: 'config.radio.duration[1]' });
    expect(accepted(fileWith('radio.duration', [3600, 1]), multi).config.radio.duration).toEqual([3600, 1]);
  });

  test('NB-IoT bands: only 1,2,3,4,5,8,12,13,18,19,20,25,28,66,85', () => {
    const all = [1, 2, 3, 4, 5, 8, 12, 13, 18, 19, 20, 25, 28, 66, 85];
    expect(accepted(fileWith('remote.modem.band', all)).config.remote.modem.band).toEqual(all);
    expect(rejected(fileWith('remote.modem.band', [20, 26]))).toMatchObject({ field: 'config.remote.modem.band[1]', reason: '26 is not one of 1, 2, 3, 4, 5, 8, 12, 13, 18, 19, 20, 25, 28, 66, 85' });
  });

  test('FTP port after ":" must be 1..65535', () => {
    expect(rejected(fileWith('remote.ftp.addr', 'ftp.example.com:0'))).toMatchObject({ field: 'config.remote.ftp.addr' });
    expect(accepted(fileWith('remote.ftp.addr', 'ftp.example.com:1')).config.remote.ftp.addr).toBe('ftp.example.com:1');
    expect(accepted(fileWith('remote.ftp.addr', 'ftp.example.com:65535')).config.remote.ftp.addr).toBe('ftp.example.com:65535');
    expect(rejected(fileWith('remote.ftp.addr', 'ftp.example.com:65536'))).toMatchObject({ field: 'config.remote.ftp.addr' });
  });

  test('NTP port after ":" must be 1..65535', () => {
    expect(accepted(fileWith('remote.ntp', '192.168.1.2:123')).config.remote.ntp).toBe('192.168.1.2:123');
    expect(rejected(fileWith('remote.ntp', '192.168.1.2:65536'))).toMatchObject({ field: 'config.remote.ntp' });
  });
});

/** [path, max characters, filler]: appendix 9.1 "Text (n characters max)"; the hub name has no limit in the manual, 64 is ours. */
const TEXTS: [string, number, string][] = [
  ['name', 64, 'n'],
  ['remote.modem.cpin', 8, '1'],
  ['remote.modem.apn', 32, 'a'],
  ['remote.modem.user', 32, 'u'],
  ['remote.modem.pass', 32, 'p'],
  ['remote.ftp.addr', 64, 'h'],
  ['remote.ftp.user', 32, 'u'],
  ['remote.ftp.pass', 32, 'p'],
  ['remote.ftp.dir', 64, 'd'],
  ['remote.ntp', 64, 'h'],
];

describe('text lengths', () => {
  test.each(TEXTS)('%s: %i characters accepted, one more refused', (path, max, filler) => {
    expect(getPath(accepted(fileWith(path, filler.repeat(max))).config, path)).toBe(filler.repeat(max));
    expect(rejected(fileWith(path, filler.repeat(max + 1)))).toEqual({ ok: false, field: `config.${path}`, reason: `${max + 1} characters, at most ${max}` });
  });

  test('lengths count characters, not UTF-8 bytes', () => {
    expect(accepted(fileWith('remote.ftp.pass', 'é'.repeat(32))).config.remote.ftp.pass).toBe('é'.repeat(32));
  });

  test('local.blePin: exactly 4 digits', () => {
    expect(rejected(fileWith('local.blePin', '123'))).toMatchObject({ field: 'config.local.blePin' });
    expect(accepted(fileWith('local.blePin', '0000')).config.local.blePin).toBe('0000');
    expect(rejected(fileWith('local.blePin', '12345'))).toMatchObject({ field: 'config.local.blePin' });
    expect(rejected(fileWith('local.blePin', '12a4'))).toMatchObject({ field: 'config.local.blePin' });
  });

  test('local.whiteList: a phone number has up to 16 digits, optionally after "+"', () => {
    expect(accepted(fileWith('local.whiteList', ['1'.repeat(16), '+' + '1'.repeat(16)])).config.local.whiteList).toEqual(['1'.repeat(16), '+' + '1'.repeat(16)]);
    expect(rejected(fileWith('local.whiteList', ['1'.repeat(17)]))).toMatchObject({ field: 'config.local.whiteList[0]' });
    expect(rejected(fileWith('local.whiteList', ['06 12 34 56 78']))).toMatchObject({ field: 'config.local.whiteList[0]' });
  });

  test('remote.modem.cpin given as a number: up to 8 digits', () => {
    expect(accepted(fileWith('remote.modem.cpin', 12345678)).config.remote.modem.cpin).toBe('12345678');
    expect(rejected(fileWith('remote.modem.cpin', 123456789))).toMatchObject({ field: 'config.remote.modem.cpin' });
    expect(rejected(fileWith('remote.modem.cpin', -1))).toMatchObject({ field: 'config.remote.modem.cpin' });
  });

  test('security.key: 15 bytes refused, 16 accepted, 17 refused', () => {
    const key = (n: number) => new BsonBinary(new Uint8Array(n).fill(0xa5), 0x80);
    expect(rejected(fileWith('security.key', key(15)))).toEqual({ ok: false, field: 'config.security.key', reason: '15 bytes, expected 16' });
    expect(accepted(fileWith('security.key', key(16))).config.security.key).toEqual(new Uint8Array(16).fill(0xa5));
    expect(rejected(fileWith('security.key', key(17)))).toMatchObject({ field: 'config.security.key' });
  });
});

describe('entry counts', () => {
  const codes = (count: number, size: number) => new BsonBinary(Uint8Array.from({ length: count * size }, (_, i) => i), 0x00);
  const triggers = (count: number, data: number) => Array.from({ length: count }, (_, i) => ({ cron: `${i} * * * *`, data }));

  test('radio.manufFilter: 8 codes accepted, 9 refused', () => {
    expect(accepted(fileWith('radio.manufFilter', codes(8, 2))).config.radio.manufFilter).toHaveLength(8);
    expect(rejected(fileWith('radio.manufFilter', codes(9, 2)))).toEqual({ ok: false, field: 'config.radio.manufFilter', reason: 'too many entries: 9 codes, at most 8' });
  });

  test('radio.manufFilter: a code is 2 bytes, so an odd length is refused', () => {
    expect(rejected(fileWith('radio.manufFilter', new BsonBinary(Uint8Array.of(0x4c, 0x30, 0x11))))).toMatchObject({ field: 'config.radio.manufFilter' });
  });

  test('radio.mediumFilter: 8 codes accepted, 9 refused', () => {
    expect(accepted(fileWith('radio.mediumFilter', codes(8, 1))).config.radio.mediumFilter).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rejected(fileWith('radio.mediumFilter', codes(9, 1)))).toMatchObject({ field: 'config.radio.mediumFilter' });
  });

  test('filters may also be an array of one-code binaries', () => {
    const list = [new BsonBinary(Uint8Array.of(0x4c, 0x30)), new BsonBinary(Uint8Array.of(0x11, 0xa5))];
    expect(accepted(fileWith('radio.manufFilter', list)).config.radio.manufFilter).toEqual([Uint8Array.of(0x4c, 0x30), Uint8Array.of(0x11, 0xa5)]);
    expect(rejected(fileWith('radio.manufFilter', [new BsonBinary(Uint8Array.of(0x4c))]))).toMatchObject({ field: 'config.radio.manufFilter[0]' });
  });

  test('local.whiteList: 4 numbers accepted, 5 refused', () => {
    expect(accepted(fileWith('local.whiteList', ['1', '2', '3', '4'])).config.local.whiteList).toHaveLength(4);
    expect(rejected(fileWith('local.whiteList', ['1', '2', '3', '4', '5']))).toMatchObject({ field: 'config.local.whiteList', reason: 'too many entries: 5, at most 4' });
  });

  test('scheduleRadio: 8 triggers accepted, 9 refused', () => {
    expect(accepted(fileWith('scheduleRadio', triggers(8, 60))).config.scheduleRadio).toHaveLength(8);
    expect(rejected(fileWith('scheduleRadio', triggers(9, 60)))).toEqual({ ok: false, field: 'config.scheduleRadio', reason: 'too many entries: 9 triggers, at most 8' });
  });

  test('scheduleFTP: 8 triggers accepted, 9 refused', () => {
    expect(accepted(fileWith('scheduleFTP', triggers(8, 1))).config.scheduleFTP).toHaveLength(8);
    expect(rejected(fileWith('scheduleFTP', triggers(9, 1)))).toMatchObject({ field: 'config.scheduleFTP' });
  });

  test('radio.mode: up to 3 distinct listening modes', () => {
    expect(accepted(fileWith('radio.mode', [2, 1, 0])).config.radio.mode).toEqual([2, 1, 0]);
    expect(rejected(fileWith('radio.mode', [2, 1, 0, 2]))).toMatchObject({ field: 'config.radio.mode' });
    expect(rejected(fileWith('radio.mode', [2, 2]))).toMatchObject({ field: 'config.radio.mode[1]' });
    expect(rejected(fileWith('radio.mode', []))).toMatchObject({ field: 'config.radio.mode' });
  });

  test('remote.modem.scanseq: the three technologies at most once each', () => {
    expect(accepted(fileWith('remote.modem.scanseq', ['NB-IoT', 'LTE-M', '2G'])).config.remote.modem.scanseq).toEqual(['NB-IoT', 'LTE-M', '2G']);
    expect(rejected(fileWith('remote.modem.scanseq', ['2G', '2G']))).toMatchObject({ field: 'config.remote.modem.scanseq[1]' });
    expect(rejected(fileWith('remote.modem.scanseq', ['LTE-M', 'LTEM']))).toMatchObject({ field: 'config.remote.modem.scanseq[1]' });
    expect(rejected(fileWith('remote.modem.scanseq', ['5G']))).toMatchObject({ field: 'config.remote.modem.scanseq[0]' });
  });

  test('remote.ntp list: 2 servers accepted, 3 refused', () => {
    expect(accepted(fileWith('remote.ntp', ['a.example', 'b.example'])).config.remote.ntp).toEqual(['a.example', 'b.example']);
    expect(rejected(fileWith('remote.ntp', ['a.example', 'b.example', 'c.example']))).toMatchObject({ field: 'config.remote.ntp' });
  });
});

/** [path, a value of the wrong BSON type] for every variable. */
const WRONG_TYPES: [string, BsonValue][] = [
  ['mode', 2],
  ['name', 5],
  ['logLevel', '2'],
  ['local.magnet', true],
  ['local.blePin', 1234],
  ['local.whiteList', '0612345678'],
  ['local.testCount', '1'],
  ['local.timeout', false],
  ['security.crcMode', '1'],
  ['security.encryption', 1],
  ['security.key', 'RACq94N4BJyrE+5ONQ4oGw=='],
  ['radio.mode', 'T1'],
  ['radio.duration', '60'],
  ['radio.manufFilter', 'TDARpQ=='],
  ['radio.mediumFilter', 7],
  ['radio.BFormatLFieldAdaptation', 'true'],
  ['radio.longHeader', 1],
  ['radio.skipVersionField', 0],
  ['radio.skipMediumField', null],
  ['remote.modem.mode', 0],
  ['remote.modem.scanseq', 'LTE-M'],
  ['remote.modem.band', 20],
  ['remote.modem.deregisterOnLocalAction', 'false'],
  ['remote.modem.cpin', true],
  ['remote.modem.apn', 1],
  ['remote.modem.user', ['u']],
  ['remote.modem.pass', { p: 1 }],
  ['remote.modem.timeout', '300'],
  ['remote.modem.randomDelay', null],
  ['remote.ftp.mode', 'FTPS'],
  ['remote.ftp.addr', 21],
  ['remote.ftp.user', false],
  ['remote.ftp.pass', 1234],
  ['remote.ftp.dir', new BsonBinary(Uint8Array.of(0x2f))],
  ['remote.ntp', 123],
  ['alarms.oneAlarmPerDay', null],
  ['alarms.temperature', '45'],
  ['alarms.timeGap', true],
  ['alarms.battery', new BsonBinary(Uint8Array.of(10))],
  ['scheduleRadio', { cron: '0 * * * *' }],
  ['scheduleFTP', '0 * * * *'],
  ['monitoringPeriod', '60'],
  ['local', 1],
  ['remote', null],
  ['remote.modem', []],
];

describe('types', () => {
  test.each(WRONG_TYPES)('%s refuses %p', (path, value) => {
    const r = rejected(fileWith(path, value));
    expect(r.field).toBe(`config.${path}`);
    expect(r.reason).toMatch(/expected|not allowed/);
  });

  test('integers may come as int32, int64 or an integral double', () => {
    expect(accepted(fileWith('radio.duration', 120n)).config.radio.duration).toBe(120);
    expect(accepted(fileWith('radio.duration', new BsonDouble(120))).config.radio.duration).toBe(120);
  });

  test('a fractional double is refused', () => {
    expect(rejected(fileWith('radio.duration', 60.5))).toEqual({ ok: false, field: 'config.radio.duration', reason: 'expected an integer, got 60.5' });
  });

  test('a trigger must be a valid "mm hh dd MM DD"', () => {
    expect(rejected(fileWith('scheduleFTP', [{ cron: '60 * * * *', data: 1 }]))).toMatchObject({ field: 'config.scheduleFTP[0].cron' });
    expect(rejected(fileWith('scheduleFTP', [{ cron: '0 * * *', data: 1 }]))).toMatchObject({ field: 'config.scheduleFTP[0].cron' });
    expect(rejected(fileWith('scheduleFTP', [{ cron: '0 0 * * 7', data: 1 }]))).toMatchObject({ field: 'config.scheduleFTP[0].cron' });
  });

  test('a trigger has only cron and data; FTP triggers need data', () => {
    expect(rejected(fileWith('scheduleFTP', [{ cron: '0 * * * *' }]))).toEqual({ ok: false, field: 'config.scheduleFTP[0].data', reason: 'missing' });
    expect(rejected(fileWith('scheduleRadio', [{ data: 60 }]))).toEqual({ ok: false, field: 'config.scheduleRadio[0].cron', reason: 'missing' });
    expect(rejected(fileWith('scheduleRadio', [{ cron: '0 * * * *', duration: 60 }]))).toMatchObject({ field: 'config.scheduleRadio[0].duration', reason: 'unknown key' });
  });
});
