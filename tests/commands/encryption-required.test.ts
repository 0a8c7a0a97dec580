/**
 * §4.2.1.2: with `security.encryption` on, the files a box accepts are `.aes`; a plain
 * configuration, white-list or command file is refused unread, whatever its source.
 */
import { NOT_ENCRYPTED } from '../../tasks/commands/runner';
import { EVENTS } from '../../tasks/log/events';
import { file, setup, summary, UID } from './fake-effects';

const CFG = { config: { name: 'Pump room' } };
const CMD = { cmd: { type: 'logClean', cid: 'c1' } };

test('a plain configuration file is refused with a ko ACK naming the reason, and not applied', async () => {
  const { runner, effects } = setup({ encryption: true });
  const [outcome] = await runner.processInbox([{ name: `${UID}-cfg.bson`, bytes: file(CFG) }], 'ftp');
  expect(summary(outcome.acks)).toEqual([['config', '', 'ko', `${UID}-cfg.bson: ${NOT_ENCRYPTED}`]]);
  expect(effects.names).toEqual([]);
});

test('the refused configuration is logged as configRejected', async () => {
  const { runner, events } = setup({ encryption: true });
  await runner.processInboxFile(`${UID}-cfg.bson`, file(CFG));
  expect(events).toEqual([[EVENTS.configRejected, `${UID}-cfg.bson: ${NOT_ENCRYPTED}`]]);
});

test('a plain white list is refused and the white list is left as it was', async () => {
  const { runner, effects } = setup({ encryption: true });
  const outcome = await runner.processInboxFile(`${UID}-wlFilter.bson`, file({ wlFilter: [] }));
  expect(summary(outcome.acks)).toEqual([['config', '', 'ko', `${UID}-wlFilter.bson: ${NOT_ENCRYPTED}`]]);
  expect(effects.names).toEqual([]);
});

test('a plain command file is refused unread (one ko ACK, no cid), logged as inboxFileRejected, nothing run', async () => {
  const { runner, effects, events } = setup({ encryption: true });
  const outcome = await runner.processInboxFile(`${UID}-cmd.bson`, file(CMD));
  expect(summary(outcome.acks)).toEqual([['cmd', '', 'ko', `${UID}-cmd.bson: ${NOT_ENCRYPTED}`]]);
  expect(effects.names).toEqual([]);
  expect(events).toEqual([[EVENTS.inboxFileRejected, `${UID}-cmd.bson: ${NOT_ENCRYPTED}`]]);
});

test('a refused command file stops the commands after it, as an unreadable one does (§5.6)', async () => {
  const { runner, effects } = setup({ encryption: true });
  const outcomes = await runner.processInbox(
    [
      { name: `${UID}-1-cmd.bson`, bytes: file(CMD) },
      { name: `${UID}-2-cmd.bson.aes`, bytes: file({ cmd: { type: 'logGet', cid: 'c2' } }, true) },
    ],
    'usb',
  );
  expect(summary(outcomes[1].acks)).toEqual([['cmd', 'c2', 'ko', `not run: ${UID}-1-cmd.bson was refused`]]);
  expect(effects.names).toEqual([]);
});

test('an encrypted file is run as usual while encryption is on', async () => {
  const { runner, effects } = setup({ encryption: true });
  const [cfg, cmd] = await runner.processInbox(
    [
      { name: `${UID}-cfg.bson.aes`, bytes: file(CFG, true) },
      { name: `${UID}-cmd.bson.aes`, bytes: file(CMD, true) },
    ],
    'mqtt',
  );
  expect(summary([...cfg.acks, ...cmd.acks]).map((a) => a[2])).toEqual(['ok', 'ok']);
  expect(effects.names).toEqual(['applyConfig', 'logClean']);
});

test('with encryption off a plain file is run', async () => {
  const { runner, effects } = setup({ encryption: false });
  const outcome = await runner.processInboxFile(`${UID}-cfg.bson`, file(CFG));
  expect(outcome.acks[0].ack.result).toBe('ok');
  expect(effects.names).toEqual(['applyConfig']);
});

test('the setting is read per file: a batch whose configuration turns encryption on refuses the plain files after it', async () => {
  const s = setup({ encryption: false });
  s.effects.applyConfig = () => {
    s.effects.names.push('applyConfig');
    s.security.encryption = true;
    return { ok: true };
  };
  const [, cmd] = await s.runner.processInbox(
    [
      { name: `${UID}-cmd.bson`, bytes: file(CMD) },
      { name: `${UID}-cfg.bson`, bytes: file({ config: { security: { encryption: true } } }) },
    ],
    'usb',
  );
  expect(summary(cmd.acks)).toEqual([['cmd', '', 'ko', `${UID}-cmd.bson: ${NOT_ENCRYPTED}`]]);
  expect(s.effects.names).toEqual(['applyConfig']);
});
