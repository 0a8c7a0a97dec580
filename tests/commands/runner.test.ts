/**
 * The command runner end to end: real inbox files (BSON + CRC, optionally AES) in, effects called
 * in order, ACK documents out (§5.5, §5.6).
 */
import { parseExtendedJson } from '../../protocol/bson/ejson';
import type { BsonDocument } from '../../protocol/bson/types';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { parseOutboxName } from '../../protocol/files/names';
import { CommandRunner } from '../../tasks/commands/runner';
import type { CommandContext, CommandEffects, EffectResult, FileDecoder, OutgoingAck } from '../../tasks/commands/types';
import { EVENTS, EventDef } from '../../tasks/log/events';
import { ManualClock } from '../fixtures/manual-clock';
import { MANUAL_COMMANDS } from './manual-commands';

const UID = '123456';
const KEY = new Uint8Array(Buffer.from('4400AAF78378049CAB13EE4E350E281B', 'hex'));
const START_MS = 1591083697_000;

type Call = { readonly effect: string; readonly arg?: string; readonly ctx: CommandContext };

/** Records every call; `results` overrides what an effect returns (default ok). */
class FakeEffects implements CommandEffects {
  readonly calls: Call[] = [];
  readonly results = new Map<string, EffectResult | Error>();

  private answer(effect: string, ctx: CommandContext, arg?: string): EffectResult {
    this.calls.push(arg === undefined ? { effect, ctx } : { effect, arg, ctx });
    const result = this.results.get(effect) ?? { ok: true };
    if (result instanceof Error) throw result;
    return result;
  }

  requestSession = (ctx: CommandContext): EffectResult => this.answer('requestSession', ctx);
  factoryReset = (ctx: CommandContext): EffectResult => this.answer('factoryReset', ctx);
  installFirmware = async (name: string, ctx: CommandContext): Promise<EffectResult> => this.answer('installFirmware', ctx, name);
  runDiag = (ctx: CommandContext): EffectResult => this.answer('runDiag', ctx);
  configGet = (ctx: CommandContext): EffectResult => this.answer('configGet', ctx);
  whiteListErase = (ctx: CommandContext): EffectResult => this.answer('whiteListErase', ctx);
  operatorInit = (ctx: CommandContext): EffectResult => this.answer('operatorInit', ctx);
  logGet = (ctx: CommandContext): EffectResult => this.answer('logGet', ctx);
  logClean = (ctx: CommandContext): EffectResult => this.answer('logClean', ctx);
  supervisionClean = (ctx: CommandContext): EffectResult => this.answer('supervisionClean', ctx);
  supervisionGet = (ctx: CommandContext): EffectResult => this.answer('supervisionGet', ctx);
  storeCertificate = (name: string, ctx: CommandContext): EffectResult => this.answer('storeCertificate', ctx, name);
  clearCertificates = (ctx: CommandContext): EffectResult => this.answer('clearCertificates', ctx);
  applyConfig = (doc: BsonDocument, ctx: CommandContext): EffectResult => this.answer('applyConfig', ctx, JSON.stringify(doc));
  applyWhiteList = (_doc: BsonDocument, ctx: CommandContext): EffectResult => this.answer('applyWhiteList', ctx);

  get names(): string[] {
    return this.calls.map((c) => c.effect);
  }
}

const decode: FileDecoder = (bytes, encrypted) => decodeFile(bytes, { encrypted, key: KEY, crcMode: 1 });

function file(doc: BsonDocument, encryption = false): Uint8Array {
  return encodeFile(doc, { encryption, key: KEY });
}

