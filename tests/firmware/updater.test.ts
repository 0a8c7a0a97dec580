/**
 * §6 update with rollback: install into the inactive slot, trial boot, confirmation, and the two
 * ways back to the previous image (boot count in the simulated bootloader, confirmation deadline).
 */
import { buildImage, bytesSource, IMAGE_HEADER_BYTES } from '../../protocol/firmware/image';
import { createOtaState, SimOta, SimOtaState } from '../../sim/drivers/ota';
import { FirmwareUpdater } from '../../tasks/firmware/updater';
import { EVENTS, EventDef } from '../../tasks/log/events';
import { signWithTestKey } from '../fixtures/firmware-test-key';
import { ManualClock } from '../fixtures/manual-clock';

const BOARD = 'wmbus-esp32-v1';
const SLOT_BYTES = 64 * 1024;
const FACTORY = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
const NEW_APP = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff);
const IMAGE = buildImage({ boardId: BOARD, version: '2.0.0' }, NEW_APP, signWithTestKey);
const CONFIRM_MS = 10 * 60 * 1000;

/** One boot of the simulated device: the driver runs the bootloader step on the persistent state. */
class Device {
  readonly state: SimOtaState = createOtaState(FACTORY);
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly events: [EventDef, string | undefined][] = [];
  restarts = 0;
  ota!: SimOta;
  updater!: FirmwareUpdater;

  constructor(private readonly maxTrialBoots = 1) {
    this.boot();
  }

  boot(): void {
    this.ota = new SimOta(this.state, { slotBytes: SLOT_BYTES, maxTrialBoots: this.maxTrialBoots });
    this.updater = new FirmwareUpdater({
      ota: this.ota,
      clock: this.clock,
      boardId: BOARD,
      restart: () => this.restarts++,
      events: { record: (e, d) => (this.events.push([e, d]), true) },
      confirmWithinMs: CONFIRM_MS,
    });
    this.updater.onBoot();
  }

  get running(): Uint8Array {
    return this.ota.runningImage;
  }
}

function installed(device: Device): void {
  const result = device.updater.install(bytesSource(IMAGE));
  if (!result.ok) throw new Error(result.error);
}

test('install writes the payload to the inactive slot and boots it on trial', () => {
  const device = new Device();
  expect(device.updater.install(bytesSource(IMAGE))).toEqual({ ok: true, version: '2.0.0' });
  expect(device.running).toEqual(FACTORY);
  expect(device.ota.slotState(1)).toBe('new');
  expect(device.events).toEqual([[EVENTS.firmwareInstalled, '2.0.0']]);
  device.boot();
  expect(device.ota.runningSlot).toBe(1);
  expect(device.running).toEqual(NEW_APP);
  expect(device.updater.trial).toBe(true);
});

test('a confirmed image stays across later boots', () => {
  const device = new Device();
  installed(device);
  device.boot();
  expect(device.updater.confirm()).toBe(true);
  expect(device.clock.pendingTimers).toBe(0);
  for (let i = 0; i < 3; i++) device.boot();
  expect(device.running).toEqual(NEW_APP);
  expect(device.updater.trial).toBe(false);
  expect(device.events.map((e) => e[0])).toEqual([EVENTS.firmwareInstalled, EVENTS.firmwareConfirmed]);
});

test('rollback: a trial image that reboots without confirming gives way to the previous image', () => {
  const device = new Device();
  installed(device);
  device.boot();
  expect(device.running).toEqual(NEW_APP);
  device.boot();
  expect(device.ota.rolledBackAtBoot).toBe(true);
  expect(device.running).toEqual(FACTORY);
  expect(device.ota.slotState(1)).toBe('invalid');
  device.boot();
  expect(device.running).toEqual(FACTORY);
});

test('with N trial boots allowed the image gets N boots to confirm, and rolls back on boot N+1', () => {
  const device = new Device(3);
  installed(device);
  for (let i = 0; i < 3; i++) {
    device.boot();
    expect(device.running).toEqual(NEW_APP);
  }
  device.boot();
  expect(device.running).toEqual(FACTORY);
});

