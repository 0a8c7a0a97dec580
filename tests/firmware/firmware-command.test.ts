/**
 * The `firmware` command's `allowDowngrade` flag (product extension beside §6's `data`,
 * docs/firmware-update.md): read from the command document and refused when it is not a boolean.
 */
import { parseCommandFile } from '../../protocol/commands/parse';
import type { CommandEntry } from '../../protocol/commands/types';
import type { BsonDocument } from '../../protocol/bson/types';

const UID = '123456';

function entry(cmd: BsonDocument): CommandEntry {
  const parsed = parseCommandFile({ cmd }, UID);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.entries[0];
}

test('§6 firmware without the flag keeps the anti-downgrade check (no allowDowngrade on the command)', () => {
  expect(entry({ type: 'firmware', cid: 'fw', data: 'WebdynEasy_V1.0.bson' })).toEqual({
    ok: true,
    command: { type: 'firmware', cid: 'fw', fileName: 'WebdynEasy_V1.0.bson' },
  });
});

test('allowDowngrade: true reaches the command', () => {
  expect(entry({ type: 'firmware', cid: 'fw', data: 'old.bson', allowDowngrade: true })).toEqual({
    ok: true,
    command: { type: 'firmware', cid: 'fw', fileName: 'old.bson', allowDowngrade: true },
  });
});

test('allowDowngrade: false is the default said out loud', () => {
  expect(entry({ type: 'firmware', cid: 'fw', data: 'old.bson', allowDowngrade: false })).toMatchObject({ ok: true, command: { allowDowngrade: false } });
});

test('an allowDowngrade that is not a boolean refuses the command instead of guessing', () => {
  expect(entry({ type: 'firmware', cid: 'fw', data: 'old.bson', allowDowngrade: 'yes' })).toEqual({ ok: false, cid: 'fw', error: 'allowDowngrade must be true or false' });
  expect(entry({ type: 'firmware', cid: 'fw', data: 'old.bson', allowDowngrade: 1 })).toEqual({ ok: false, cid: 'fw', error: 'allowDowngrade must be true or false' });
});

test('allowDowngrade on a certificate command is ignored like any other extra field', () => {
  expect(entry({ type: 'certificate', cid: 'c', data: 'ca.pem', allowDowngrade: 'yes' })).toEqual({
    ok: true,
    command: { type: 'certificate', cid: 'c', fileName: 'ca.pem' },
  });
});
