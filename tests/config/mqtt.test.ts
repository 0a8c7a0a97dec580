/**
 * This product's extension of the schema (docs/configuration.md): `remote.mqtt.*` and
 * `remote.transport`. The limits are restated here from the documentation, not read from the schema.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { run as bson2json } from '../../bin/commands/bson2json';
import { run as configCommand } from '../../bin/commands/config';
import { run as json2bson } from '../../bin/commands/json2bson';
import { decodeBson } from '../../protocol/bson/decode';
import { encodeBson } from '../../protocol/bson/encode';
import { BsonDocument } from '../../protocol/bson/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { mqttEndpoint } from '../../protocol/config/endpoints';
import { configToDocument } from '../../protocol/config/serialize';
import { Config, ConfigInfo } from '../../protocol/config/types';
import { getPath } from '../../protocol/config/values';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { accepted, ejson, fileWith, rejected } from './spec';

const INFO: ConfigInfo = { version: 104, timestamp: 1591083697, uid: '123456', sn: 'SN20200423_9876543210' };

const MQTT_JSON = `{ "config": { "remote": {
  "mqtt": { "addr": "broker.example.com", "port": 8883, "tls": true, "user": "fleet", "pass": "s3cret", "clientId": "box_0042",
            "prefix": "site/7", "format": "bson", "qos": 0, "listen": 120, "keepAlive": 300, "cleanSession": true },
  "transport": "both" } }, "crc": 0 }`;

function withBroker(): Config {
  return accepted(fileWith('remote.mqtt.addr', 'broker.example.com')).config;
}

/** [path, min, max] */
const RANGES: [string, number, number][] = [
  ['remote.mqtt.port', 1, 65535],
  ['remote.mqtt.listen', 0, 600],
  ['remote.mqtt.keepAlive', 10, 1800],
];

describe('numeric ranges', () => {
  test.each(RANGES.map(([path, min]) => [path, min]))('%s: lower bound %i accepted, one less refused with the field', (path, min) => {
    expect(getPath(accepted(fileWith(path, min)).config, path)).toBe(min);
    expect(rejected(fileWith(path, min - 1))).toEqual({ ok: false, field: `config.${path}`, reason: `${min - 1} is out of range ${min}..${RANGES.find((r) => r[0] === path)?.[2]}` });
  });

  test.each(RANGES.map(([path, , max]) => [path, max]))('%s: upper bound %i accepted, one more refused with the field', (path, max) => {
    expect(getPath(accepted(fileWith(path, max)).config, path)).toBe(max);
    expect(rejected(fileWith(path, max + 1))).toMatchObject({ field: `config.${path}` });
  });

  test('qos 0 and 1 are accepted, 2 is refused with the field', () => {
    expect(accepted(fileWith('remote.mqtt.qos', 0)).config.remote.mqtt.qos).toBe(0);
    expect(accepted(fileWith('remote.mqtt.qos', 1)).config.remote.mqtt.qos).toBe(1);
    expect(rejected(fileWith('remote.mqtt.qos', 2))).toEqual({ ok: false, field: 'config.remote.mqtt.qos', reason: '2 is not one of 0, 1' });
  });

  test('a port given as text is refused with the field', () => {
    expect(rejected(fileWith('remote.mqtt.port', '1883'))).toEqual({ ok: false, field: 'config.remote.mqtt.port', reason: 'expected int32 or int64 or double, got string' });
  });
});

describe('enumerations', () => {
  test.each(['lansen', 'json', 'bson'])('format %p is accepted', (format) => {
    expect(accepted(fileWith('remote.mqtt.format', format)).config.remote.mqtt.format).toBe(format);
  });

  test('an unknown format is refused with the field', () => {
    expect(rejected(fileWith('remote.mqtt.format', 'xml'))).toEqual({ ok: false, field: 'config.remote.mqtt.format', reason: '"xml" is not one of lansen, json, bson' });
  });

  test.each(['ftp', 'mqtt', 'both'])('transport %p is accepted once a broker is set', (transport) => {
    expect(accepted(fileWith('remote.transport', transport), withBroker()).config.remote.transport).toBe(transport);
  });

  test('an unknown transport is refused with the field', () => {
    expect(rejected(fileWith('remote.transport', 'http'))).toEqual({ ok: false, field: 'config.remote.transport', reason: '"http" is not one of ftp, mqtt, both' });
  });

  test('values are case-sensitive like the keys (§4.2): "MQTT" is refused', () => {
    expect(rejected(fileWith('remote.transport', 'MQTT'))).toMatchObject({ field: 'config.remote.transport' });
  });
});