test('confirming on the last allowed trial boot keeps the image', () => {
  const device = new Device(3);
  installed(device);
  for (let i = 0; i < 3; i++) device.boot();
  device.updater.confirm();
  device.boot();
  expect(device.running).toEqual(NEW_APP);
});

test('rollback: no confirmation within the deadline marks the image invalid and restarts', () => {
  const device = new Device();
  installed(device);
  device.boot();
  device.clock.advance(CONFIRM_MS - 1);
  expect(device.restarts).toBe(0);
  device.clock.advance(1);
  expect(device.restarts).toBe(1);
  expect(device.events[device.events.length - 1]).toEqual([EVENTS.firmwareRollback, 'not confirmed within 600 s']);
  device.boot();
  expect(device.running).toEqual(FACTORY);
  expect(device.ota.rolledBackAtBoot).toBe(false);
});

test('reject: a failed self-test goes back at once', () => {
  const device = new Device();
  installed(device);
  device.boot();
  expect(device.updater.reject('radio did not start')).toBe(true);
  expect(device.restarts).toBe(1);
  device.boot();
  expect(device.running).toEqual(FACTORY);
});

test('a confirmed image cannot be rejected or rolled back', () => {
  const device = new Device();
  installed(device);
  device.boot();
  device.updater.confirm();
  expect(device.updater.reject('late')).toBe(false);
  device.clock.advance(CONFIRM_MS * 2);
  expect(device.restarts).toBe(0);
});

test('a rejected image changes nothing: the next boot is the running image', () => {
  const device = new Device();
  const bad = IMAGE.slice();
  bad[IMAGE_HEADER_BYTES + 100] ^= 0x80;
  const result = device.updater.install(bytesSource(bad));
  expect(result).toEqual({ ok: false, check: 'integrity', error: 'payload SHA-256 does not match the header' });
  expect(device.ota.slotState(1)).toBe('empty');
  expect(device.events).toEqual([[EVENTS.firmwareRejected, 'integrity: payload SHA-256 does not match the header']]);
  device.boot();
  expect(device.running).toEqual(FACTORY);
  expect(device.updater.trial).toBe(false);
});

test('an image for another board is refused before the slot is touched', () => {
  const device = new Device();
  installed(device);
  const other = buildImage({ boardId: 'other-board', version: '3' }, NEW_APP, signWithTestKey);
  expect(device.updater.install(bytesSource(other))).toMatchObject({ ok: false, check: 'board' });
  expect(device.ota.slotState(1)).toBe('new');
});

test('an image larger than a slot is refused by the size check', () => {
  const device = new Device();
  const huge = buildImage({ boardId: BOARD, version: '4' }, new Uint8Array(SLOT_BYTES + 1), signWithTestKey);
  expect(device.updater.install(bytesSource(huge))).toMatchObject({ ok: false, check: 'size' });
});

test('no new install while the running image is on trial (it would erase the way back)', () => {
  const device = new Device();
  installed(device);
  device.boot();
  expect(device.updater.install(bytesSource(IMAGE))).toEqual({ ok: false, check: 'ota', error: 'the running image is not confirmed yet' });
  expect(device.ota.slotState(0)).toBe('valid');
});

test('an update after a confirmed one goes to the other slot and can roll back to it', () => {
  const device = new Device();
  installed(device);
  device.boot();
  device.updater.confirm();
  const third = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff);
  expect(device.updater.install(bytesSource(buildImage({ boardId: BOARD, version: '3.0.0' }, third, signWithTestKey)))).toEqual({
    ok: true,
    version: '3.0.0',
  });
  device.boot();
  expect(device.ota.runningSlot).toBe(0);
  expect(device.running).toEqual(third);
  device.boot();
  expect(device.running).toEqual(NEW_APP);
});
