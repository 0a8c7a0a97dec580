/**
 * A rollback made by the bootloader (the trial image reset before confirming, the previous image
 * boots again) is logged once and reported in the next supervision file (`dates.lastRollback`).
 * The simulated bootloader keeps the abandoned slot 'aborted' until the next install, as ESP-IDF
 * does, so the box sees it at every boot: the report must still come once.
 */
import type { BsonDocument } from '../../protocol/bson/types';
import type { SettingValue } from '../../drivers/settings/types';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { buildImage, bytesSource } from '../../protocol/firmware/image';
import { SimClock } from '../../sim/drivers/clock';
import { SimFiles } from '../../sim/drivers/files';
import { createOtaState, SimOta, type SimOtaState } from '../../sim/drivers/ota';
import { SimSettings } from '../../sim/drivers/settings';
import { deviceCounters } from '../../sim/run';
import { FirmwareUpdater } from '../../tasks/firmware/updater';
import { EventLog } from '../../tasks/log/event-log';
import { EVENTS, EventDef } from '../../tasks/log/events';
import { signWithTestKey } from '../fixtures/firmware-test-key';
import { ManualClock } from '../fixtures/manual-clock';
import { Esp32Ota } from '../../drivers/esp32/ota';
import { fakeAppImage, FakeIdfOta } from '../drivers/esp32-ota-fake';
import { HOUR, installInRun, T0, testSite } from '../support/device';

const BOARD = 'wmbus-esp32-v1';
const SLOT_BYTES = 64 * 1024;
const FACTORY = new Uint8Array(3000).fill(0x22);
const IMAGE = buildImage({ boardId: BOARD, version: '2.0.0', versionNumber: 200 }, new Uint8Array(8000).fill(0x33), signWithTestKey);
const BOOTLOADER_ROLLBACK = 'bootloader: the trial image reset before confirming; the previous image runs';

/** One box: OTA state and settings persist across `boot`s, as flash and NVS do. */
class Box {
  readonly state: SimOtaState = createOtaState(FACTORY);
  readonly nvs = new Map<string, SettingValue>();
  readonly events: [EventDef, string | undefined][] = [];
  ota!: SimOta;
  updater!: FirmwareUpdater;

  constructor() {
    this.boot();
  }

  boot(): void {
    this.ota = new SimOta(this.state, { slotBytes: SLOT_BYTES });
    this.updater = new FirmwareUpdater({
      ota: this.ota,
      clock: new ManualClock(1_700_000_000_000),
      boardId: BOARD,
      restart: () => undefined,
      settings: new SimSettings(this.nvs),
      events: { record: (e, d) => (this.events.push([e, d]), true) },
    });
    this.updater.onBoot();
  }

  rollbacks(): (string | undefined)[] {
    return this.events.filter(([e]) => e === EVENTS.firmwareRollback).map(([, d]) => d);
  }

  /** Installs IMAGE and boots it on trial, which then resets without confirming. */
  failedTrial(): void {
    const result = this.updater.install(bytesSource(IMAGE));
    if (!result.ok) throw new Error(result.error);
    this.boot();
    this.boot();
  }
}

test('the boot after a trial image reset unconfirmed logs the rollback', () => {
  const box = new Box();
  box.failedTrial();
  expect(box.ota.runningImage).toEqual(FACTORY);
  expect(box.updater.rolledBackAtBoot).toBe(true);
  expect(box.rollbacks()).toEqual([BOOTLOADER_ROLLBACK]);
});

test('later boots see the aborted slot again but do not report it again', () => {
  const box = new Box();
  box.failedTrial();
  box.boot();
  box.boot();
  expect(box.ota.rolledBack).toBe(true);
  expect(box.updater.rolledBackAtBoot).toBe(false);
  expect(box.rollbacks()).toEqual([BOOTLOADER_ROLLBACK]);
});

test('a second failed update is a second rollback to report', () => {
  const box = new Box();
  box.failedTrial();
  box.failedTrial();
  expect(box.rollbacks()).toEqual([BOOTLOADER_ROLLBACK, BOOTLOADER_ROLLBACK]);
});

