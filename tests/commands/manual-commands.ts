/**
 * Every command example of the primary spec (§5.6, §5.6.1–§5.6.13, §6) in its JSON notation. The
 * only repair is dropping the trailing commas the manual leaves after the last field. §5.6.3 has
 * no example of its own; §6 gives three.
 */
export interface ManualCommand {
  readonly clause: string;
  readonly json: string;
}

export const MANUAL_COMMANDS: readonly ManualCommand[] = [
  { clause: '§5.6', json: '{ "cmd": { "type": "request" }, "crc": 0 }' },
  { clause: '§5.6.1 request', json: '{ "cmd": { "type": "request" }, "crc": 0 }' },
  { clause: '§5.6.2 factory', json: '{ "cmd": { "type": "factory" }, "crc": 0 }' },
  { clause: '§5.6.4 diag', json: '{ "cmd": { "type": "diag", "uid": "123456" }, "crc": 0 }' },
  { clause: '§5.6.5 configGet', json: '{ "cmd": { "type": "configGet" }, "crc": 0 }' },
  { clause: '§5.6.6 whiteListErase', json: '{ "cmd": { "type": "whiteListErase" }, "crc": 0 }' },
  { clause: '§5.6.7 operatorInit', json: '{ "cmd": { "type": "operatorInit" }, "crc": 0 }' },
  { clause: '§5.6.8 logGet', json: '{ "cmd": { "type": "logGet" }, "crc": 0 }' },
  { clause: '§5.6.9 logClean', json: '{ "cmd": { "type": "logClean" }, "crc": 0 }' },
  { clause: '§5.6.10 supervisionClean', json: '{ "cmd": { "type": "supervisionClean" }, "crc": 0 }' },
  { clause: '§5.6.11 supervisionGet', json: '{ "cmd": { "type": "supervisionGetClean", "cid": "123456" }, "crc": 0 }' },
  { clause: '§5.6.12 certificate', json: '{ "cmd": { "type": "certificate", "cid": "123456", "data": "cert.pem" }, "crc": 0 }' },
  { clause: '§5.6.13 certClean', json: '{ "cmd": { "type": "certClean", "cid": "123456" }, "crc": 0 }' },
  {
    clause: '§6 application and BLE firmware',
    json: `{ "cmd": [
      { "type": "firmware", "cid": "firmwareBLE", "data": "WebdynEasy_BLE_V1.0.bson" },
      { "type": "firmware", "cid": "firmwareAPP", "data": "WebdynEasy_V1.0.bson" }
    ], "crc": 0 }`,
  },
  { clause: '§6 application firmware', json: '{ "cmd": { "type": "firmware", "data": "WebdynEasy_V1.0.bson" }, "crc": 0 }' },
  { clause: '§6 BLE firmware', json: '{ "cmd": { "type": "firmware", "data": "WebdynEasy_BLE_V1.0.bson" }, "crc": 0 }' },
];
