/** `wmbus config check FILE`: the ACK the hub would write, exit 0 when applied, 1 when refused. */
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { run } from '../../bin/commands/config';
import { encodeFile } from '../../protocol/files/codec';
import { ejson } from './spec';

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wmbus-config-'));
  out = '';
  err = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
});

afterEach(() => jest.restoreAllMocks());

function put(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const TS = ['--ts', '1591083697'];

describe('wmbus config check', () => {
  test('an extended-JSON file the hub accepts: ACK ok, exit 0', async () => {
    const path = put('123456-cfg.json', '{ "config": { "radio": { "mode": 2, "duration": 60 } }, "crc": 0 }');
    expect(await run(['check', path, ...TS])).toBe(0);
    expect(JSON.parse(out)).toEqual({ uid: '123456', source: 'ftp', TS: 1591083697, ack: { type: 'config', cid: '', result: 'ok', data: '123456-cfg.json' } });
  });

  test('a refused file: ACK ko naming the field, exit 1', async () => {
    const path = put('123456-cfg.json', '{ "config": { "monitoringPeriod": 5 }, "crc": 0 }');
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(JSON.parse(out).ack).toEqual({ type: 'config', cid: '', result: 'ko', data: '123456-cfg.json: config.monitoringPeriod: 5 is out of range 15..1440 (or 0 to disable)' });
  });

  test('a BSON file with its CRC is read through the file codec', async () => {
    const path = put('123456-cfg.bson', encodeFile(ejson('{ "config": { "logLevel": 3 } }'), { encryption: false }));
    expect(await run(['check', path, ...TS])).toBe(0);
    expect(err).toContain('changed: config.logLevel');
  });

  test('a BSON file whose CRC does not match is refused (§4.2.1.2)', async () => {
    const bytes = encodeFile(ejson('{ "config": { "logLevel": 3 } }'), { encryption: false });
    bytes[bytes.length - 3] ^= 0xff;
    const path = put('123456-cfg.bson', bytes);
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(JSON.parse(out).ack.data).toMatch(/^123456-cfg\.bson: crc: CRC mismatch/);
  });

  test('an encrypted file is read with the key of --current', async () => {
    const key = '{ "$type": "80", "$binary": "RACq94N4BJyrE+5ONQ4oGw==" }';
    const current = put('current.json', `{ "config": { "security": { "encryption": true, "key": ${key} } } }`);
    const keyBytes = Uint8Array.from([0x44, 0x00, 0xaa, 0xf7, 0x83, 0x78, 0x04, 0x9c, 0xab, 0x13, 0xee, 0x4e, 0x35, 0x0e, 0x28, 0x1b]);
    const path = put('123456-cfg.bson.aes', encodeFile(ejson('{ "config": { "name": "secret hub" } }'), { encryption: true, key: keyBytes }));
    expect(await run(['check', path, '--current', current, ...TS])).toBe(0);
    expect(JSON.parse(out).ack.result).toBe('ok');
  });

  test('--current: a multi-listening trigger is checked against the configured modes', async () => {
    const current = put('current.json', '{ "config": { "radio": { "mode": [2, 0], "duration": [120, 180] } } }');
    const path = put('123456-cfg.json', '{ "config": { "scheduleRadio": [ { "cron": "*/30 * * * *", "data": [30, 60] } ] } }');
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(await run(['check', path, '--current', current, ...TS])).toBe(0);
  });

  test('a white-list file is checked as a white list', async () => {
    const path = put('123456-wlFilter.json', '{ "wlFilter": [ { "id": { "$binary": "MExBKpkgwAE=", "$type": "00" } } ], "crc": 0 }');
    expect(await run(['check', path, ...TS])).toBe(0);
    expect(err).toContain('white list: 1 meters');
  });

  test('JSON that does not parse is refused like a corrupt file', async () => {
    const path = put('123456-cfg.json', '{ "config": { "logLevel": 2, } }');
    expect(await run(['check', path, '--uid', 'WE_1234', '--source', 'usb', ...TS])).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ uid: 'WE_1234', source: 'usb', ack: { result: 'ko' } });
  });

  test('bad usage exits 2', async () => {
    expect(await run(['apply', 'x'])).toBe(2);
    expect(await run(['check'])).toBe(2);
    expect(await run(['check', 'x', '--source', 'sms'])).toBe(2);
  });
});