function json(text: string): BsonDocument {
  const parsed = parseExtendedJson(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function setup(): { runner: CommandRunner; effects: FakeEffects; clock: ManualClock; events: [EventDef, string | undefined][] } {
  const effects = new FakeEffects();
  const clock = new ManualClock(START_MS);
  const events: [EventDef, string | undefined][] = [];
  const runner = new CommandRunner({
    uid: UID,
    effects,
    decode,
    clock,
    events: { record: (e, d) => (events.push([e, d]), true) },
  });
  return { runner, effects, clock, events };
}

const acksOf = (outcomes: { acks: OutgoingAck[] }[]): OutgoingAck[] => outcomes.flatMap((o) => o.acks);
const summary = (acks: OutgoingAck[]): [string, string, string][] => acks.map((a) => [a.ack.cid, a.ack.result, a.ack.data ?? '']);

describe('each manual example runs its effect and is acknowledged', () => {
  const expectedEffect: Record<string, string[]> = {
    '§5.6': ['requestSession'],
    '§5.6.1 request': ['requestSession'],
    '§5.6.2 factory': ['factoryReset'],
    '§5.6.4 diag': ['runDiag'],
    '§5.6.5 configGet': ['configGet'],
    '§5.6.6 whiteListErase': ['whiteListErase'],
    '§5.6.7 operatorInit': ['operatorInit'],
    '§5.6.8 logGet': ['logGet'],
    '§5.6.9 logClean': ['logClean'],
    '§5.6.10 supervisionClean': ['supervisionClean'],
    '§5.6.11 supervisionGet': ['supervisionGet'],
    '§5.6.12 certificate': ['storeCertificate'],
    '§5.6.13 certClean': ['clearCertificates'],
    '§6 application and BLE firmware': ['installFirmware', 'installFirmware'],
    '§6 application firmware': ['installFirmware'],
    '§6 BLE firmware': ['installFirmware'],
  };

  test.each(MANUAL_COMMANDS.map((c) => [c.clause, c.json]))('%s', async (clause, text) => {
    const { runner, effects } = setup();
    const [outcome] = await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(json(text)) }], 'ftp');
    expect(effects.names).toEqual(expectedEffect[clause]);
    expect(outcome.acks.map((a) => a.ack.result)).toEqual(expectedEffect[clause].map(() => 'ok'));
    expect(outcome.acks.every((a) => a.ack.type === 'cmd')).toBe(true);
  });

  test('§6: the file names reach installFirmware in order, BLE first', async () => {
    const { runner, effects } = setup();
    const both = MANUAL_COMMANDS.find((c) => c.clause === '§6 application and BLE firmware') as { json: string };
    await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(json(both.json)) }], 'usb');
    expect(effects.calls.map((c) => [c.arg, c.ctx])).toEqual([
      ['WebdynEasy_BLE_V1.0.bson', { source: 'usb', cid: 'firmwareBLE', fileName: '123456-cmd.bson' }],
      ['WebdynEasy_V1.0.bson', { source: 'usb', cid: 'firmwareAPP', fileName: '123456-cmd.bson' }],
    ]);
  });

  test('§5.6.12: the certificate name reaches storeCertificate', async () => {
    const { runner, effects } = setup();
    await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'certificate', cid: 'c', data: 'ca.pem' } }) }], 'ftp');
    expect(effects.calls[0].arg).toBe('ca.pem');
  });
});

describe('ACK documents', () => {
  test('§5.5: uid, source, TS and ack { type cmd, cid echoed, result, data = the command file by default }', async () => {
    const { runner } = setup();
    const [outcome] = await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'logGet', cid: 'c_1234' } }) }], 'ftp');
    expect(outcome.acks).toHaveLength(1);
    const [ack] = outcome.acks;
    expect(ack.doc).toEqual({
      uid: UID,
      source: 'ftp',
      TS: 1591083697,
      ack: { type: 'cmd', cid: 'c_1234', result: 'ok', data: '123456-cmd.bson' },
    });
    expect(ack.name).toBe('123456-1591083697-ack.bson');
  });

  test('an effect’s data goes into the ACK', async () => {
    const { runner, effects } = setup();
    effects.results.set('installFirmware', { ok: true, data: 'v1.2.3', restart: true });
    const [outcome] = await runner.processInbox(
      [{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'firmware', cid: 'fw', data: 'fw.bin' } }) }],
      'ftp',
    );
    expect(outcome.acks[0].ack).toEqual({ type: 'cmd', cid: 'fw', result: 'ok', data: 'v1.2.3' });
  });

  test('ACKs made in the same second get distinct, increasing names matching their TS', async () => {
    const { runner } = setup();
    const cmd = { cmd: [1, 2, 3, 4].map((i) => ({ type: 'logGet', cid: `c${i}` })) };
    const acks = acksOf(await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(cmd) }], 'ftp'));
    const times = acks.map((a) => parseOutboxName(a.name)?.timeSec);
    expect(times).toEqual([1591083697, 1591083698, 1591083699, 1591083700]);
    expect(acks.map((a) => a.doc.TS)).toEqual(times);
  });

  test('the source of the session is in every ACK', async () => {
    const { runner } = setup();
    const acks = acksOf(await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'request', cid: 'u' } }) }], 'usb'));
    expect(acks[0].doc.source).toBe('usb');
  });
});

