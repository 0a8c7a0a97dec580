/**
 * Esp32Ota over a model of ESP-IDF's app slots and otadata (esp32-ota-fake.ts): writing the
 * inactive slot, the trial boot, confirmation, the ways back, the factory-flash case, and the
 * firmware updater running on top of it.
 */
import { Esp32Ota, OTA_IMG_STATE, type OtaNative } from '../../drivers/esp32/ota';
import { buildImage, bytesSource } from '../../protocol/firmware/image';
import { FirmwareUpdater } from '../../tasks/firmware/updater';
import { EVENTS, type EventDef } from '../../tasks/log/events';
import { signWithTestKey } from '../fixtures/firmware-test-key';
import { ManualClock } from '../fixtures/manual-clock';
import { FakeIdfOta, type FakeIdfOptions, fakeAppImage } from './esp32-ota-fake';

const SLOT_BYTES = 64 * 1024;
const FACTORY = fakeAppImage(Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff));
const NEXT = fakeAppImage(Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7) & 0xff));
const THIRD = fakeAppImage(Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff));
const CHUNK = 4096;

/** A board straight from the factory flash, booted once. */
function factoryBoard(options: Partial<FakeIdfOptions> = {}): FakeIdfOta {
  const idf = new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES, ...options });
  idf.reset();
  return idf;
}

function writeImage(ota: Esp32Ota, image: Uint8Array): void {
  ota.begin(image.length);
  for (let at = 0; at < image.length; at += CHUNK) ota.write(image.subarray(at, at + CHUNK));
  ota.complete();
}

function install(ota: Esp32Ota, image: Uint8Array): void {
  writeImage(ota, image);
  ota.setBoot(ota.inactiveSlot);
}

/** Resets the chip and constructs the driver, as createBoard() does at every boot. */
function reboot(idf: FakeIdfOta): Esp32Ota {
  idf.reset();
  return new Esp32Ota(idf);
}

describe('slots', () => {
  test('a factory-flashed board runs ota_0, writes ota_1, and is not on trial', () => {
    const ota = new Esp32Ota(factoryBoard());
    expect(ota.runningSlot).toBe(0);
    expect(ota.inactiveSlot).toBe(1);
    expect(ota.slotBytes).toBe(SLOT_BYTES);
    expect(ota.pendingVerify).toBe(false);
  });

  test('a partition table whose next update slot is the running one is refused', () => {
    const idf = factoryBoard();
    const oneSlot: OtaNative = Object.assign(Object.create(idf) as FakeIdfOta, { nextSlot: () => 0 });
    expect(() => new Esp32Ota(oneSlot)).toThrow('ota: the partition table needs two OTA slots');
  });
});

