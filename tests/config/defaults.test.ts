/** Appendix 9.1 default values, and the factory pre-configuration of §3.1.1.2 / §3.1.1.4. */
import { CONFIG_SCHEMA, EXTENSION_SOURCE } from '../../protocol/config/schema';
import { defaultConfig, withFactoryPreset } from '../../protocol/config/defaults';
import { getPath } from '../../protocol/config/values';
import { ejson } from './spec';

/** [path, default] as appendix 9.1 (or the section text, where 9.1 leaves the column empty) states it. */
const APPENDIX_DEFAULTS: [string, unknown][] = [
  ['mode', 'factorySettings'], // no 9.1 default; §3.1: a hub without configuration is in FACTORY SETTINGS
  ['name', null],
  ['logLevel', 2],
  ['local.magnet', 0],
  ['local.blePin', '1234'],
  ['local.whiteList', null],
  ['local.testCount', 1],
  ['local.timeout', 0],
  ['security.crcMode', 1],
  ['security.encryption', false],
  ['security.key', null],
  ['radio.mode', 2],
  ['radio.duration', 60],
  ['radio.manufFilter', []],
  ['radio.mediumFilter', []],
  ['radio.BFormatLFieldAdaptation', true],
  ['radio.longHeader', true],
  ['radio.skipVersionField', false],
  ['radio.skipMediumField', false],
  ['remote.modem.mode', 'auto'],
  ['remote.modem.scanseq', null],
  ['remote.modem.band', null],
  ['remote.modem.deregisterOnLocalAction', false],
  ['remote.modem.cpin', null],
  ['remote.modem.apn', null],
  ['remote.modem.user', null],
  ['remote.modem.pass', null],
  ['remote.modem.timeout', 300],
  ['remote.modem.randomDelay', 0],
  ['remote.ftp.mode', 0],
  ['remote.ftp.addr', null],
  ['remote.ftp.user', null],
  ['remote.ftp.pass', null],
  ['remote.ftp.dir', null],
  ['remote.ntp', null], // 9.1: null; §4.2.3.3: which means pool.ntp.org
  ['alarms.oneAlarmPerDay', true], // §4.2.4
  ['alarms.temperature', null],
  ['alarms.timeGap', null],
  ['alarms.battery', null],
  ['scheduleRadio', []],
  ['scheduleFTP', []],
  ['monitoringPeriod', 60],
];

/** This product's extensions of the schema, with the defaults docs/configuration.md gives. */
const EXTENSION_DEFAULTS: [string, unknown][] = [
  ['remote.mqtt.addr', null],
  ['remote.mqtt.port', null],
  ['remote.mqtt.tls', false],
  ['remote.mqtt.user', null],
  ['remote.mqtt.pass', null],
  ['remote.mqtt.clientId', null],
  ['remote.mqtt.prefix', 'wmbus'],
  ['remote.mqtt.format', 'lansen'],
  ['remote.mqtt.qos', 1],
  ['remote.mqtt.listen', 30],
  ['remote.mqtt.keepAlive', 60],
  ['remote.mqtt.cleanSession', false],
  ['remote.transport', 'ftp'],
  ['security.tlsVerify', 'auto'],
  ['radio.blackList', []],
  ['radio.minRssi', null],
  ['radio.suppression', 0],
];

describe('defaults (appendix 9.1)', () => {
  test.each(APPENDIX_DEFAULTS)('%s defaults to %p', (path, value) => {
    expect(getPath(defaultConfig(), path)).toEqual(value);
  });

  test.each(EXTENSION_DEFAULTS)('product extension %s defaults to %p', (path, value) => {
    expect(getPath(defaultConfig(), path)).toEqual(value);
  });

  test('the schema has exactly the variables of the appendix and the product extensions, no more', () => {
    expect(CONFIG_SCHEMA.map((s) => s.path).sort()).toEqual([...APPENDIX_DEFAULTS, ...EXTENSION_DEFAULTS].map(([p]) => p).sort());
  });

  test('the fields marked as product extensions are exactly the ones not in the appendix', () => {
    const marked = CONFIG_SCHEMA.filter((s) => s.source.startsWith(EXTENSION_SOURCE)).map((s) => s.path);
    expect(marked.sort()).toEqual(EXTENSION_DEFAULTS.map(([p]) => p).sort());
  });

  test('each call returns a fresh configuration', () => {
    const a = defaultConfig();
    a.scheduleFTP.push({ cron: '0 * * * *', data: 1 });
    expect(defaultConfig().scheduleFTP).toEqual([]);
  });
});

describe('factory pre-configuration (§3.1.1.4: it becomes the default)', () => {
  const preset = ejson(`{ "config": {
    "remote": { "modem": { "apn": "m2m.operator" }, "ftp": { "addr": "ftp.customer.example", "user": "fleet", "pass": "pw" } },
    "scheduleFTP": [ { "cron": "0 3 * * *", "data": 7 } ] }, "crc": 0 }`);

  test('the preset values replace the defaults, the rest stays at default', () => {
    const r = withFactoryPreset(preset);
    if (!r.ok) throw new Error(r.reason);
    expect(r.config.remote.modem.apn).toBe('m2m.operator');
    expect(r.config.remote.ftp).toEqual({ mode: 0, addr: 'ftp.customer.example', user: 'fleet', pass: 'pw', dir: null });
    expect(r.config.scheduleFTP).toEqual([{ cron: '0 3 * * *', data: 7 }]);
    expect(r.config.radio).toEqual(defaultConfig().radio);
  });

  test('a pre-configured hub starts in STORAGE mode (§3.1.1.2) unless the preset says otherwise', () => {
    const r = withFactoryPreset(preset);
    expect(r.ok && r.config.mode).toBe('storage');
    const run = withFactoryPreset(ejson(`{ "config": { "mode": "run" }, "crc": 0 }`));
    expect(run.ok && run.config.mode).toBe('run');
  });

  test('an invalid preset is reported like any configuration file', () => {
    expect(withFactoryPreset(ejson(`{ "config": { "monitoringPeriod": 10 }, "crc": 0 }`))).toEqual({
      ok: false, field: 'config.monitoringPeriod', reason: '10 is out of range 15..1440 (or 0 to disable)',
    });
  });
});