describe('client identifier', () => {
  test('23 characters of 0-9, a-z, A-Z, _ and - are accepted', () => {
    const id = 'Ab0_-Ab0_-Ab0_-Ab0_-xyz';
    expect(accepted(fileWith('remote.mqtt.clientId', id)).config.remote.mqtt.clientId).toBe(id);
  });

  test('24 characters are refused with the field', () => {
    expect(rejected(fileWith('remote.mqtt.clientId', 'a'.repeat(24)))).toEqual({ ok: false, field: 'config.remote.mqtt.clientId', reason: '24 characters, at most 23' });
  });

  test.each(['box 1', 'box.1', 'box/1', 'bôx', ''])('%p is refused with the field', (id) => {
    expect(rejected(fileWith('remote.mqtt.clientId', id))).toMatchObject({ field: 'config.remote.mqtt.clientId' });
  });

  test('null gives the identifier back to the uid', () => {
    const named = accepted(fileWith('remote.mqtt.clientId', 'box1')).config;
    expect(accepted(fileWith('remote.mqtt.clientId', null), named).config.remote.mqtt.clientId).toBeNull();
  });
});

describe('topic prefix', () => {
  test('topic levels with inner slashes are accepted', () => {
    expect(accepted(fileWith('remote.mqtt.prefix', 'acme/site-7/wmbus')).config.remote.mqtt.prefix).toBe('acme/site-7/wmbus');
  });

  test.each(['wmbus/+', 'wmbus/#', '#', 'a+b'])('the wildcard in %p is refused with the field', (prefix) => {
    expect(rejected(fileWith('remote.mqtt.prefix', prefix))).toMatchObject({ field: 'config.remote.mqtt.prefix', reason: expect.stringContaining('wildcard') });
  });

  test.each(['/wmbus', 'wmbus/'])('the leading or trailing slash of %p is refused', (prefix) => {
    expect(rejected(fileWith('remote.mqtt.prefix', prefix))).toMatchObject({ field: 'config.remote.mqtt.prefix' });
  });

  test('NUL is refused', () => {
    expect(rejected(fileWith('remote.mqtt.prefix', 'wm\u0000bus'))).toMatchObject({ field: 'config.remote.mqtt.prefix', reason: expect.stringContaining('NUL') });
  });

  test('64 characters are accepted, 65 and the empty prefix are refused', () => {
    expect(accepted(fileWith('remote.mqtt.prefix', 'p'.repeat(64))).config.remote.mqtt.prefix).toBe('p'.repeat(64));
    expect(rejected(fileWith('remote.mqtt.prefix', 'p'.repeat(65)))).toMatchObject({ field: 'config.remote.mqtt.prefix' });
    expect(rejected(fileWith('remote.mqtt.prefix', ''))).toMatchObject({ field: 'config.remote.mqtt.prefix' });
  });

  test('null is refused: the prefix always has a value', () => {
    expect(rejected(fileWith('remote.mqtt.prefix', null))).toMatchObject({ field: 'config.remote.mqtt.prefix' });
  });
});

describe('broker address', () => {
  test.each(['broker.example.com', 'mqtt', '10.0.0.1'])('%p is accepted', (addr) => {
    expect(accepted(fileWith('remote.mqtt.addr', addr)).config.remote.mqtt.addr).toBe(addr);
  });

  test.each(['broker.example.com:1883', '10.0.0.256', 'bad host', '-x.example', 'a..b'])('%p is refused with the field', (addr) => {
    expect(rejected(fileWith('remote.mqtt.addr', addr))).toMatchObject({ field: 'config.remote.mqtt.addr' });
  });

  test('null and \'\' both mean no broker, stored as null', () => {
    expect(accepted(fileWith('remote.mqtt.addr', null), withBroker()).config.remote.mqtt.addr).toBeNull();
    expect(accepted(fileWith('remote.mqtt.addr', ''), withBroker()).config.remote.mqtt.addr).toBeNull();
  });

  test('65 characters are refused', () => {
    expect(rejected(fileWith('remote.mqtt.addr', `${'a'.repeat(61)}.com`))).toMatchObject({ field: 'config.remote.mqtt.addr', reason: '65 characters, at most 64' });
  });
});

