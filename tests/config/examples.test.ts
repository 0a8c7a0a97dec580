/**
 * Every configuration example of the manual (§4.2.1–§4.2.5, §5.1.1.4) is accepted and gives the
 * values the text says. The JSON is the manual's, including its stray spaces in keys and triggers.
 */
import { decodeBson } from '../../protocol/bson/decode';
import { parseCron } from '../../protocol/cron/cron';
import { FTP_UPLOAD_DATA, FTP_UPLOAD_LOG, FTP_UPLOAD_SUPERVISION } from '../../protocol/config/types';
import { accepted, bytes, ejson, rejected } from './spec';

function minutesOf(cron: string): number[] {
  const parsed = parseCron(cron);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.cron.minutes.flatMap((on, m) => (on ? [m] : []));
}

describe('§4.2.1 System', () => {
  test('mode run, name WebdynEasy, log level 2 (info)', () => {
    const { config } = accepted(ejson(`{
      "config": { "mode": "run", "name": "WebdynEasy", "logLevel": 2 },
      "crc": 0 }`));
    expect(config.mode).toBe('run');
    expect(config.name).toBe('WebdynEasy');
    expect(config.logLevel).toBe(2);
  });
});

describe('§4.2.1.1 Local (the manual repeats the §4.2.1 example; these are the table values)', () => {
  test('magnet action, BLE PIN, phone white list, diagnostic count and time limit', () => {
    const { config } = accepted(ejson(`{
      "config": { "local": { "magnet": 1, "blePin": "4321", "whiteList": ["+33612345678", "0612345678"], "testCount": 1, "timeout": 600 } },
      "crc": 0 }`));
    expect(config.local).toEqual({ magnet: 1, blePin: '4321', whiteList: ['+33612345678', '0612345678'], testCount: 1, timeout: 600 });
  });
});

describe('§4.2.1.2 Security', () => {
  test('partial CRC check, encryption on, key given in Base64 as binary subtype 0x80', () => {
    const { config } = accepted(ejson(`{
      "config": { "security": { "crcMode": 1, "encryption": true,
        "key": {"$type": "80", "$binary": "RACq94N4BJyrE+5ONQ4oGw==" } } },
      "crc": 0 }`));
    expect(config.security.crcMode).toBe(1);
    expect(config.security.encryption).toBe(true);
    // The manual's table gives the same key in hex.
    expect(config.security.key).toEqual(bytes('44 00 AA F7 83 78 04 9C AB 13 EE 4E 35 0E 28 1B'));
  });
});

describe('§4.2.2 W M-Bus radio', () => {
  test('T1+C1 for 60 s, two manufacturers and two media; keys written with a leading space', () => {
    const { config } = accepted(ejson(`{
      "config": { "radio": {
        "mode": 2, "duration": 60,
        "manufFilter": { "$type": "00", "$binary": "TDARpQ==" },
        "mediumFilter": { "$type": "00", "$binary": "BwE=" },
        " longHeader": true, " skipVersionField": false, " skipMediumField": false } },
      "crc": 0 }`));
    expect(config.radio.mode).toBe(2);
    expect(config.radio.duration).toBe(60);
    expect(config.radio.manufFilter).toEqual([bytes('4C 30'), bytes('11 A5')]);
    expect(config.radio.mediumFilter).toEqual([0x07, 0x01]);
    expect(config.radio.longHeader).toBe(true);
    expect(config.radio.skipVersionField).toBe(false);
    expect(config.radio.skipMediumField).toBe(false);
  });

  // The manual's example has a trailing comma after mediumFilter, which is not JSON; removed here.
  test('multi-listening: T1+C1 for 120 s, then S1 for 180 s', () => {
    const { config } = accepted(ejson(`{
      "config": { "radio": {
        "mode": [2,0], "duration": [120,180],
        "manufFilter": { "$type": "00","$binary": "TDARpQ==" },
        "mediumFilter": { "$type": "00","$binary": "BwE=" } } },
      "crc": 0 }`));
    expect(config.radio.mode).toEqual([2, 0]);
    expect(config.radio.duration).toEqual([120, 180]);
  });
});

describe('§4.2.3.1 Modem', () => {
  test('auto mode with LTE-M, 2G, NB-IoT preference, bands 3/8/20, PIN given as a number', () => {
    const { config } = accepted(ejson(`{
      "config": { "remote": { "modem": {
        "mode": "auto", "scanseq": [ "LTEM", "2G", "NB-IoT" ], "band": [ 3, 8, 20 ],
        "deregisterOnLocalAction": false, "cpin": 1234, "apn": null, "user": null, "pass": null,
        "timeout": 240, "randomDelay": 0 } } },
      "crc": 0 }`));
    expect(config.remote.modem).toEqual({
      mode: 'auto', scanseq: ['LTE-M', '2G', 'NB-IoT'], band: [3, 8, 20], deregisterOnLocalAction: false,
      cpin: '1234', apn: null, user: null, pass: null, timeout: 240, randomDelay: 0,
    });
  });
});

