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

  test('every error of a refused file is listed on stderr; the ACK names the first, as the device does', async () => {
    const path = put(
      '123456-cfg.json',
      '{ "config": { "monitoringPeriod": 5, "radio": { "mode": 9, "duration": 60 }, "logLevel": "high", "colour": 1,' +
        ' "scheduleRadio": [ { "cron": "0 3 * * *" }, { "cron": "61 * * * *" } ] }, "crc": 0 }',
    );
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(JSON.parse(out).ack.data).toBe('123456-cfg.json: config.monitoringPeriod: 5 is out of range 15..1440 (or 0 to disable)');
    expect(err).toBe(
      [
        '5 errors (the ACK names the first):',
        '  config.monitoringPeriod: 5 is out of range 15..1440 (or 0 to disable)',
        '  config.radio.mode: 9 is not one of 0, 1, 2',
        '  config.logLevel: expected int32 or int64 or double, got string',
        '  config.colour: unknown key (keys are case-sensitive, §4.2)',
        '  config.scheduleRadio[1].cron: bad trigger "61 * * * *": minute: "61" is outside 0-59',
        '',
      ].join('\n'),
    );
  });

  test('a value error and a rule between fields are both listed', async () => {
    const path = put('123456-cfg.json', '{ "config": { "logLevel": 99, "radio": { "mode": [2, 0], "duration": [60] } } }');
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(err).toBe(
      '2 errors (the ACK names the first):\n  config.logLevel: 99 is not one of 0, 1, 2, 3\n  config.radio.duration: 1 durations for 2 listening mode(s)\n',
    );
  });

  test('the manual\'s capitalised "Config" is listed with the missing "config" it leaves', async () => {
    const path = put('123456-cfg.json', '{ "Config": { "Remote": { "NTP": ["ntp.google.com", ""] } }, "CRC": 0 }');
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(err).toBe(
      '3 errors (the ACK names the first):\n' +
        '  Config: unknown key (keys are case-sensitive, §4.2)\n  CRC: unknown key (keys are case-sensitive, §4.2)\n  config: missing\n',
    );
  });

  test('a file with one error lists that one', async () => {
    const path = put('123456-cfg.json', '{ "config": { "monitoringPeriod": 5 }, "crc": 0 }');
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(err).toBe('1 error (the ACK names the first):\n  config.monitoringPeriod: 5 is out of range 15..1440 (or 0 to disable)\n');
  });

  test('a file that cannot be read is a usage error (exit 2) with no ACK', async () => {
    const path = join(dir, 'nothing-here', '123456-cfg.bson');
    expect(await run(['check', path, ...TS])).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toBe(`error: cannot read ${path}: ENOENT: no such file or directory, open '${path}'`);
  });

  test('a directory given as FILE is a usage error too', async () => {
    expect(await run(['check', dir, ...TS])).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toBe(`error: cannot read ${dir}: EISDIR: illegal operation on a directory, read`);
  });

  test('an unreadable --current is a usage error', async () => {
    const path = put('123456-cfg.json', '{ "config": { "logLevel": 3 } }');
    const missing = join(dir, 'none.json');
    expect(await run(['check', path, '--current', missing, ...TS])).toBe(2);
    expect(err).toBe(`--current: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`);
  });

  test('a JSON file that is not UTF-8 is refused naming the offset of the bad byte', async () => {
    const path = put('123456-cfg.json', Buffer.concat([Buffer.from('{ "config": { "name": "Caf'), Buffer.from([0xe9]), Buffer.from('" } }')]));
    expect(await run(['check', path, ...TS])).toBe(1);
    expect(JSON.parse(out).ack.data).toBe(`123456-cfg.json: json: ${path} is not UTF-8 text: byte 0xE9 at offset 26 (save the JSON as UTF-8)`);
  });

  test('a JSON file starting with a UTF-8 byte order mark is read', async () => {
    const path = put('123456-cfg.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{ "config": { "name": "Café" } }')]));
    expect(await run(['check', path, ...TS])).toBe(0);
    expect(err).toBe('changed: config.name\n');
  });

  test('bad usage exits 2', async () => {
    expect(await run(['apply', 'x'])).toBe(2);
    expect(await run(['check'])).toBe(2);
    expect(await run(['check', 'x', '--source', 'sms'])).toBe(2);
  });
});