describe('§5.6: after an error the following commands are not run', () => {
  test('a failing command stops the rest of its file; each skipped cid gets a ko "not run" ACK', async () => {
    const { runner, effects } = setup();
    effects.results.set('operatorInit', { ok: false, data: 'modem busy' });
    const cmd = {
      cmd: [
        { type: 'logGet', cid: 'a' },
        { type: 'operatorInit', cid: 'b' },
        { type: 'logClean', cid: 'c' },
        { type: 'request', cid: 'd' },
      ],
    };
    const acks = acksOf(await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(cmd) }], 'ftp'));
    expect(effects.names).toEqual(['logGet', 'operatorInit']);
    expect(summary(acks)).toEqual([
      ['a', 'ok', '123456-cmd.bson'],
      ['b', 'ko', 'modem busy'],
      ['c', 'ko', 'not run: command b failed'],
      ['d', 'ko', 'not run: command b failed'],
    ]);
  });

  test('and the later command files of the batch', async () => {
    const { runner, effects } = setup();
    effects.results.set('whiteListErase', { ok: false });
    const acks = acksOf(
      await runner.processInbox(
        [
          { name: `${UID}-1-cmd.bson`, bytes: file({ cmd: { type: 'whiteListErase', cid: 'w' } }) },
          { name: `${UID}-2-cmd.bson`, bytes: file({ cmd: [{ type: 'logGet', cid: 'x' }, { type: 'logClean', cid: 'y' }] }) },
        ],
        'ftp',
      ),
    );
    expect(effects.names).toEqual(['whiteListErase']);
    expect(summary(acks)).toEqual([
      ['w', 'ko', 'whiteListErase failed'],
      ['x', 'ko', 'not run: command w failed'],
      ['y', 'ko', 'not run: command w failed'],
    ]);
  });

  test('a command for another hub is refused (cid echoed) and stops the rest', async () => {
    const { runner, effects } = setup();
    const cmd: BsonDocument = { cmd: [{ type: 'factory', cid: 'f', uid: '999' }, { type: 'request', cid: 'r' }] };
    const acks = acksOf(await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(cmd) }], 'ftp'));
    expect(effects.names).toEqual([]);
    expect(summary(acks)).toEqual([
      ['f', 'ko', 'uid 999 is not this hub'],
      ['r', 'ko', 'not run: command f was refused'],
    ]);
  });

  test('an effect that throws counts as a failure with its message', async () => {
    const { runner, effects } = setup();
    effects.results.set('supervisionGet', new Error('no space'));
    const cmd = { cmd: [{ type: 'supervisionGet', cid: 's' }, { type: 'logGet', cid: 'l' }] };
    const acks = acksOf(await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(cmd) }], 'ftp'));
    expect(summary(acks)).toEqual([
      ['s', 'ko', 'no space'],
      ['l', 'ko', 'not run: command s failed'],
    ]);
  });

  test('a command file with a bad CRC is acknowledged ko and stops the batch', async () => {
    const { runner, effects, events } = setup();
    const damaged = file({ cmd: { type: 'request', cid: 'r' } });
    damaged[damaged.length - 2] ^= 0x01; // a bit of the stored CRC
    const acks = acksOf(
      await runner.processInbox(
        [
          { name: `${UID}-cmd.bson`, bytes: damaged },
          { name: `${UID}-1-cmd.bson`, bytes: file({ cmd: { type: 'logGet', cid: 'l' } }) },
        ],
        'ftp',
      ),
    );
    expect(effects.names).toEqual([]);
    expect(acks.map((a) => [a.ack.cid, a.ack.result])).toEqual([
      ['', 'ko'],
      ['l', 'ko'],
    ]);
    expect(acks[0].ack.data).toMatch(/^123456-cmd\.bson: CRC mismatch/);
    expect(acks[1].ack.data).toBe('not run: 123456-cmd.bson could not be read');
    expect(events[0][0]).toBe(EVENTS.inboxFileRejected);
  });

  test('factory and firmware: a restart is pending, so the commands after them are not run', async () => {
    const { runner, effects } = setup();
    effects.results.set('factoryReset', { ok: true, restart: true });
    const cmd = { cmd: [{ type: 'factory', cid: 'f' }, { type: 'logGet', cid: 'l' }] };
    const acks = acksOf(await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(cmd) }], 'ftp'));
    expect(effects.names).toEqual(['factoryReset']);
    expect(summary(acks)).toEqual([
      ['f', 'ok', '123456-cmd.bson'],
      ['l', 'ko', 'not run: restart pending'],
    ]);
    expect(runner.restartRequested).toBe(true);
  });

  test('a new session starts clean', async () => {
    const { runner, effects } = setup();
    effects.results.set('logGet', { ok: false });
    await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'logGet', cid: '1' } }) }], 'ftp');
    effects.results.delete('logGet');
    const acks = acksOf(await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'logGet', cid: '2' } }) }], 'ftp'));
    expect(summary(acks)).toEqual([['2', 'ok', '123456-cmd.bson']]);
    expect(runner.stopReason).toBeUndefined();
  });
});

