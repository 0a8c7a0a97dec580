/** §5.5: the acknowledgement the hub writes after a configuration file. */
import { configAck, configAckDocument } from '../../protocol/config/ack';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { parseWhitelistFile } from '../../protocol/config/whitelist';
import { fileWith } from './spec';

const HEADER = { uid: '123456', source: 'ftp' as const, timeSec: 1591083697 };

describe('configuration ACK', () => {
  test('an applied file: type config, result ok, data the file name', () => {
    const outcome = applyConfigFile(defaultConfig(), fileWith('logLevel', 3));
    expect(configAck('123456-cfg.bson', outcome)).toEqual({ type: 'config', cid: '', result: 'ok', data: '123456-cfg.bson' });
  });

  test('a refused file: result ko, data the file name, the field and the reason', () => {
    const outcome = applyConfigFile(defaultConfig(), fileWith('radio.duration', 0));
    expect(configAck('123456-cfg.bson', outcome)).toEqual({
      type: 'config', cid: '', result: 'ko', data: '123456-cfg.bson: config.radio.duration: 0 is out of range 1..3600',
    });
  });

  test('the ACK file: uid, source, TS, then ack { type, cid, result, data } in that order', () => {
    const doc = configAckDocument(HEADER, '123456-cfg.bson', { ok: true });
    expect(doc).toEqual({ uid: '123456', source: 'ftp', TS: 1591083697, ack: { type: 'config', cid: '', result: 'ok', data: '123456-cfg.bson' } });
    expect(Object.keys(doc)).toEqual(['uid', 'source', 'TS', 'ack']);
    expect(Object.keys(doc.ack as object)).toEqual(['type', 'cid', 'result', 'data']);
  });

  test('failures found before the configuration is read (CRC) use the same form', () => {
    expect(configAck('123456-cfg.bson', { ok: false, field: 'crc', reason: 'mismatch' }).data).toBe('123456-cfg.bson: crc: mismatch');
  });

  test('a white-list file is acknowledged the same way', () => {
    const outcome = parseWhitelistFile({ wlFilter: 5 });
    expect(configAck('123456-wlFilter.bson', outcome)).toMatchObject({ type: 'config', result: 'ko', data: '123456-wlFilter.bson: wlFilter: expected array or null, got int32' });
  });
});
