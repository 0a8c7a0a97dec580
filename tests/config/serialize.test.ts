/**
 * §5.2: after each change the hub uploads `<uid>-<timestamp>-config.bson` to /CONFIG; §4.2: renamed
 * `<uid>-cfg.bson`, that copy configures a hub again, its info-only fields being ignored.
 */
import { encodeBson } from '../../protocol/bson/encode';
import { decodeBson } from '../../protocol/bson/decode';
import { BsonBinary } from '../../protocol/bson/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { configToDocument } from '../../protocol/config/serialize';
import { ConfigInfo } from '../../protocol/config/types';
import { accepted, bytes, ejson } from './spec';

const INFO: ConfigInfo = { version: 104, timestamp: 1591083697, uid: '123456', sn: 'SN20200423_9876543210' };

const busy = accepted(ejson(`{ "config": {
  "mode": "run", "name": "WebdynEasy", "logLevel": 3,
  "local": { "magnet": 2, "whiteList": ["+33612345678"], "testCount": 3 },
  "security": { "crcMode": 2, "encryption": true, "key": { "$type": "80", "$binary": "RACq94N4BJyrE+5ONQ4oGw==" } },
  "radio": { "mode": [2, 0], "duration": [120, 180], "manufFilter": { "$type": "00", "$binary": "TDARpQ==" }, "mediumFilter": { "$type": "00", "$binary": "BwE=" }, "skipMediumField": true },
  "remote": {
    "modem": { "mode": "LTEM", "scanseq": ["LTEM", "2G"], "band": [20], "cpin": 1234, "apn": "iot", "timeout": 240, "randomDelay": 15 },
    "ftp": { "mode": 1, "addr": "ftp.webdyn.com:60", "user": "webdyn", "pass": "1234", "dir": "/site1234" },
    "ntp": ["ntp.google.com", ""] },
  "alarms": { "oneAlarmPerDay": false, "temperature": 45, "timeGap": 0, "battery": 10 },
  "scheduleRadio": [ { "cron": "*/30 * * * *", "data": [30, 60] }, { "cron": "15 23 * * *" } ],
  "scheduleFTP": [ { "cron": "0 0 * * *", "data": 7 } ],
  "monitoringPeriod": null }, "crc": 0 }`)).config;

describe('the /CONFIG copy', () => {
  test('carries the info-only fields first: version, timestamp (as text, 9.1), uid, sn', () => {
    const doc = configToDocument(defaultConfig(), INFO);
    const body = doc.config as Record<string, unknown>;
    expect(Object.keys(body).slice(0, 4)).toEqual(['version', 'timestamp', 'uid', 'sn']);
    expect(body).toMatchObject({ version: 104, timestamp: '1591083697', uid: '123456', sn: 'SN20200423_9876543210' });
  });

  test('holds every variable in the manual\'s layout, binaries with the manual\'s subtypes', () => {
    const body = configToDocument(busy, INFO).config as Record<string, any>;
    expect(body.mode).toBe('run');
    expect(body.security.key).toEqual(new BsonBinary(bytes('44 00 AA F7 83 78 04 9C AB 13 EE 4E 35 0E 28 1B'), 0x80));
    expect(body.radio.manufFilter).toEqual(new BsonBinary(bytes('4C 30 11 A5'), 0x00));
    expect(body.radio.mediumFilter).toEqual(new BsonBinary(bytes('07 01'), 0x00));
    expect(body.remote.modem).toMatchObject({ mode: 'LTE-M', scanseq: ['LTE-M', '2G'], cpin: '1234' });
    expect(body.scheduleRadio).toEqual([{ cron: '*/30 * * * *', data: [30, 60] }, { cron: '15 23 * * *' }]);
    expect(body.monitoringPeriod).toBeNull();
  });

  test('empty filters are written as null', () => {
    const body = configToDocument(defaultConfig(), INFO).config as Record<string, any>;
    expect(body.radio.manufFilter).toBeNull();
    expect(body.radio.mediumFilter).toBeNull();
  });

  test('sent back (through BSON), it gives the same configuration and changes nothing', () => {
    const encoded = encodeBson(configToDocument(busy, INFO));
    const decoded = decodeBson(encoded);
    if (!decoded.ok) throw new Error(decoded.error);
    const r = applyConfigFile(busy, decoded.value);
    expect(r).toEqual({ ok: true, config: busy, changed: [] });
  });

  test('sent to a hub at factory defaults, it reproduces the configuration', () => {
    const r = applyConfigFile(defaultConfig(), configToDocument(busy, INFO));
    expect(r.ok && r.config).toEqual(busy);
  });

  test('the copy does not share byte arrays with the configuration', () => {
    const body = configToDocument(busy, INFO).config as Record<string, any>;
    (body.security.key as BsonBinary).bytes.fill(0);
    expect(busy.security.key).toEqual(bytes('44 00 AA F7 83 78 04 9C AB 13 EE 4E 35 0E 28 1B'));
  });
});
