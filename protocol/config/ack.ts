/**
 * The acknowledgement of a configuration or white-list file (§5.5), built the same way by the device
 * and by `wmbus config check`. The ACK file layout itself is protocol/files/ack.ts.
 */
import { BsonDocument } from '../bson/types';
import { Ack, buildAckDocument } from '../files/ack';
import { FileHeader } from '../files/header';

/** Any outcome with an `ok` flag and, on failure, the field and the reason (ApplyResult, WhitelistResult, file-codec errors). */
export type Outcome = { ok: true } | { ok: false; field: string; reason: string };

/**
 * §5.5 `ack` for the file `fileName` (e.g. `123456-cfg.bson`): type `config`, no command id (a
 * configuration carries none), result `ok` or `ko` (the only two the manual defines). `data` holds
 * the file name (§5.5: "the configuration file name") and, on failure, the field and the reason
 * (§5.2: the ACK reports the error).
 */
export function configAck(fileName: string, outcome: Outcome): Ack {
  if (outcome.ok) return { type: 'config', cid: '', result: 'ok', data: fileName };
  return { type: 'config', cid: '', result: 'ko', data: `${fileName}: ${outcome.field}: ${outcome.reason}` };
}

/** The whole ACK file `{ uid, source, TS, ack }` for a configuration file; the file codec adds `crc`. */
export function configAckDocument(header: FileHeader, fileName: string, outcome: Outcome): BsonDocument {
  return buildAckDocument(header, configAck(fileName, outcome));
}