describe('writing the inactive slot', () => {
  test('the completed image reads back from the slot partition (esp_partition_read), in pieces', () => {
    const idf = factoryBoard();
    const ota = new Esp32Ota(idf);
    writeImage(ota, NEXT);
    expect(ota.read(0, 1000)).toEqual(NEXT.subarray(0, 1000));
    expect(ota.read(NEXT.length - 7, 7)).toEqual(NEXT.subarray(NEXT.length - 7));
    expect(idf.calls.filter((c) => c === 'read')).toHaveLength(2);
  });

  test('nothing reads back before complete (ESP-IDF may still hold the last block) or after abort', () => {
    const ota = new Esp32Ota(factoryBoard());
    ota.begin(NEXT.length);
    ota.write(NEXT);
    expect(() => ota.read(0, 16)).toThrow('ota: no completed image to read');
    ota.complete();
    ota.abort();
    expect(() => ota.read(0, 16)).toThrow('ota: no completed image to read');
  });

  test('a read past the completed image throws without a native call', () => {
    const idf = factoryBoard();
    const ota = new Esp32Ota(idf);
    writeImage(ota, NEXT);
    expect(() => ota.read(NEXT.length - 1, 2)).toThrow(`ota: read of 2 bytes at ${NEXT.length - 1} is outside the ${NEXT.length}-byte image`);
    expect(idf.calls).not.toContain('read');
  });

  test('begin, write in chunks and complete put the image in the inactive slot', () => {
    const idf = factoryBoard();
    writeImage(new Esp32Ota(idf), NEXT);
    expect(idf.slots[1]).toEqual(NEXT);
    expect(idf.slots[0]).toEqual(FACTORY);
  });

  test('begin first gives the factory-flashed image a valid otadata record, so it can be rolled back to', () => {
    const idf = factoryBoard();
    expect(idf.stateOf(0)).toBe(OTA_IMG_STATE.none);
    new Esp32Ota(idf).begin(NEXT.length);
    expect(idf.stateOf(0)).toBe(OTA_IMG_STATE.valid);
  });

  test.each([0, -1, 1.5, Number.NaN, SLOT_BYTES + 1])('an image of %p bytes is refused before the slot is erased', (size) => {
    const idf = factoryBoard();
    idf.slots[1] = THIRD.slice();
    expect(() => new Esp32Ota(idf).begin(size)).toThrow(`bytes do not fit a ${SLOT_BYTES}-byte slot`);
    expect(idf.calls).not.toContain('begin');
    expect(idf.slots[1]).toEqual(THIRD);
  });

  test('an image of exactly the slot size is accepted', () => {
    const idf = factoryBoard();
    new Esp32Ota(idf).begin(SLOT_BYTES);
    expect(idf.calls).toContain('begin');
  });

  test('a write past the announced size throws and writes nothing', () => {
    const idf = factoryBoard();
    const ota = new Esp32Ota(idf);
    ota.begin(10);
    expect(() => ota.write(NEXT.subarray(0, 11))).toThrow('ota: write past the announced size');
    expect(idf.slots[1].length).toBe(0);
  });

  test('complete with fewer bytes than announced throws and ends the write', () => {
    const idf = factoryBoard();
    const ota = new Esp32Ota(idf);
    ota.begin(NEXT.length);
    ota.write(NEXT.subarray(0, 100));
    expect(() => ota.complete()).toThrow(`ota: 100 of ${NEXT.length} bytes written`);
    expect(idf.calls[idf.calls.length - 1]).toBe('abort');
    expect(() => ota.write(NEXT.subarray(100, 200))).toThrow('ota: write without begin');
  });

  test('write and complete without begin throw', () => {
    const ota = new Esp32Ota(factoryBoard());
    expect(() => ota.write(NEXT.subarray(0, 1))).toThrow('ota: write without begin');
    expect(() => ota.complete()).toThrow('ota: complete without begin');
  });

  test('bytes that are not an ESP32 app image fail at the first write (magic 0xE9)', () => {
    const ota = new Esp32Ota(factoryBoard());
    ota.begin(4);
    expect(() => ota.write(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46))).toThrow('esp_ota_write: ESP_ERR_OTA_VALIDATE_FAILED');
  });

  test('an image that does not verify is rejected by complete (esp_ota_end)', () => {
    const cut = NEXT.subarray(0, NEXT.length - 1);
    const ota = new Esp32Ota(factoryBoard());
    ota.begin(cut.length);
    ota.write(cut);
    expect(() => ota.complete()).toThrow('esp_ota_end: ESP_ERR_OTA_VALIDATE_FAILED');
  });

  test('abort drops the write in progress; a new begin starts over', () => {
    const idf = factoryBoard();
    const ota = new Esp32Ota(idf);
    ota.begin(NEXT.length);
    ota.write(NEXT.subarray(0, 100));
    ota.abort();
    expect(() => ota.complete()).toThrow('ota: complete without begin');
    writeImage(ota, THIRD);
    expect(idf.slots[1]).toEqual(THIRD);
  });

  test('ESP-IDF errors surface as Errors naming the call and esp_err_to_name()', () => {
    const idf = factoryBoard();
    const ota = new Esp32Ota(idf);
    ota.begin(NEXT.length);
    idf.failNext('write', 'ESP_ERR_FLASH_OP_FAIL');
    expect(() => ota.write(NEXT.subarray(0, CHUNK))).toThrow(new Error('esp_ota_write: ESP_ERR_FLASH_OP_FAIL'));
    ota.abort();
    expect(idf.calls[idf.calls.length - 1]).toBe('abort');
    idf.failNext('begin', 'ESP_ERR_FLASH_OP_TIMEOUT');
    expect(() => ota.begin(NEXT.length)).toThrow('esp_ota_begin: ESP_ERR_FLASH_OP_TIMEOUT');
  });
});

