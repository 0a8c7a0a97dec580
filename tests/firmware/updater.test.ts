/**
 * §6 update with rollback: install into the inactive slot, trial boot, confirmation, and the two
 * ways back to the previous image (boot count in the simulated bootloader, confirmation deadline).
 */
import { buildImage, bytesSource, IMAGE_HEADER_BYTES, IMAGE_SIGNATURE_BYTES } from '../../protocol/firmware/image';
import { createOtaState, SimOta, SimOtaState } from '../../sim/drivers/ota';
import { FirmwareUpdater } from '../../tasks/firmware/updater';
import { EVENTS, EventDef } from '../../tasks/log/events';
import { signWithTestKey } from '../fixtures/firmware-test-key';
import { ManualClock } from '../fixtures/manual-clock';
import { nodeHashes } from '../fixtures/node-hashes';
import { RecordingOta } from '../fixtures/recording-ota';
import type { HashFactory } from '../../protocol/crypto/types';

const BOARD = 'wmbus-esp32-v1';
const SLOT_BYTES = 64 * 1024;
const FACTORY = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
const NEW_APP = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff);
const IMAGE = buildImage({ boardId: BOARD, version: '2.0.0', versionNumber: 200 }, NEW_APP, signWithTestKey);
const CONFIRM_MS = 10 * 60 * 1000;

/** One boot of the simulated device: the driver runs the bootloader step on the persistent state. */
class Device {
  readonly state: SimOtaState = createOtaState(FACTORY);
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly events: [EventDef, string | undefined][] = [];
  restarts = 0;
  ota!: SimOta;
  /** What the updater asked of `ota` this boot. */
  slot!: RecordingOta;
  updater!: FirmwareUpdater;

  constructor(
    private readonly maxTrialBoots = 1,
    private readonly hashes?: HashFactory,
  ) {
    this.boot();
  }

