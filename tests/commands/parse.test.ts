/** §5.6 command files → typed commands, field by field. */
import { parseExtendedJson } from '../../protocol/bson/ejson';
import type { BsonDocument } from '../../protocol/bson/types';
import { BsonBinary } from '../../protocol/bson/types';
import { parseCommandFile } from '../../protocol/commands/parse';
import type { Command, CommandEntry } from '../../protocol/commands/types';
import { COMMAND_TYPES } from '../../protocol/commands/types';
import { MANUAL_COMMANDS } from './manual-commands';

const UID = '123456';

function doc(json: string): BsonDocument {
  const parsed = parseExtendedJson(json);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function entries(file: BsonDocument, uid = UID): CommandEntry[] {
  const parsed = parseCommandFile(file, uid);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.entries;
}

const ok = (command: Command): CommandEntry => ({ ok: true, command });

describe('the manual’s examples', () => {
  const expected: Record<string, CommandEntry[]> = {
    '§5.6': [ok({ type: 'request', cid: '' })],
    '§5.6.1 request': [ok({ type: 'request', cid: '' })],
    '§5.6.2 factory': [ok({ type: 'factory', cid: '' })],
    '§5.6.4 diag': [ok({ type: 'diag', cid: '' })],
    '§5.6.5 configGet': [ok({ type: 'configGet', cid: '' })],
    '§5.6.6 whiteListErase': [ok({ type: 'whiteListErase', cid: '' })],
    '§5.6.7 operatorInit': [ok({ type: 'operatorInit', cid: '' })],
    '§5.6.8 logGet': [ok({ type: 'logGet', cid: '' })],
    '§5.6.9 logClean': [ok({ type: 'logClean', cid: '' })],
    '§5.6.10 supervisionClean': [ok({ type: 'supervisionClean', cid: '' })],
    '§5.6.11 supervisionGet': [ok({ type: 'supervisionGet', cid: '123456' })],
    '§5.6.12 certificate': [ok({ type: 'certificate', cid: '123456', fileName: 'cert.pem' })],
    '§5.6.13 certClean': [ok({ type: 'certClean', cid: '123456' })],
    '§6 application and BLE firmware': [
      ok({ type: 'firmware', cid: 'firmwareBLE', fileName: 'WebdynEasy_BLE_V1.0.bson' }),
      ok({ type: 'firmware', cid: 'firmwareAPP', fileName: 'WebdynEasy_V1.0.bson' }),
    ],
    '§6 application firmware': [ok({ type: 'firmware', cid: '', fileName: 'WebdynEasy_V1.0.bson' })],
    '§6 BLE firmware': [ok({ type: 'firmware', cid: '', fileName: 'WebdynEasy_BLE_V1.0.bson' })],
  };

  test.each(MANUAL_COMMANDS.map((c) => [c.clause, c.json]))('%s is accepted', (clause, json) => {
    expect(entries(doc(json))).toEqual(expected[clause]);
  });

  test('every one of the 13 command types has an accepted form', () => {
    const seen = new Set(Object.values(expected).flatMap((list) => list.map((e) => (e.ok ? e.command.type : ''))));
    expect([...seen].sort()).toEqual([...COMMAND_TYPES].sort());
  });

  test('§5.6.4: the diag example names hub 123456, so another hub refuses it', () => {
    const diag = MANUAL_COMMANDS.find((c) => c.clause === '§5.6.4 diag') as { json: string };
    expect(entries(doc(diag.json), 'WE_1234')).toEqual([{ ok: false, cid: '', error: 'uid 123456 is not this hub' }]);
  });
});

describe('fields', () => {
  test('the cid is kept as given for the ACK', () => {
    expect(entries({ cmd: { type: 'logGet', cid: 'c_1234' } })).toEqual([ok({ type: 'logGet', cid: 'c_1234' })]);
  });

  test('a wrong uid is refused and its cid still reported', () => {
    expect(entries({ cmd: { type: 'factory', cid: 'x1', uid: '654321' } })).toEqual([{ ok: false, cid: 'x1', error: 'uid 654321 is not this hub' }]);
  });

  test('the uid and cid must be strings', () => {
    expect(entries({ cmd: { type: 'request', cid: 'a', uid: 123456 } })).toEqual([{ ok: false, cid: 'a', error: 'uid must be a string' }]);
    expect(entries({ cmd: { type: 'request', cid: 12 } })).toEqual([{ ok: false, cid: '', error: 'cid must be a string' }]);
  });

  test('type is required, must be a string and one of §5.6', () => {
    expect(entries({ cmd: { cid: 'a' } })).toEqual([{ ok: false, cid: 'a', error: 'type missing' }]);
    expect(entries({ cmd: { cid: 'a', type: 3 } })).toEqual([{ ok: false, cid: 'a', error: 'type must be a string' }]);
    expect(entries({ cmd: { cid: 'a', type: 'reboot' } })).toEqual([{ ok: false, cid: 'a', error: 'unknown command type reboot' }]);
    expect(entries({ cmd: { cid: 'a', type: 'Request' } })).toEqual([{ ok: false, cid: 'a', error: 'unknown command type Request' }]);
  });

  test('firmware and certificate need a file name in data', () => {
    expect(entries({ cmd: { type: 'firmware', cid: 'f' } })).toEqual([{ ok: false, cid: 'f', error: 'firmware needs the file name in data' }]);
    expect(entries({ cmd: { type: 'certificate', cid: 'c', data: 5 } })).toEqual([
      { ok: false, cid: 'c', error: 'certificate needs the file name in data' },
    ]);
    expect(entries({ cmd: { type: 'certificate', cid: 'c', data: '' } })).toEqual([{ ok: false, cid: 'c', error: 'data must name a file' }]);
  });

  test.each(['../cfg', 'BIN/fw.bson', 'a\\b', '..', 'x\u0001y'])('data "%s" is not a plain file name', (name) => {
    const [entry] = entries({ cmd: { type: 'firmware', cid: 'f', data: name } });
    expect(entry.ok).toBe(false);
  });

  test('extra fields are ignored, also data on a command that takes none', () => {
    expect(entries({ cmd: { type: 'request', cid: 'r', data: 'x', extra: new BsonBinary(new Uint8Array(1)) } })).toEqual([
      ok({ type: 'request', cid: 'r' }),
    ]);
  });
});

describe('the file', () => {
  test('an array is read in order; a bad entry does not hide the others', () => {
    expect(entries({ cmd: [{ type: 'logGet', cid: '1' }, { type: 'nope', cid: '2' }, { type: 'logClean', cid: '3' }] })).toEqual([
      ok({ type: 'logGet', cid: '1' }),
      { ok: false, cid: '2', error: 'unknown command type nope' },
      ok({ type: 'logClean', cid: '3' }),
    ]);
  });

  test('an array entry that is not a document is refused in place', () => {
    expect(entries({ cmd: [{ type: 'logGet', cid: '1' }, 'request'] })[1]).toEqual({ ok: false, cid: '', error: 'command is not a document' });
  });

  test.each<[string, BsonDocument, string]>([
    ['no cmd', { config: {} }, 'no cmd field'],
    ['an empty list', { cmd: [] }, 'cmd is an empty list'],
    ['a string', { cmd: 'request' }, 'cmd must be a document or a list of documents'],
    ['null', { cmd: null }, 'cmd must be a document or a list of documents'],
  ])('%s is not a command file', (_name, file, error) => {
    expect(parseCommandFile(file, UID)).toEqual({ ok: false, error });
  });
});
