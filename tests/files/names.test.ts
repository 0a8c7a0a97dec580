/** §5.1.1.2, §5.2–§5.8, §5.6 and §4.2.1.2 file names. */
import { orderInbox, OUTBOX_DIRECTORY, outboxName, parseInboxName, parseOutboxName } from '../../protocol/files/names';

describe('outgoing names <uid>-<timestamp>-<kind>.bson', () => {
  test.each([
    ['config', '123456-1591083697-config.bson'],
    ['data', '123456-1591083697-data.bson'],
    ['alarm', '123456-1591083697-alarm.bson'],
    ['ack', '123456-1591083697-ack.bson'],
    ['supervision', '123456-1591083697-supervision.bson'],
    ['log', '123456-1591083697-log.bson'],
  ] as const)('%s: the manual example %s', (kind, name) => {
    expect(outboxName('123456', 1591083697, kind)).toBe(name);
  });

  test('the timestamp is whole seconds in decimal', () => {
    expect(outboxName('WE_1234', 1591083697.999, 'data')).toBe('WE_1234-1591083697-data.bson');
  });

  test('§4.2.1.2: with encryption the name gains .aes after .bson', () => {
    expect(outboxName('123456', 1591083697, 'config', true)).toBe('123456-1591083697-config.bson.aes');
  });

  test('reads back, also for a uid that contains a dash', () => {
    expect(parseOutboxName('WE-12-34-1591083697-supervision.bson.aes')).toEqual({
      uid: 'WE-12-34',
      timeSec: 1591083697,
      kind: 'supervision',
      encrypted: true,
    });
    expect(parseOutboxName('123456-cfg.bson')).toBeUndefined();
    expect(parseOutboxName('123456-15910x3697-data.bson')).toBeUndefined();
    expect(parseOutboxName('123456-1591083697-frames.bson')).toBeUndefined();
  });

  test('§5.1.1.2: ACKs and alarms go to /ALARM, supervision and log to /SUPERVISION', () => {
    expect(OUTBOX_DIRECTORY).toEqual({
      config: '/CONFIG',
      data: '/DATA',
      alarm: '/ALARM',
      ack: '/ALARM',
      supervision: '/SUPERVISION',
      log: '/SUPERVISION',
    });
  });
});

describe('incoming names', () => {
  test.each([
    ['123456-cfg.bson', 'cfg', undefined, false],
    ['123456-cfg.bson.aes', 'cfg', undefined, true],
    ['123456-wlFilter.bson', 'wlFilter', undefined, false],
    ['123456-wFilter.bson', 'wlFilter', undefined, false],
    ['123456-cmd.bson', 'cmd', undefined, false],
    ['123456-1-cmd.bson', 'cmd', 1, false],
    ['123456-2-cmd.bson.aes', 'cmd', 2, true],
  ])('%s is %s #%s (encrypted %s)', (name, kind, num, encrypted) => {
    expect(parseInboxName(name, '123456')).toEqual({ name, kind, num, encrypted });
  });

  test.each([
    ['another hub', '654321-cmd.bson'],
    ['a uid that only starts like ours', '1234567-cmd.bson'],
    ['a firmware image waiting for its command', 'WebdynEasy_V1.0.bson'],
    ['a certificate', 'cert.pem'],
    ['the hub’s own outgoing file', '123456-1591083697-config.bson'],
    ['a file still uploading', '123456-cmd.bson.tmp'],
    ['a name without extension', '123456-cmd'],
    ['a non-numeric sequence', '123456-a-cmd.bson'],
  ])('%s (%s) is not an inbox file', (_why, name) => {
    expect(parseInboxName(name, '123456')).toBeUndefined();
  });

  test('a uid with a dash is matched by prefix, not by splitting', () => {
    expect(parseInboxName('WE-1-7-cmd.bson', 'WE-1')).toEqual({ name: 'WE-1-7-cmd.bson', kind: 'cmd', num: 7, encrypted: false });
    expect(parseInboxName('WE-1-7-cmd.bson', 'WE-1-7')).toEqual({ name: 'WE-1-7-cmd.bson', kind: 'cmd', num: undefined, encrypted: false });
  });
});

describe('processing order', () => {
  test('configuration, white list, the unnumbered command, then numbered commands by number', () => {
    const names = [
      '123456-10-cmd.bson',
      '123456-2-cmd.bson',
      'cert.pem',
      '123456-cmd.bson',
      '123456-1-cmd.bson.aes',
      '123456-wlFilter.bson',
      '123456-cfg.bson',
      '999999-1-cmd.bson',
    ];
    expect(orderInbox(names, '123456').map((n) => n.name)).toEqual([
      '123456-cfg.bson',
      '123456-wlFilter.bson',
      '123456-cmd.bson',
      '123456-1-cmd.bson.aes',
      '123456-2-cmd.bson',
      '123456-10-cmd.bson',
    ]);
  });
});