describe('texts and null', () => {
  test('user and pass take up to 32 characters, null is no login', () => {
    const { config } = accepted(ejson(`{ "config": { "remote": { "mqtt": { "user": "${'u'.repeat(32)}", "pass": "${'p'.repeat(32)}" } } } }`));
    expect(config.remote.mqtt).toMatchObject({ user: 'u'.repeat(32), pass: 'p'.repeat(32) });
    expect(rejected(fileWith('remote.mqtt.pass', 'p'.repeat(33)))).toMatchObject({ field: 'config.remote.mqtt.pass' });
    expect(accepted(ejson('{ "config": { "remote": { "mqtt": { "user": null, "pass": null } } } }'), config).config.remote.mqtt).toMatchObject({ user: null, pass: null });
  });

  test('port null goes back to the default port', () => {
    const set = accepted(fileWith('remote.mqtt.port', 1884)).config;
    expect(accepted(fileWith('remote.mqtt.port', null), set).config.remote.mqtt.port).toBeNull();
  });

  test.each(['tls', 'cleanSession', 'format', 'qos', 'listen', 'keepAlive'])('%s null is refused', (key) => {
    expect(rejected(fileWith(`remote.mqtt.${key}`, null))).toMatchObject({ field: `config.remote.mqtt.${key}` });
  });

  test('an unknown key under remote.mqtt is refused with its path', () => {
    expect(rejected(fileWith('remote.mqtt.host', 'x'))).toEqual({ ok: false, field: 'config.remote.mqtt.host', reason: 'unknown key (keys are case-sensitive, §4.2)' });
  });
});

describe('transport needs a broker', () => {
  test.each(['mqtt', 'both'])('transport %p without remote.mqtt.addr is refused on the address', (transport) => {
    expect(rejected(fileWith('remote.transport', transport))).toEqual({ ok: false, field: 'config.remote.mqtt.addr', reason: `required when remote.transport is '${transport}'` });
  });

  test('transport and broker in the same file are accepted', () => {
    const { config } = accepted(ejson('{ "config": { "remote": { "transport": "mqtt", "mqtt": { "addr": "10.0.0.1" } } } }'));
    expect(config.remote).toMatchObject({ transport: 'mqtt', mqtt: { addr: '10.0.0.1' } });
  });

  test('removing the broker while transport needs it is refused', () => {
    const mqtt = accepted(fileWith('remote.transport', 'mqtt'), withBroker()).config;
    expect(rejected(fileWith('remote.mqtt.addr', null), mqtt)).toMatchObject({ field: 'config.remote.mqtt.addr' });
  });

  test('transport ftp needs no broker', () => {
    expect(accepted(fileWith('remote.transport', 'ftp')).config.remote.mqtt.addr).toBeNull();
  });
});

describe('partial documents', () => {
  test('a file with only remote.mqtt.addr changes that variable and keeps every other one', () => {
    const before = defaultConfig();
    const { config, changed } = accepted(fileWith('remote.mqtt.addr', 'broker.example.com'), before);
    expect(config).toEqual({ ...before, remote: { ...before.remote, mqtt: { ...before.remote.mqtt, addr: 'broker.example.com' } } });
    expect(changed).toEqual(['config.remote.mqtt.addr']);
  });

  test('an MQTT file keeps the FTP server and the modem settings', () => {
    const ftp = accepted(ejson('{ "config": { "remote": { "ftp": { "addr": "ftp.example.com" }, "modem": { "apn": "iot" } } } }')).config;
    const { config } = accepted(ejson(MQTT_JSON), ftp);
    expect(config.remote.ftp).toEqual(ftp.remote.ftp);
    expect(config.remote.modem).toEqual(ftp.remote.modem);
  });
});

describe('configuration copy', () => {
  const mqtt = accepted(ejson(MQTT_JSON)).config;

  test('the /CONFIG copy writes every MQTT variable and the transport', () => {
    const remote = (configToDocument(mqtt, INFO).config as BsonDocument).remote as BsonDocument;
    expect(remote.mqtt).toEqual({
      addr: 'broker.example.com', port: 8883, tls: true, user: 'fleet', pass: 's3cret', clientId: 'box_0042',
      prefix: 'site/7', format: 'bson', qos: 0, listen: 120, keepAlive: 300, cleanSession: true,
    });
    expect(remote.transport).toBe('both');
  });

  test('the defaults are written too, null included', () => {
    const remote = (configToDocument(defaultConfig(), INFO).config as BsonDocument).remote as BsonDocument;
    expect(remote.mqtt).toMatchObject({ addr: null, port: null, clientId: null, prefix: 'wmbus', format: 'lansen', qos: 1 });
    expect(remote.transport).toBe('ftp');
  });

  test('serialized, encoded as BSON and applied to a fresh hub, it gives the same configuration', () => {
    const decoded = decodeBson(encodeBson(configToDocument(mqtt, INFO)));
    if (!decoded.ok) throw new Error(decoded.error);
    expect(applyConfigFile(defaultConfig(), decoded.value)).toEqual({ ok: true, config: mqtt, changed: expect.arrayContaining(['config.remote.transport', 'config.remote.mqtt.qos']) });
  });

  test('sent back to the same hub it changes nothing', () => {
    expect(applyConfigFile(mqtt, configToDocument(mqtt, INFO))).toEqual({ ok: true, config: mqtt, changed: [] });
  });
});

