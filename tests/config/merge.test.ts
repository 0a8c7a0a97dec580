/**
 * §4.2 / §5.2: a file may hold the whole configuration or a single variable; what it holds replaces
 * the current value, the rest is kept; a file with any error is not applied at all.
 */
import { BsonBinary } from '../../protocol/bson/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { Config } from '../../protocol/config/types';
import { accepted, deepFreeze, ejson, fileWith, rejected } from './spec';

function configured(): Config {
  return accepted(ejson(`{ "config": {
    "mode": "run", "name": "site-12",
    "radio": { "mode": 1, "duration": 90, "manufFilter": { "$type": "00", "$binary": "TDA=" } },
    "remote": { "modem": { "apn": "iot.example", "timeout": 600 }, "ftp": { "addr": "ftp.example.com", "user": "hub", "pass": "secret" } },
    "scheduleFTP": [ { "cron": "0 6 * * *", "data": 7 } ] }, "crc": 0 }`)).config;
}

describe('partial files merge into the current configuration', () => {
  test('a file with a single variable changes only that variable', () => {
    const before = configured();
    const { config, changed } = accepted(fileWith('remote.modem.timeout', 900), before);
    expect(config).toEqual({ ...before, remote: { ...before.remote, modem: { ...before.remote.modem, timeout: 900 } } });
    expect(changed).toEqual(['config.remote.modem.timeout']);
  });

  test('sibling variables of a group that the file leaves out are kept', () => {
    const { config } = accepted(fileWith('remote.ftp.pass', 'other'), configured());
    expect(config.remote.ftp).toEqual({ mode: 0, addr: 'ftp.example.com', user: 'hub', pass: 'other', dir: null });
  });

  test('a list is replaced as a whole, not merged entry by entry', () => {
    const { config } = accepted(fileWith('scheduleFTP', [{ cron: '30 * * * *', data: 1 }]), configured());
    expect(config.scheduleFTP).toEqual([{ cron: '30 * * * *', data: 1 }]);
  });

  test('changed lists every variable whose value differs, and none that were resent unchanged', () => {
    const { changed } = accepted(ejson(`{ "config": { "name": "site-12", "logLevel": 3, "radio": { "duration": 90, "longHeader": false } }, "crc": 0 }`), configured());
    expect(changed).toEqual(['config.logLevel', 'config.radio.longHeader']);
  });

  test('an empty config object is accepted and changes nothing', () => {
    expect(accepted(ejson(`{ "config": {}, "crc": 0 }`), configured()).changed).toEqual([]);
  });

  test('the crc field is left to the file codec and may be absent', () => {
    expect(accepted({ config: { logLevel: 1 } }).config.logLevel).toBe(1);
  });
});

describe('any error rejects the whole file', () => {
  test('a valid variable next to an invalid one is not applied either', () => {
    const before = configured();
    const r = applyConfigFile(before, ejson(`{ "config": { "name": "renamed", "radio": { "duration": 0 } }, "crc": 0 }`));
    expect(r).toEqual({ ok: false, field: 'config.radio.duration', reason: '0 is out of range 1..3600' });
    expect(before.name).toBe('site-12');
  });

  test('the current configuration is never modified, even by an accepted file', () => {
    const before = deepFreeze(configured());
    const snapshot = configured();
    const { config } = accepted(ejson(`{ "config": { "name": "x", "radio": { "mode": [2, 0], "duration": [60, 60] }, "remote": { "ftp": { "dir": "/in" } } }, "crc": 0 }`), before);
    expect(before).toEqual(snapshot);
    expect(config.name).toBe('x');
  });

  test('binary values are copied, not shared with the decoded file', () => {
    const key = new BsonBinary(new Uint8Array(16).fill(1), 0x80);
    const { config } = accepted(fileWith('security.key', key));
    key.bytes.fill(2);
    expect(config.security.key).toEqual(new Uint8Array(16).fill(1));
  });
});

describe('keys', () => {
  test('an unknown key is refused: keys are case-sensitive (§4.2) and errors reject the file (§5.2)', () => {
    expect(rejected(fileWith('radio.Duration', 60))).toEqual({ ok: false, field: 'config.radio.Duration', reason: 'unknown key (keys are case-sensitive, §4.2)' });
    expect(rejected(fileWith('system', { mode: 'run' }))).toMatchObject({ field: 'config.system' });
    expect(rejected({ config: {}, extra: 1 })).toMatchObject({ field: 'extra' });
  });

  test('the §4.2.3.1 table spellings "scansq" and "use" are not the variable names (the example and 9.1 say scanseq, user)', () => {
    expect(rejected(fileWith('remote.modem.scansq', ['2G']))).toMatchObject({ field: 'config.remote.modem.scansq' });
    expect(rejected(fileWith('remote.modem.use', 'x'))).toMatchObject({ field: 'config.remote.modem.use' });
  });

  test('surrounding spaces in a key are ignored, but a key given twice that way is refused', () => {
    expect(accepted(fileWith(' logLevel ', 0)).config.logLevel).toBe(0);
    expect(rejected({ config: { logLevel: 1, ' logLevel': 2 } })).toEqual({ ok: false, field: 'config.logLevel', reason: 'key given twice' });
  });

  test('a file without a config object is refused', () => {
    expect(rejected({ crc: 0 })).toEqual({ ok: false, field: 'config', reason: 'missing' });
    expect(rejected({ config: null, crc: 0 })).toMatchObject({ field: 'config' });
  });

  test('the info-only fields of the /CONFIG copy are ignored whatever their value (appendix 9.1)', () => {
    const { changed } = accepted(ejson(`{ "config": { "version": 104, "timestamp": "1591083697", "uid": 123456, "sn": null, "logLevel": 2 }, "crc": 0 }`));
    expect(changed).toEqual([]);
  });
});