describe('boot selection', () => {
  test('setBoot points the next boot at the written slot, which then runs on trial', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.new);
    const ota = reboot(idf);
    expect(ota.runningSlot).toBe(1);
    expect(ota.inactiveSlot).toBe(0);
    expect(idf.slots[idf.running]).toEqual(NEXT);
    expect(ota.pendingVerify).toBe(true);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.pendingVerify);
  });

  test('setBoot refuses a slot that holds no image', () => {
    const ota = new Esp32Ota(factoryBoard());
    expect(() => ota.setBoot(1)).toThrow('esp_ota_set_boot_partition: ESP_ERR_OTA_VALIDATE_FAILED');
  });

  test('setBoot refuses the slot still being written', () => {
    const ota = new Esp32Ota(factoryBoard());
    ota.begin(NEXT.length);
    expect(() => ota.setBoot(1)).toThrow('ota: slot 1 is still being written');
  });

  test('setBoot of the running slot that already boots next leaves otadata alone (ESP-IDF would start a new trial)', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    let ota = reboot(idf);
    ota.markValid();
    const before = JSON.stringify(idf.otadata);
    ota.setBoot(1);
    expect(JSON.stringify(idf.otadata)).toBe(before);
    ota = reboot(idf);
    expect(ota.pendingVerify).toBe(false);
  });

  test('the trial image gets one boot: a reset before markValid aborts it and the previous slot runs', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    reboot(idf);
    const ota = reboot(idf);
    expect(ota.runningSlot).toBe(0);
    expect(idf.slots[idf.running]).toEqual(FACTORY);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.aborted);
    expect(ota.pendingVerify).toBe(false);
  });
});

describe('confirmation', () => {
  test('markValid ends the trial; the image stays across later boots', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    let ota = reboot(idf);
    ota.markValid();
    expect(ota.pendingVerify).toBe(false);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.valid);
    for (let i = 0; i < 3; i++) ota = reboot(idf);
    expect(ota.runningSlot).toBe(1);
    expect(ota.pendingVerify).toBe(false);
  });

  test('markValid outside a trial does nothing: it must not confirm an installed image before its trial', () => {
    const idf = factoryBoard();
    const ota = new Esp32Ota(idf);
    install(ota, NEXT);
    const calls = idf.calls.length;
    ota.markValid();
    expect(idf.calls.length).toBe(calls);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.new);
  });

  test('a failed markValid leaves the image on trial', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    const ota = reboot(idf);
    idf.failNext('markValid', 'ESP_ERR_FLASH_OP_TIMEOUT');
    expect(() => ota.markValid()).toThrow('esp_ota_mark_app_valid_cancel_rollback: ESP_ERR_FLASH_OP_TIMEOUT');
    expect(ota.pendingVerify).toBe(true);
  });

  test('no new image is written while the running one is on trial', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    const ota = reboot(idf);
    expect(() => ota.begin(THIRD.length)).toThrow('ota: the running image is on trial');
    expect(idf.slots[0]).toEqual(FACTORY);
  });
});