describe('endpoint', () => {
  test('no broker: no endpoint', () => {
    expect(mqttEndpoint(defaultConfig())).toBeUndefined();
  });

  test('port null is 1883 in plain and 8883 with tls', () => {
    expect(mqttEndpoint(withBroker())).toEqual({ host: 'broker.example.com', port: 1883, tls: false });
    expect(mqttEndpoint(accepted(fileWith('remote.mqtt.tls', true), withBroker()).config)).toEqual({ host: 'broker.example.com', port: 8883, tls: true });
  });

  test('a configured port wins over the default', () => {
    expect(mqttEndpoint(accepted(fileWith('remote.mqtt.port', 1884), withBroker()).config)).toMatchObject({ port: 1884 });
  });
});

describe('CLI', () => {
  let dir: string;
  let out: string;
  let err: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wmbus-mqtt-'));
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (name: string, content: string | Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const TS = ['--ts', '1591083697'];

  test('config check accepts an MQTT configuration and lists the MQTT variables it changes', async () => {
    expect(await configCommand(['check', put('123456-cfg.json', MQTT_JSON), ...TS])).toBe(0);
    expect(JSON.parse(out).ack).toEqual({ type: 'config', cid: '', result: 'ok', data: '123456-cfg.json' });
    expect(err).toBe('changed: config.remote.mqtt.addr, config.remote.mqtt.port, config.remote.mqtt.tls, config.remote.mqtt.user, '
      + 'config.remote.mqtt.pass, config.remote.mqtt.clientId, config.remote.mqtt.prefix, config.remote.mqtt.format, config.remote.mqtt.qos, '
      + 'config.remote.mqtt.listen, config.remote.mqtt.keepAlive, config.remote.mqtt.cleanSession, config.remote.transport\n');
  });

  test('config check refuses transport mqtt without a broker, naming remote.mqtt.addr in the ACK', async () => {
    const path = put('123456-cfg.json', '{ "config": { "remote": { "transport": "mqtt" } }, "crc": 0 }');
    expect(await configCommand(['check', path, ...TS])).toBe(1);
    expect(JSON.parse(out).ack).toEqual({ type: 'config', cid: '', result: 'ko', data: "123456-cfg.json: config.remote.mqtt.addr: required when remote.transport is 'mqtt'" });
  });

  test('config check names the MQTT field of a bad value in the ACK', async () => {
    const path = put('123456-cfg.json', '{ "config": { "remote": { "mqtt": { "keepAlive": 5 } } }, "crc": 0 }');
    expect(await configCommand(['check', path, ...TS])).toBe(1);
    expect(JSON.parse(out).ack.data).toBe('123456-cfg.json: config.remote.mqtt.keepAlive: 5 is out of range 10..1800');
  });

  test('json2bson then bson2json round-trips the MQTT variables, qos and ports as int32', async () => {
    expect(await json2bson([put('cfg.json', MQTT_JSON), '-o', join(dir, '123456-cfg.bson')])).toBe(0);
    const decoded = decodeFile(new Uint8Array(readFileSync(join(dir, '123456-cfg.bson'))), { encrypted: false, crcMode: 2 });
    if (!decoded.ok) throw new Error(decoded.detail);
    const mqtt = ((decoded.doc.config as BsonDocument).remote as BsonDocument).mqtt as BsonDocument;
    // The BSON element types as written: 0x10 int32 for qos, port, listen, keepAlive.
    const raw = readFileSync(join(dir, '123456-cfg.bson'));
    for (const key of ['qos', 'port', 'listen', 'keepAlive']) expect(raw.includes(Buffer.from([0x10, ...Buffer.from(key), 0]))).toBe(true);
    expect(mqtt).toMatchObject({ qos: 0, port: 8883, listen: 120, keepAlive: 300, tls: true, format: 'bson' });
    out = '';
    expect(await bson2json([join(dir, '123456-cfg.bson')])).toBe(0);
    expect(JSON.parse(out).config).toEqual(JSON.parse(MQTT_JSON).config);
  });

  test('the /CONFIG copy converted to JSON and back configures a hub identically', async () => {
    const mqtt = accepted(ejson(MQTT_JSON)).config;
    const bsonPath = put('123456-1591083697-config.bson', encodeFile(configToDocument(mqtt, INFO), { encryption: false }));
    expect(await bson2json([bsonPath])).toBe(0);
    const jsonPath = put('copy.json', out);
    expect(await json2bson([jsonPath, '-o', join(dir, '123456-cfg.bson')])).toBe(0);
    const decoded = decodeFile(new Uint8Array(readFileSync(join(dir, '123456-cfg.bson'))), { encrypted: false, crcMode: 2 });
    if (!decoded.ok) throw new Error(decoded.detail);
    expect(applyConfigFile(defaultConfig(), decoded.doc)).toMatchObject({ ok: true, config: mqtt });
  });
});