describe('§4.2.3.2 FTP/FTPS', () => {
  test('plain FTP to ftp.webdyn.com port 60, account webdyn, root /site1234', () => {
    const { config } = accepted(ejson(`{
      "config": { "remote": { "ftp": {
        "mode": 0, "addr": "ftp.webdyn.com:60", "user": "webdyn", "pass": "1234", "dir": "/site1234" } } },
      "crc": 0 }`));
    expect(config.remote.ftp).toEqual({ mode: 0, addr: 'ftp.webdyn.com:60', user: 'webdyn', pass: '1234', dir: '/site1234' });
  });
});

describe('§4.2.3.3 NTP', () => {
  test('NTP server name (the manual spells it pool.npt.org)', () => {
    const { config } = accepted(ejson(`{ "config": { "remote": { "ntp": "pool.npt.org" } }, "crc": 0 }`));
    expect(config.remote.ntp).toBe('pool.npt.org');
  });
});

describe('§4.2.4 Alarms', () => {
  test('one alarm per day, no temperature or drift alarm, battery alarm below 10 %', () => {
    const { config } = accepted(ejson(`{
      "config": { "alarms" : { "oneAlarmPerDay" : true, "temperature" : null, "timeGap" : null, "battery" : 10 } },
      "crc": 0 }`));
    expect(config.alarms).toEqual({ oneAlarmPerDay: true, temperature: null, timeGap: null, battery: 10 });
  });
});

describe('§4.2.5.1.1 Radio schedule', () => {
  test('30 s every 30 minutes (trigger written "* /30 * * * * ") and 120 s daily at 23:15', () => {
    const { config } = accepted(ejson(`{
      "config": { "scheduleRadio": [
        { "cron" :"* /30 * * * * ", "data": 30},
        { "cron" : "15 23 * * * ", "data": 120} ] },
      "crc": 0 }`));
    expect(config.scheduleRadio).toEqual([{ cron: '*/30 * * * *', data: 30 }, { cron: '15 23 * * *', data: 120 }]);
    expect(minutesOf(config.scheduleRadio[0].cron)).toEqual([0, 30]);
  });

  test('multi-listening: 30 s then 60 s every 30 minutes (trigger written "**/30 * * * * "); 23:15 uses radio.duration', () => {
    const multi = accepted(ejson(`{ "config": { "radio": { "mode": [2,0], "duration": [120,180] } }, "crc": 0 }`)).config;
    const { config } = accepted(ejson(`{
      "config": { "scheduleRadio": [
        { "cron" :"**/30 * * * * ", "data": [30,60]},
        { "cron" : "15 23 * * * ", "data": 120} ] },
      "crc": 0 }`), multi);
    expect(config.scheduleRadio).toEqual([{ cron: '*/30 * * * *', data: [30, 60] }, { cron: '15 23 * * *', data: 120 }]);
    expect(minutesOf(config.scheduleRadio[0].cron)).toEqual([0, 30]);
  });
});

describe('§4.2.5.1.2 FTP schedule', () => {
  test('data, supervision and log at midnight; data every hour', () => {
    const { config } = accepted(ejson(`{
      "config": { "scheduleFTP": [
        { "cron" : "0 0 * * * ", "data": 7},
        { "cron" : "0 * * * * ", "data": 1} ] },
      "crc": 0 }`));
    expect(config.scheduleFTP).toEqual([{ cron: '0 0 * * *', data: 7 }, { cron: '0 * * * *', data: 1 }]);
    expect(config.scheduleFTP[0].data).toBe(FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION | FTP_UPLOAD_LOG);
    expect(config.scheduleFTP[1].data).toBe(FTP_UPLOAD_DATA);
  });
});

describe('§4.2.5.2 Monitoring', () => {
  test('monitoring every 60 minutes; key written " monitoringPeriod "', () => {
    const disabled = accepted(ejson(`{ "config": { "monitoringPeriod": null }, "crc": 0 }`)).config;
    const { config, changed } = accepted(ejson(`{ "config": { " monitoringPeriod ": 60 }, "crc": 0 }`), disabled);
    expect(config.monitoringPeriod).toBe(60);
    expect(changed).toEqual(['config.monitoringPeriod']);
  });
});

describe('§5.1.1.4 File format', () => {
  test('the JSON example: a list of two NTP servers, the second slot empty', () => {
    const { config } = accepted(ejson(`{ "config": { "remote": { "ntp": ["ntp.google.com", ""] } }, "crc": 0 }`));
    expect(config.remote.ntp).toEqual(['ntp.google.com', '']);
  });

  test('the BSON dump of that example spells its keys Config/Remote/NTP/CRC; keys are case-sensitive (§4.2) so it is refused', () => {
    const dump = bytes(`50 00 00 00 03 43 6F 6E 66 69 67 00 3A 00 00 00
      03 52 65 6D 6F 74 65 00 2D 00 00 00 04 4E 54 50 00 23 00 00 00 02 30 00 0F 00 00 00 6E 74 70 2E
      67 6F 6F 67 6C 65 2E 63 6F 6D 00 02 31 00 01 00 00 00 00 00 00 00 10 43 52 43 00 A3 7B 0C 2A 00`);
    const decoded = decodeBson(dump);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(rejected(decoded.value)).toMatchObject({ field: 'Config', reason: 'unknown key (keys are case-sensitive, §4.2)' });
  });
});