test('a confirmed update reports no rollback', () => {
  const box = new Box();
  box.updater.install(bytesSource(IMAGE));
  box.boot();
  box.updater.confirm();
  box.boot();
  expect(box.ota.rolledBack).toBe(false);
  expect(box.rollbacks()).toEqual([]);
});

describe('Esp32Ota on the ESP-IDF otadata model', () => {
  const FACTORY_APP = fakeAppImage(new Uint8Array(3000).fill(1));
  const NEXT_APP = fakeAppImage(new Uint8Array(6000).fill(2));

  /** A factory-flashed chip with NEXT_APP installed for the next boot. */
  function installed(): FakeIdfOta {
    const idf = new FakeIdfOta(FACTORY_APP, { slotBytes: SLOT_BYTES });
    idf.reset();
    const ota = new Esp32Ota(idf);
    ota.begin(NEXT_APP.length);
    ota.write(NEXT_APP);
    ota.complete();
    ota.setBoot(ota.inactiveSlot);
    return idf;
  }

  test('a trial image that resets unconfirmed is ABORTED: the previous image runs and sees rolledBack', () => {
    const idf = installed();
    idf.reset();
    expect(new Esp32Ota(idf).pendingVerify).toBe(true);
    idf.reset();
    const back = new Esp32Ota(idf);
    expect(back.runningSlot).toBe(0);
    expect(back.rolledBack).toBe(true);
  });

  test('a confirmed image is no rollback', () => {
    const idf = installed();
    idf.reset();
    new Esp32Ota(idf).markValid();
    idf.reset();
    expect(new Esp32Ota(idf).rolledBack).toBe(false);
  });

  test('the updater’s own rollback (marked invalid) is not taken for the bootloader’s', () => {
    const idf = new FakeIdfOta(FACTORY_APP, { slotBytes: SLOT_BYTES, markInvalidWithoutRestart: true });
    idf.reset();
    const first = new Esp32Ota(idf);
    first.begin(NEXT_APP.length);
    first.write(NEXT_APP);
    first.complete();
    first.setBoot(first.inactiveSlot);
    idf.reset();
    expect(new Esp32Ota(idf).rollback()).toBe(true);
    idf.reset();
    expect(new Esp32Ota(idf).rolledBack).toBe(false);
  });
});

describe('on the simulated box', () => {
  /** The state a trial image leaves when it resets before confirming: its next boot is its second. */
  function trialThatReset(state: SimOtaState): void {
    state.slots[1] = { image: new Uint8Array(5000).fill(0x44), state: 'pending-verify' };
    state.bootSlot = 1;
    state.trialBoots = 1;
  }

  test('the rollback is in the event log and in the next supervision file as dates.lastRollback', async () => {
    const site = testSite();
    trialThatReset(site.device.ota);
    await installInRun(site);
    expect(site.device.ota.slots[1].state).toBe('aborted');
    const log = new EventLog(new SimFiles(site.device.files, 256 * 1024), new SimClock(site.world, site.device.rtc));
    expect(log.entries().filter((e) => e.code === EVENTS.firmwareRollback.code).map((e) => e.data)).toEqual([BOOTLOADER_ROLLBACK]);
    const rolledBackAt = deviceCounters(site.device)?.lastRollback ?? 0;
    expect(Math.abs(rolledBackAt * 1000 - T0)).toBeLessThan(60_000);

    const command = encodeFile({ cmd: { type: 'supervisionGet', cid: 's' } }, { encryption: false });
    await site.world.runUntil(T0 + HOUR);
    site.device.plugUsb([{ name: 'WE_TEST-cmd.bson', bytes: command }]);
    await site.world.runUntil(T0 + HOUR + 60_000);
    const written = [...site.device.usbState.written].find(([name]) => name.endsWith('-supervision.bson'));
    if (written === undefined) throw new Error('no supervision file on the drive');
    const decoded = decodeFile(written[1], { encrypted: false, crcMode: 2 });
    if (!decoded.ok) throw new Error(decoded.error);
    const dates = (decoded.doc.supervision as BsonDocument).dates as BsonDocument;
    expect(Object.keys(dates).pop()).toBe('lastRollback');
    expect(dates.lastRollback).toBe(rolledBackAt);
  });
});