describe('rollback', () => {
  test('ESP-IDF 5.5+: the trial image is marked invalid at once; the restart boots the previous image', () => {
    const idf = factoryBoard({ markInvalidWithoutRestart: true });
    install(new Esp32Ota(idf), NEXT);
    let ota = reboot(idf);
    expect(ota.rollback()).toBe(true);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.invalid);
    expect(ota.pendingVerify).toBe(false);
    ota = reboot(idf);
    expect(ota.runningSlot).toBe(0);
    expect(idf.slots[idf.running]).toEqual(FACTORY);
    expect(ota.pendingVerify).toBe(false);
  });

  test('before ESP-IDF 5.5 the bootloader marks it aborted at the restart, with the same outcome', () => {
    const idf = factoryBoard({ markInvalidWithoutRestart: false });
    install(new Esp32Ota(idf), NEXT);
    let ota = reboot(idf);
    expect(ota.rollback()).toBe(true);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.pendingVerify);
    expect(ota.pendingVerify).toBe(false);
    ota = reboot(idf);
    expect(ota.runningSlot).toBe(0);
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.aborted);
  });

  test('after rollback nothing more is written until the restart', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    const ota = reboot(idf);
    ota.rollback();
    expect(() => ota.begin(THIRD.length)).toThrow('ota: the running image was rolled back; restart first');
  });

  test('rollback is false without a trial', () => {
    const idf = factoryBoard();
    expect(new Esp32Ota(idf).rollback()).toBe(false);
    expect(idf.calls).not.toContain('markInvalid');
  });

  test('rollback is false when the previous image no longer verifies', () => {
    const idf = factoryBoard();
    install(new Esp32Ota(idf), NEXT);
    const ota = reboot(idf);
    idf.slots[0] = new Uint8Array(0);
    expect(ota.rollback()).toBe(false);
    expect(idf.calls).not.toContain('markInvalid');
    expect(ota.pendingVerify).toBe(true);
  });

  test('without the record begin gives it, ESP-IDF could not roll back to a factory-flashed image', () => {
    const idf = factoryBoard();
    // The same install through the raw binding: no otadata record for ota_0.
    idf.begin(1, NEXT.length);
    idf.write(NEXT);
    idf.end();
    idf.setBoot(1);
    const ota = reboot(idf);
    expect(ota.pendingVerify).toBe(true);
    expect(ota.rollback()).toBe(false);
  });

  test.each([false, true])('updates alternate between the slots and each can roll back to the one before (begin drops the old record: %p)', (beginInvalidatesPrevious) => {
    const idf = factoryBoard({ beginInvalidatesPrevious });
    install(new Esp32Ota(idf), NEXT);
    let ota = reboot(idf);
    ota.markValid();
    install(ota, THIRD);
    ota = reboot(idf);
    expect(ota.runningSlot).toBe(0);
    expect(idf.slots[idf.running]).toEqual(THIRD);
    expect(ota.rollback()).toBe(true);
    ota = reboot(idf);
    expect(ota.runningSlot).toBe(1);
    expect(idf.slots[idf.running]).toEqual(NEXT);
    expect(ota.pendingVerify).toBe(false);
  });
});

const BOARD = 'wmbus-esp32-v1';
const CONFIRM_MS = 10 * 60 * 1000;

/** The device as the firmware sees it: every boot builds a new Esp32Ota and FirmwareUpdater on the same flash. */
class Device {
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly events: [EventDef, string | undefined][] = [];
  restarts = 0;
  ota!: Esp32Ota;
  updater!: FirmwareUpdater;

  constructor(readonly idf: FakeIdfOta) {
    this.boot();
  }

  boot(): void {
    this.idf.reset();
    this.ota = new Esp32Ota(this.idf);
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
    return this.idf.slots[this.idf.running];
  }
}

/** These tests run no anti-downgrade check: the number only has to be a u32. */
const ANY_VERSION_NUMBER = 1;

function signed(payload: Uint8Array, version: string): Uint8Array {
  return buildImage({ boardId: BOARD, version, versionNumber: ANY_VERSION_NUMBER }, payload, signWithTestKey);
}

