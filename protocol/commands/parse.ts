import type { BsonDocument, BsonValue } from '../bson/types';
import { BsonBinary, BsonDouble } from '../bson/types';
import { COMMAND_TYPE_ALIASES, COMMAND_TYPES, CommandEntry, CommandFile, CommandType, FileCommandType } from './types';

/** Longest file name a `firmware` or `certificate` command may name (FAT long names stop at 255). */
export const MAX_COMMAND_FILE_NAME = 255;

function isFileCommand(type: CommandType): type is FileCommandType {
  return type === 'firmware' || type === 'certificate';
}

function isDocument(value: BsonValue | undefined): value is BsonDocument {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof BsonBinary) &&
    !(value instanceof BsonDouble)
  );
}

function commandType(name: string): CommandType | undefined {
  const direct = COMMAND_TYPES.find((t) => t === name);
  return direct !== undefined ? direct : COMMAND_TYPE_ALIASES[name];
}

/**
 * A file name fetched from /BIN or the drive root and reused as a store name: one path component,
 * no separators, not `.`/`..`, no control characters.
 */
function fileNameError(name: string): string | undefined {
  if (name.length === 0) return 'data must name a file';
  if (name.length > MAX_COMMAND_FILE_NAME) return `data is longer than ${MAX_COMMAND_FILE_NAME} characters`;
  if (name === '.' || name === '..' || /[/\\\u0000-\u001f]/.test(name)) return `data "${name}" is not a plain file name`;
  return undefined;
}

function parseEntry(value: BsonValue, uid: string): CommandEntry {
  if (!isDocument(value)) return { ok: false, cid: '', error: 'command is not a document' };
  const { cid, uid: target, type, data, allowDowngrade } = value;
  if (cid !== undefined && typeof cid !== 'string') return { ok: false, cid: '', error: 'cid must be a string' };
  const id = cid === undefined ? '' : cid;
  if (target !== undefined && typeof target !== 'string') return { ok: false, cid: id, error: 'uid must be a string' };
  // §5.6: a command naming another hub is refused.
  if (target !== undefined && target !== uid) return { ok: false, cid: id, error: `uid ${target} is not this hub` };
  if (type === undefined) return { ok: false, cid: id, error: 'type missing' };
  if (typeof type !== 'string') return { ok: false, cid: id, error: 'type must be a string' };
  const known = commandType(type);
  if (known === undefined) return { ok: false, cid: id, error: `unknown command type ${type}` };
  if (!isFileCommand(known)) return { ok: true, command: { type: known, cid: id } };
  if (typeof data !== 'string') return { ok: false, cid: id, error: `${known} needs the file name in data` };
  const bad = fileNameError(data);
  if (bad !== undefined) return { ok: false, cid: id, error: bad };
  if (known !== 'firmware' || allowDowngrade === undefined) return { ok: true, command: { type: known, cid: id, fileName: data } };
  // A mistyped flag must not install an older image, nor be taken as false silently.
  if (typeof allowDowngrade !== 'boolean') return { ok: false, cid: id, error: 'allowDowngrade must be true or false' };
  return { ok: true, command: { type: known, cid: id, fileName: data, allowDowngrade } };
}

/**
 * Reads a decoded command file (§5.6): `cmd` holds one command document or an array of them, run in
 * array order. Each entry is checked on its own (`uid` must be ours when given, `cid` a string,
 * `type` one of §5.6, `data` a plain file name for firmware/certificate); other fields are ignored,
 * as is everything beside `cmd` (the `crc` trailer). The CRC itself is the file codec's job.
 */
export function parseCommandFile(doc: BsonDocument, uid: string): CommandFile {
  const cmd = doc.cmd;
  if (cmd === undefined) return { ok: false, error: 'no cmd field' };
  if (Array.isArray(cmd)) {
    if (cmd.length === 0) return { ok: false, error: 'cmd is an empty list' };
    return { ok: true, entries: cmd.map((c) => parseEntry(c, uid)) };
  }
  if (!isDocument(cmd)) return { ok: false, error: 'cmd must be a document or a list of documents' };
  return { ok: true, entries: [parseEntry(cmd, uid)] };
}
