/** Bundled by tests/mqtt/lansen-xs.test.ts and run inside XS (xsnap): each command is one JSON request. */
import { utf8Decode, utf8Encode } from '../../../protocol/text/utf8';
import { answer, type LansenRequest } from './lansen-answer';

(globalThis as unknown as { handleCommand: (m: ArrayBuffer) => ArrayBuffer }).handleCommand = (message) => {
  const request = JSON.parse(utf8Decode(new Uint8Array(message))) as LansenRequest;
  return utf8Encode(JSON.stringify(answer(request))).buffer as ArrayBuffer;
};