describe('FirmwareUpdater on Esp32Ota', () => {
  test('install, restart, trial, confirm: the new image stays', () => {
    const device = new Device(new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES }));
    expect(device.updater.install(bytesSource(signed(NEXT, '2.0.0')))).toEqual({ ok: true, version: '2.0.0' });
    expect(device.running).toEqual(FACTORY);
    device.boot();
    expect(device.running).toEqual(NEXT);
    expect(device.updater.trial).toBe(true);
    expect(device.updater.confirm()).toBe(true);
    for (let i = 0; i < 3; i++) device.boot();
    expect(device.running).toEqual(NEXT);
    expect(device.updater.trial).toBe(false);
    expect(device.events.map((e) => e[0])).toEqual([EVENTS.firmwareInstalled, EVENTS.firmwareConfirmed]);
  });

  test.each([true, false])('install, restart, reject: the updater restarts into the previous image (marked without restart: %p)', (markInvalidWithoutRestart) => {
    const device = new Device(new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES, markInvalidWithoutRestart }));
    device.updater.install(bytesSource(signed(NEXT, '2.0.0')));
    device.boot();
    expect(device.running).toEqual(NEXT);
    expect(device.updater.reject('radio did not start')).toBe(true);
    expect(device.restarts).toBe(1);
    expect(device.events[device.events.length - 1]).toEqual([EVENTS.firmwareRollback, 'radio did not start']);
    device.boot();
    expect(device.running).toEqual(FACTORY);
    expect(device.updater.trial).toBe(false);
  });

  test('no confirmation within the deadline: rollback and restart', () => {
    const device = new Device(new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES }));
    device.updater.install(bytesSource(signed(NEXT, '2.0.0')));
    device.boot();
    device.clock.advance(CONFIRM_MS);
    expect(device.restarts).toBe(1);
    device.boot();
    expect(device.running).toEqual(FACTORY);
  });

  test('a crash before confirming: the bootloader goes back on its own', () => {
    const device = new Device(new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES }));
    device.updater.install(bytesSource(signed(NEXT, '2.0.0')));
    device.boot();
    device.boot();
    expect(device.running).toEqual(FACTORY);
    expect(device.updater.trial).toBe(false);
  });

  test('a flash fault while writing fails the install and leaves the next boot alone', () => {
    const idf = new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES });
    const device = new Device(idf);
    idf.failNext('write', 'ESP_ERR_FLASH_OP_FAIL');
    expect(device.updater.install(bytesSource(signed(NEXT, '2.0.0')))).toEqual({
      ok: false,
      check: 'ota',
      error: 'esp_ota_write: ESP_ERR_FLASH_OP_FAIL',
    });
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.none);
    expect(idf.bootSlot()).toBe(0);
    device.boot();
    expect(device.running).toEqual(FACTORY);
  });

  test('a streamed image whose signature fails on the read-back is not set to boot', () => {
    const idf = new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES });
    const device = new Device(idf);
    const image = signed(NEXT, '2.0.0');
    image[image.length - 3] ^= 0x20;
    const sink = device.updater.beginInstall(image.length);
    for (let at = 0; at < image.length; at += 1500) sink.push(image.subarray(at, at + 1500));
    expect(sink.finish()).toMatchObject({ ok: false, check: 'signature' });
    const afterWrite = idf.calls.slice(idf.calls.indexOf('end'));
    expect(afterWrite).toContain('read');
    expect(afterWrite).not.toContain('setBoot');
    expect(idf.stateOf(1)).toBe(OTA_IMG_STATE.none);
    expect(idf.bootSlot()).toBe(0);
    device.boot();
    expect(device.running).toEqual(FACTORY);
  });

  test('a signed payload that is not an ESP32 app image is refused by ESP-IDF', () => {
    const device = new Device(new FakeIdfOta(FACTORY, { slotBytes: SLOT_BYTES }));
    const notAnApp = Uint8Array.from({ length: 1000 }, (_, i) => (i + 1) & 0xff);
    expect(device.updater.install(bytesSource(signed(notAnApp, '9')))).toEqual({
      ok: false,
      check: 'ota',
      error: 'esp_ota_write: ESP_ERR_OTA_VALIDATE_FAILED',
    });
    device.boot();
    expect(device.running).toEqual(FACTORY);
  });
});
