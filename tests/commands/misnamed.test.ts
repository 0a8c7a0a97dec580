/**
 * Files meant for this hub whose names §5.2/§5.6 do not allow (`<uid>-CFG.bson`, a copy suffix, a
 * 10-digit sequence, stray spaces) are acknowledged ko with the names expected, once, and logged;
 * other hubs' files and other files get nothing.
 */
import { expectedInboxNames, isMisnamedInbox } from '../../protocol/files/names';
import { EVENTS } from '../../tasks/log/events';
import { file, setup, summary, UID } from './fake-effects';

const EXPECTED = `expected ${UID}-cfg.bson, ${UID}-wlFilter.bson, ${UID}-cmd.bson or ${UID}-<1-9 digits>-cmd.bson, with .aes when encrypted`;

describe('isMisnamedInbox', () => {
  test.each([
    [`${UID}-CFG.bson`],
    [`${UID}-cfg (1).bson`],
    [`${UID}-1234567890-cmd.bson`],
    [` ${UID}-cfg.bson`],
    [`${UID}-cfg.bson `],
    [`${UID} -cmd.bson`],
    [`${UID}-cmd .bson.aes`],
    [`${UID}-wlfilter.bson`],
    [`${UID}-cfg.BSON`],
    [`${UID}-config.bson`],
  ])('%j is a misnamed file of this hub', (name) => {
    expect(isMisnamedInbox(name, UID)).toBe(true);
  });

  test.each([
    [`${UID}-cfg.bson`],
    [`${UID}-wlFilter.bson.aes`],
    [`${UID}-123456789-cmd.bson`],
    ['654321-cfg.bson'],
    [`${UID}7-cfg.bson`],
    ['WebdynEasy_V2.0.bson'],
    ['ca.pem'],
    ['readme.txt'],
    [`${UID}-cfg.json`],
    [`${UID}-1591083697-ack.bson`],
    [`${UID}-1591083697-config.bson.aes`],
  ])('%j is not', (name) => {
    expect(isMisnamedInbox(name, UID)).toBe(false);
  });

  test('the expected names name this hub', () => {
    expect(expectedInboxNames(UID)).toBe(EXPECTED);
  });
});

test('a misnamed configuration is acknowledged ko (type config) with the expected names and nothing is applied', async () => {
  const { runner, effects } = setup();
  const [outcome] = await runner.processInbox([{ name: `${UID}-CFG.bson`, bytes: file({ config: { name: 'x' } }) }], 'usb');
  expect(outcome).toMatchObject({ name: `${UID}-CFG.bson`, kind: undefined, misnamed: true });
  expect(summary(outcome.acks)).toEqual([['config', '', 'ko', `${UID}-CFG.bson: ${EXPECTED}`]]);
  expect(effects.names).toEqual([]);
});

test('a misnamed command file is acknowledged ko (type cmd) and logged as inboxFileRejected', async () => {
  const { runner, events } = setup();
  const outcome = await runner.processInboxFile(`${UID}-1234567890-cmd.bson`, file({ cmd: { type: 'logClean', cid: 'c1' } }));
  expect(summary(outcome.acks)).toEqual([['cmd', '', 'ko', `${UID}-1234567890-cmd.bson: ${EXPECTED}`]]);
  expect(events).toEqual([[EVENTS.inboxFileRejected, `${UID}-1234567890-cmd.bson: ${EXPECTED}`]]);
});

test('a misnamed file stops nothing: the well-named commands of the batch still run', async () => {
  const { runner, effects } = setup();
  const outcomes = await runner.processInbox(
    [
      { name: `${UID}-cfg (1).bson`, bytes: file({ config: {} }) },
      { name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'logClean', cid: 'c1' } }) },
    ],
    'usb',
  );
  expect(outcomes.map((o) => summary(o.acks).map((a) => a[2]))).toEqual([['ko'], ['ok']]);
  expect(effects.names).toEqual(['logClean']);
});

test('files of other hubs and other files in a batch get no ACK and no log entry', async () => {
  const { runner, events } = setup();
  const outcomes = await runner.processInbox(
    [
      { name: '654321-cfg.bson', bytes: file({ config: {} }) },
      { name: 'WebdynEasy_V2.0.bson', bytes: new Uint8Array(10) },
      { name: 'ca.pem', bytes: new Uint8Array(10) },
    ],
    'usb',
  );
  expect(outcomes).toEqual([]);
  expect(events).toEqual([]);
});