  boot(): void {
    this.ota = new SimOta(this.state, { slotBytes: SLOT_BYTES, maxTrialBoots: this.maxTrialBoots });
    this.slot = new RecordingOta(this.ota);
    this.updater = new FirmwareUpdater({
      ota: this.slot,
      clock: this.clock,
      boardId: BOARD,
      restart: () => this.restarts++,
      events: { record: (e, d) => (this.events.push([e, d]), true) },
      confirmWithinMs: CONFIRM_MS,
      hashes: this.hashes,
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
  expect(device.clock.pending).toBe(0);
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
  expect(device.ota.slotState(1)).toBe('aborted');
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
  const other = buildImage({ boardId: 'other-board', version: '3', versionNumber: 300 }, NEW_APP, signWithTestKey);
  expect(device.updater.install(bytesSource(other))).toMatchObject({ ok: false, check: 'board' });
  expect(device.ota.slotState(1)).toBe('new');
});

test('an image larger than a slot is refused by the size check', () => {
  const device = new Device();
  const huge = buildImage({ boardId: BOARD, version: '4', versionNumber: 400 }, new Uint8Array(SLOT_BYTES + 1), signWithTestKey);
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
  expect(device.updater.install(bytesSource(buildImage({ boardId: BOARD, version: '3.0.0', versionNumber: 300 }, third, signWithTestKey)))).toEqual({
    ok: true,
    version: '3.0.0',
  });
  device.boot();
  expect(device.ota.runningSlot).toBe(0);
  expect(device.running).toEqual(third);
  device.boot();
  expect(device.running).toEqual(NEW_APP);
});

describe('streaming install (an image arriving in pieces)', () => {
  const SMALL_APP = Uint8Array.from({ length: 300 }, (_, i) => (i * 11 + 3) & 0xff);
  const SMALL = buildImage({ boardId: BOARD, version: '2.1.0', versionNumber: 201 }, SMALL_APP, signWithTestKey);
  const SMALL_SIGNED_END = SMALL.length - IMAGE_SIGNATURE_BYTES;
  const CHUNK = 1024;

  function stream(device: Device, image: Uint8Array, chunk: number, announced?: number): ReturnType<FirmwareUpdater['install']> {
    const sink = device.updater.beginInstall(announced);
    for (let at = 0; at < image.length; at += chunk) sink.push(image.subarray(at, at + chunk));
    return sink.finish();
  }

  /** The slot was written and given up; the next boot is still the factory image. */
  function nothingInstalled(device: Device): void {
    expect(device.slot.called('abort')).toBe(true);
    expect(device.slot.called('setBoot')).toBe(false);
    expect(device.ota.slotState(1)).toBe('empty');
    device.boot();
    expect(device.running).toEqual(FACTORY);
  }

  test.each([
    ...Array.from({ length: IMAGE_HEADER_BYTES + 3 }, (_, i) => i),
    ...Array.from({ length: IMAGE_SIGNATURE_BYTES + 4 }, (_, i) => SMALL_SIGNED_END - 2 + i),
  ])('an image cut in two at byte %i installs as a whole one does', (cut) => {
    const device = new Device();
    const sink = device.updater.beginInstall();
    expect(sink.push(SMALL.subarray(0, cut))).toBe(true);
    expect(sink.push(SMALL.subarray(cut))).toBe(true);
    expect(sink.finish()).toEqual({ ok: true, version: '2.1.0' });
    expect(device.ota.slotState(1)).toBe('new');
    device.boot();
    expect(device.running).toEqual(SMALL_APP);
  });

  test('1 KiB chunks: the slot holds exactly the payload, and no write or read-back is larger than a chunk', () => {
    const device = new Device();
    expect(stream(device, IMAGE, CHUNK, IMAGE.length)).toEqual({ ok: true, version: '2.0.0' });
    expect(device.events).toEqual([[EVENTS.firmwareInstalled, '2.0.0']]);
    expect(device.slot.largestWrite).toBeLessThanOrEqual(CHUNK);
    expect(device.slot.largestRead).toBeLessThanOrEqual(4096);
    expect(device.slot.calls.filter((c) => c !== 'write' && c !== 'read')).toEqual(['begin', 'complete', 'setBoot']);
    device.boot();
    expect(device.running).toEqual(NEW_APP);
  });

  test('an image for another board is refused before the slot is erased, and the rest of the stream is ignored', () => {
    const device = new Device();
    const other = buildImage({ boardId: 'other-board', version: '3', versionNumber: 300 }, NEW_APP, signWithTestKey);
    const sink = device.updater.beginInstall();
    expect(sink.push(other.subarray(0, 100))).toBe(false);
    expect(sink.result).toEqual({ ok: false, check: 'board', error: `image is for board other-board, this is ${BOARD}` });
    expect(sink.push(other.subarray(100))).toBe(false);
    expect(sink.finish()).toBe(sink.result);
    expect(device.slot.calls).toEqual([]);
    expect(device.events).toEqual([[EVENTS.firmwareRejected, `board: image is for board other-board, this is ${BOARD}`]]);
  });

  test('a payload larger than the slot is refused before the slot is erased', () => {
    const device = new Device();
    const huge = buildImage({ boardId: BOARD, version: '4', versionNumber: 400 }, new Uint8Array(SLOT_BYTES + 1), signWithTestKey);
    expect(stream(device, huge, CHUNK)).toMatchObject({ ok: false, check: 'size' });
    expect(device.slot.calls).toEqual([]);
  });

  test('an announced length that disagrees with the header is refused before the slot is erased', () => {
    const device = new Device();
    expect(stream(device, IMAGE, CHUNK, IMAGE.length - 1)).toMatchObject({ ok: false, check: 'size' });
    expect(device.slot.calls).toEqual([]);
  });

  test('a truncated stream is aborted at finish and nothing boots', () => {
    const device = new Device();
    expect(stream(device, IMAGE.subarray(0, IMAGE.length - 1), CHUNK)).toEqual({
      ok: false,
      check: 'size',
      error: `image is ${IMAGE.length - 1} bytes, header says ${IMAGE.length}`,
    });
    expect(device.events).toEqual([[EVENTS.firmwareRejected, `size: image is ${IMAGE.length - 1} bytes, header says ${IMAGE.length}`]]);
    nothingInstalled(device);
  });

  test('bytes past the trailer abort the install as they arrive', () => {
    const device = new Device();
    const sink = device.updater.beginInstall();
    expect(sink.push(IMAGE)).toBe(true);
    expect(sink.push(Uint8Array.of(0))).toBe(false);
    expect(sink.finish()).toMatchObject({ ok: false, check: 'size' });
    nothingInstalled(device);
  });

  test('a payload that does not match its digest is aborted and recorded', () => {
    const device = new Device();
    const bad = IMAGE.slice();
    bad[IMAGE_HEADER_BYTES + 10_000] ^= 0x04;
    expect(stream(device, bad, CHUNK)).toMatchObject({ ok: false, check: 'integrity' });
    expect(device.events).toEqual([[EVENTS.firmwareRejected, 'integrity: payload SHA-256 does not match the header']]);
    nothingInstalled(device);
  });

  test('a bad signature is found on the slot read back, after the write, and nothing boots', () => {
    const device = new Device();
    const bad = IMAGE.slice();
    bad[bad.length - 1] ^= 0x01;
    expect(stream(device, bad, CHUNK)).toEqual({ ok: false, check: 'signature', error: 'signature does not verify with the built-in key' });
    expect(device.slot.called('read')).toBe(true);
    expect(device.events).toEqual([[EVENTS.firmwareRejected, 'signature: signature does not verify with the built-in key']]);
    nothingInstalled(device);
  });

  test('a transfer that stops is aborted with its reason', () => {
    const device = new Device();
    const sink = device.updater.beginInstall(IMAGE.length);
    sink.push(IMAGE.subarray(0, 5000));
    expect(sink.abort('RETR: connection lost')).toEqual({ ok: false, check: 'transfer', error: 'RETR: connection lost' });
    expect(sink.push(IMAGE.subarray(5000))).toBe(false);
    expect(device.events).toEqual([[EVENTS.firmwareRejected, 'transfer: RETR: connection lost']]);
    nothingInstalled(device);
  });

  test('a trial image refuses a streamed install before any byte is taken', () => {
    const device = new Device();
    installed(device);
    device.boot();
    const sink = device.updater.beginInstall(IMAGE.length);
    expect(sink.result).toEqual({ ok: false, check: 'ota', error: 'the running image is not confirmed yet' });
    expect(sink.push(IMAGE)).toBe(false);
    expect(device.slot.calls).toEqual([]);
    expect(device.ota.slotState(0)).toBe('valid');
  });
});

describe('install with the hashes injected (the device passes its native SHA-256/SHA-512)', () => {
  const CHUNK = 1024;

  function stream(device: Device, image: Uint8Array): ReturnType<FirmwareUpdater['install']> {
    const sink = device.updater.beginInstall(image.length);
    for (let at = 0; at < image.length; at += CHUNK) sink.push(image.subarray(at, at + CHUNK));
    return sink.finish();
  }

  test('a streamed image installs and boots, hashed by the injected factory only', () => {
    const { hashes, bytes } = nodeHashes();
    const device = new Device(1, hashes);
    expect(stream(device, IMAGE)).toEqual({ ok: true, version: '2.0.0' });
    expect(bytes).toEqual({ 'SHA-256': NEW_APP.length, 'SHA-512': 32 + 32 + IMAGE_HEADER_BYTES + NEW_APP.length });
    device.boot();
    expect(device.running).toEqual(NEW_APP);
  });

  test('a payload that does not match its digest is refused by the integrity check and nothing boots', () => {
    const device = new Device(1, nodeHashes().hashes);
    const bad = IMAGE.slice();
    bad[IMAGE_HEADER_BYTES + 10_000] ^= 0x04;
    expect(stream(device, bad)).toEqual({ ok: false, check: 'integrity', error: 'payload SHA-256 does not match the header' });
    expect(device.slot.called('setBoot')).toBe(false);
  });

  test('a bad signature is refused on the slot read back and nothing boots', () => {
    const device = new Device(1, nodeHashes().hashes);
    const bad = IMAGE.slice();
    bad[bad.length - 1] ^= 0x01;
    expect(stream(device, bad)).toEqual({ ok: false, check: 'signature', error: 'signature does not verify with the built-in key' });
    expect(device.slot.called('read')).toBe(true);
    expect(device.slot.called('setBoot')).toBe(false);
  });
});
