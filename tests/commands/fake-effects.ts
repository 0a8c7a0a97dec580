import type { BsonDocument } from '../../protocol/bson/types';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { CommandRunner } from '../../tasks/commands/runner';
import type { CommandContext, CommandEffects, EffectResult, FileDecoder, OutgoingAck } from '../../tasks/commands/types';
import type { EventDef } from '../../tasks/log/events';
import { ManualClock } from '../fixtures/manual-clock';

export const UID = '123456';
export const KEY = new Uint8Array(Buffer.from('4400AAF78378049CAB13EE4E350E281B', 'hex'));
const START_MS = 1591083697_000;

/** Records every effect called (default result ok). */
export class FakeEffects implements CommandEffects {
  readonly names: string[] = [];

  private answer(effect: string): EffectResult {
    this.names.push(effect);
    return { ok: true };
  }

  requestSession = (): EffectResult => this.answer('requestSession');
  factoryReset = (): EffectResult => this.answer('factoryReset');
  installFirmware = async (): Promise<EffectResult> => this.answer('installFirmware');
  runDiag = (): EffectResult => this.answer('runDiag');
  configGet = (): EffectResult => this.answer('configGet');
  whiteListErase = (): EffectResult => this.answer('whiteListErase');
  operatorInit = (): EffectResult => this.answer('operatorInit');
  logGet = (): EffectResult => this.answer('logGet');
  logClean = (): EffectResult => this.answer('logClean');
  supervisionClean = (): EffectResult => this.answer('supervisionClean');
  supervisionGet = (): EffectResult => this.answer('supervisionGet');
  storeCertificate = (): EffectResult => this.answer('storeCertificate');
  clearCertificates = (): EffectResult => this.answer('clearCertificates');
  applyConfig = (_doc: BsonDocument, _ctx: CommandContext): EffectResult => this.answer('applyConfig');
  applyWhiteList = (_doc: BsonDocument, _ctx: CommandContext): EffectResult => this.answer('applyWhiteList');
}

/** A file as an operator makes it: BSON with its CRC trailer, AES-128-CBC when `encrypted`. */
export function file(doc: BsonDocument, encrypted = false): Uint8Array {
  return encodeFile(doc, { encryption: encrypted, key: KEY });
}

export interface RunnerSetup {
  readonly runner: CommandRunner;
  readonly effects: FakeEffects;
  readonly events: [EventDef, string | undefined][];
  /** `security.encryption` as the runner's `requireEncryption` reads it, per file. */
  readonly security: { encryption: boolean };
}

/** A runner over real file decoding (CRC mode 1, the test key), events recorded. */
export function setup(options: { encryption?: boolean } = {}): RunnerSetup {
  const effects = new FakeEffects();
  const events: [EventDef, string | undefined][] = [];
  const security = { encryption: options.encryption ?? false };
  const decode: FileDecoder = (bytes, encrypted) => decodeFile(bytes, { encrypted, key: KEY, crcMode: 1 });
  const runner = new CommandRunner({
    uid: UID,
    effects,
    decode,
    clock: new ManualClock(START_MS),
    events: { record: (e, d) => (events.push([e, d]), true) },
    requireEncryption: () => security.encryption,
  });
  return { runner, effects, events, security };
}

export const summary = (acks: readonly OutgoingAck[]): [string, string, string, string][] =>
  acks.map((a) => [a.ack.type, a.ack.cid, a.ack.result, a.ack.data ?? '']);