describe('batch order and file kinds', () => {
  test('cfg, white list, <uid>-cmd, then numbered commands by number whatever the listing order', async () => {
    const { runner, effects } = setup();
    const cmd = (cid: string): Uint8Array => file({ cmd: { type: 'logGet', cid } });
    const outcomes = await runner.processInbox(
      [
        { name: `${UID}-10-cmd.bson`, bytes: cmd('ten') },
        { name: `${UID}-2-cmd.bson`, bytes: cmd('two') },
        { name: `${UID}-cmd.bson`, bytes: cmd('plain') },
        { name: `${UID}-wlFilter.bson`, bytes: file({ wlFilter: null }) },
        { name: `${UID}-1-cmd.bson`, bytes: cmd('one') },
        { name: `${UID}-cfg.bson`, bytes: file({ config: { logLevel: 3 } }) },
        { name: 'WebdynEasy_V1.0.bson', bytes: new Uint8Array(4) },
      ],
      'ftp',
    );
    expect(outcomes.map((o) => o.name)).toEqual([
      '123456-cfg.bson',
      '123456-wlFilter.bson',
      '123456-cmd.bson',
      '123456-1-cmd.bson',
      '123456-2-cmd.bson',
      '123456-10-cmd.bson',
    ]);
    expect(effects.names).toEqual(['applyConfig', 'applyWhiteList', 'logGet', 'logGet', 'logGet', 'logGet']);
    expect(acksOf(outcomes).map((a) => a.ack.cid)).toEqual(['', '', 'plain', 'one', 'two', 'ten']);
  });

  test('a configuration file is acknowledged as type config with its file name', async () => {
    const { runner, effects } = setup();
    const [outcome] = await runner.processInbox([{ name: `${UID}-cfg.bson`, bytes: file({ config: { name: 'hub' } }) }], 'usb');
    expect(effects.calls[0].arg).toBe('{"config":{"name":"hub"}}');
    expect(outcome.acks[0].ack).toEqual({ type: 'config', cid: '', result: 'ok', data: '123456-cfg.bson' });
  });

  test('a refused configuration is acknowledged ko but does not stop the commands', async () => {
    const { runner, effects } = setup();
    effects.results.set('applyConfig', { ok: false, data: 'config.radio.duration: out of range' });
    const acks = acksOf(
      await runner.processInbox(
        [
          { name: `${UID}-cfg.bson`, bytes: file({ config: { radio: { duration: 0 } } }) },
          { name: `${UID}-cmd.bson`, bytes: file({ cmd: { type: 'request', cid: 'r' } }) },
        ],
        'ftp',
      ),
    );
    expect(summary(acks)).toEqual([
      ['', 'ko', '123456-cfg.bson: config.radio.duration: out of range'],
      ['r', 'ok', '123456-cmd.bson'],
    ]);
  });

  test('§4.2.1.2: an encrypted .aes inbox file is decrypted before it is read', async () => {
    const { runner, effects } = setup();
    const acks = acksOf(
      await runner.processInbox([{ name: `${UID}-3-cmd.bson.aes`, bytes: file({ cmd: { type: 'diag', cid: 'd' } }, true) }], 'ftp'),
    );
    expect(effects.names).toEqual(['runDiag']);
    expect(summary(acks)).toEqual([['d', 'ok', '123456-3-cmd.bson.aes']]);
  });

  test('files that are not this hub’s inbox files are left alone, without ACK', async () => {
    const { runner, effects } = setup();
    const outcome = await runner.processInboxFile('654321-cmd.bson', file({ cmd: { type: 'factory' } }));
    expect(outcome).toEqual({ name: '654321-cmd.bson', kind: undefined, acks: [] });
    expect(effects.names).toEqual([]);
  });

  test('processInboxFile serves one file at a time within the session (BLE, SMS)', async () => {
    const { runner, effects } = setup();
    runner.beginSession('ble');
    effects.results.set('runDiag', { ok: false });
    await runner.processInboxFile(`${UID}-cmd.bson`, file({ cmd: { type: 'diag', cid: '1' } }));
    const second = await runner.processInboxFile(`${UID}-cmd.bson`, file({ cmd: { type: 'request', cid: '2' } }));
    expect(summary(second.acks)).toEqual([['2', 'ko', 'not run: command 1 failed']]);
    expect(second.acks[0].doc.source).toBe('ble');
  });
});

describe('events', () => {
  test('done, failed and not-run commands are logged with type and cid', async () => {
    const { runner, effects, events } = setup();
    effects.results.set('logClean', { ok: false, data: 'busy' });
    const cmd = { cmd: [{ type: 'logGet', cid: 'a' }, { type: 'logClean', cid: 'b' }, { type: 'request', cid: 'c' }] };
    await runner.processInbox([{ name: `${UID}-cmd.bson`, bytes: file(cmd) }], 'ftp');
    expect(events).toEqual([
      [EVENTS.commandDone, 'logGet a'],
      [EVENTS.commandFailed, 'logClean b: busy'],
      [EVENTS.commandNotRun, 'request c'],
    ]);
  });
});