describe('null', () => {
  test('monitoringPeriod null disables monitoring (§4.2.5.2)', () => {
    expect(accepted(fileWith('monitoringPeriod', null)).config.monitoringPeriod).toBeNull();
  });

  test('local.whiteList null allows every phone number again', () => {
    const restricted = accepted(fileWith('local.whiteList', ['0612345678'])).config;
    expect(accepted(fileWith('local.whiteList', null), restricted).config.local.whiteList).toBeNull();
  });

  test('alarm thresholds null disable the alarm (§4.2.4)', () => {
    const { config } = accepted(ejson(`{ "config": { "alarms": { "temperature": null, "timeGap": null, "battery": null } }, "crc": 0 }`));
    expect(config.alarms).toMatchObject({ temperature: null, timeGap: null, battery: null });
  });

  test('modem texts null: no PIN, no APN, no login (§4.2.3.1); FTP dir null: account root (§4.2.3.2)', () => {
    const { config } = accepted(ejson(`{ "config": { "remote": { "modem": { "cpin": null, "apn": null, "user": null, "pass": null }, "ftp": { "dir": null } } }, "crc": 0 }`), configured());
    expect(config.remote.modem).toMatchObject({ cpin: null, apn: null, user: null, pass: null });
    expect(config.remote.ftp.dir).toBeNull();
  });

  test('filters and schedules null mean none', () => {
    const { config } = accepted(ejson(`{ "config": { "radio": { "manufFilter": null, "mediumFilter": null }, "scheduleRadio": null, "scheduleFTP": null }, "crc": 0 }`), configured());
    expect(config.radio.manufFilter).toEqual([]);
    expect(config.radio.mediumFilter).toEqual([]);
    expect(config.scheduleRadio).toEqual([]);
    expect(config.scheduleFTP).toEqual([]);
  });

  test('a radio trigger with data null uses radio.duration, like one without data', () => {
    expect(accepted(fileWith('scheduleRadio', [{ cron: '0 * * * *', data: null }])).config.scheduleRadio).toEqual([{ cron: '0 * * * *' }]);
  });

  test('null is refused where the manual gives it no meaning', () => {
    expect(rejected(fileWith('radio.duration', null))).toEqual({ ok: false, field: 'config.radio.duration', reason: 'null is not allowed, expected int32 or int64 or double or array' });
    expect(rejected(fileWith('mode', null))).toMatchObject({ field: 'config.mode' });
  });
});

describe('rules between variables', () => {
  test('multi-listening: one duration per mode', () => {
    expect(rejected(ejson(`{ "config": { "radio": { "mode": [2, 0], "duration": [120] } }, "crc": 0 }`)))
      .toEqual({ ok: false, field: 'config.radio.duration', reason: '1 durations for 2 listening mode(s)' });
  });

  test('multi-listening: a single duration serves every mode', () => {
    expect(accepted(ejson(`{ "config": { "radio": { "mode": [2, 0], "duration": 120 } }, "crc": 0 }`)).config.radio.duration).toBe(120);
  });

  test('going back to one mode needs the duration list to go too', () => {
    const multi = accepted(ejson(`{ "config": { "radio": { "mode": [2, 0], "duration": [120, 180] } }, "crc": 0 }`)).config;
    expect(rejected(fileWith('radio.mode', 2), multi)).toMatchObject({ field: 'config.radio.duration' });
    expect(accepted(ejson(`{ "config": { "radio": { "mode": 2, "duration": 120 } }, "crc": 0 }`), multi).config.radio).toMatchObject({ mode: 2, duration: 120 });
  });

  test('a radio trigger with a window list needs that many modes (§4.2.5.1.1)', () => {
    expect(rejected(fileWith('scheduleRadio', [{ cron: '0 * * * *', data: [30, 60] }])))
      .toEqual({ ok: false, field: 'config.scheduleRadio[0].data', reason: '2 durations for 1 listening mode(s)' });
  });

  test('encryption needs the 16-byte key (§4.2.1.2)', () => {
    expect(rejected(fileWith('security.encryption', true))).toEqual({ ok: false, field: 'config.security.key', reason: 'required when encryption is true' });
    const encrypted = accepted(ejson(`{ "config": { "security": { "encryption": true, "key": { "$type": "80", "$binary": "RACq94N4BJyrE+5ONQ4oGw==" } } }, "crc": 0 }`)).config;
    expect(rejected(fileWith('security.key', null), encrypted)).toMatchObject({ field: 'config.security.key' });
    expect(accepted(fileWith('security.encryption', false), encrypted).config.security.encryption).toBe(false);
  });
});

describe('defaults are the starting point', () => {
  test('a one-variable file on a fresh hub leaves every other variable at its default', () => {
    const { config } = accepted(fileWith('name', 'hub'));
    expect(config).toEqual({ ...defaultConfig(), name: 'hub' });
  });
});
