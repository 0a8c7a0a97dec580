/**
 * Anti-downgrade (docs/firmware-update.md): the header's version number is compared with the
 * running firmware's before the slot is touched; an older image needs the `firmware` command's
 * `allowDowngrade: true`. The same number installs again.
 */
import { generateKeyPairSync, sign } from 'crypto';
import { buildImage, bytesSource } from '../../protocol/firmware/image';
import { createOtaState, SimOta } from '../../sim/drivers/ota';
import { FirmwareUpdater } from '../../tasks/firmware/updater';
import { EVENTS, EventDef } from '../../tasks/log/events';
import { ManualClock } from '../fixtures/manual-clock';
import { RecordingOta } from '../fixtures/recording-ota';

const BOARD = 'wmbus-esp32-v1';
const SLOT_BYTES = 64 * 1024;
/** The running firmware: tasks/app.ts FIRMWARE_VERSION '01.00' is number 100. */
const RUNNING = 100;
const FACTORY = new Uint8Array(3000).fill(0x11);
const PAYLOAD = Uint8Array.from({ length: 12_000 }, (_, i) => (i * 13) & 0xff);

// A release key made for this run: the published development key signs nothing here.
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PUBLIC_KEY = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));

function image(version: string, versionNumber: number): Uint8Array {
  return buildImage({ boardId: BOARD, version, versionNumber }, PAYLOAD, (m) => new Uint8Array(sign(null, m, privateKey)));
}

function device(): { updater: FirmwareUpdater; ota: RecordingOta; events: [EventDef, string | undefined][] } {
  const ota = new RecordingOta(new SimOta(createOtaState(FACTORY), { slotBytes: SLOT_BYTES }));
  const events: [EventDef, string | undefined][] = [];
  const updater = new FirmwareUpdater({
    ota,
    clock: new ManualClock(1_700_000_000_000),
    boardId: BOARD,
    restart: () => undefined,
    publicKey: PUBLIC_KEY,
    runningVersionNumber: RUNNING,
    events: { record: (e, d) => (events.push([e, d]), true) },
  });
  return { updater, ota, events };
}

test('a newer image installs', () => {
  const d = device();
  expect(d.updater.install(bytesSource(image('01.01', 101)))).toEqual({ ok: true, version: '01.01' });
  expect(d.ota.called('setBoot')).toBe(true);
});

test('an older image is refused by its version check before the slot is erased', () => {
  const d = device();
  expect(d.updater.install(bytesSource(image('00.99', 99)))).toEqual({
    ok: false,
    check: 'version',
    error: 'image 00.99 (version number 99) is older than the running 100',
  });
  expect(d.ota.calls).toEqual([]);
});

test('the refusal is logged as a rejected firmware with its check', () => {
  const d = device();
  d.updater.install(bytesSource(image('00.99', 99)));
  expect(d.events).toEqual([[EVENTS.firmwareRejected, 'version: image 00.99 (version number 99) is older than the running 100']]);
});

test('allowDowngrade installs the older image', () => {
  const d = device();
  expect(d.updater.install(bytesSource(image('00.99', 99)), undefined, { allowDowngrade: true })).toEqual({ ok: true, version: '00.99' });
  expect(d.ota.called('setBoot')).toBe(true);
});

test('the running version installs again (a repair, not a downgrade)', () => {
  const d = device();
  expect(d.updater.install(bytesSource(image('01.00', RUNNING)))).toEqual({ ok: true, version: '01.00' });
});

test('a streamed older image stops at its header: no payload byte reaches the slot', () => {
  const d = device();
  const sink = d.updater.beginInstall(undefined);
  const bytes = image('00.50', 50);
  expect(sink.push(bytes.subarray(0, 200))).toBe(false);
  expect(sink.result).toMatchObject({ ok: false, check: 'version' });
  expect(d.ota.called('write')).toBe(false);
});

test('the version check does not replace the signature: a forged newer image is still refused', () => {
  const d = device();
  const forged = buildImage({ boardId: BOARD, version: '09.00', versionNumber: 900 }, PAYLOAD, () => new Uint8Array(64));
  expect(d.updater.install(bytesSource(forged))).toMatchObject({ ok: false, check: 'signature' });
});
