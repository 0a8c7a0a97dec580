import type { BsonDocument } from '../bson/types';
import { FileHeader, headerFields } from './header';

/** §5.5: `cmd` acknowledges a command, `config` a configuration (or white-list) file. */
export type AckType = 'cmd' | 'config';
export type AckResult = 'ok' | 'ko';

export interface Ack {
  readonly type: AckType;
  /** The command's `cid`, echoed; '' for a file that carries none (configuration files). */
  readonly cid: string;
  readonly result: AckResult;
  /** What goes with the result: file name, firmware version, or why it failed. Omitted when undefined. */
  readonly data?: string;
}

/** §5.5: `{ uid, source, TS, ack: { type, cid, result, data } }`. */
export function buildAckDocument(header: FileHeader, ack: Ack): BsonDocument {
  const body: BsonDocument = { type: ack.type, cid: ack.cid, result: ack.result };
  if (ack.data !== undefined) body.data = ack.data;
  return { ...headerFields(header), ack: body };
}
