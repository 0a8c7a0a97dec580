import { PIN_REFUSED_KEY, PinGuard } from '../../drivers/modem/pin-guard';
import type { BsonDocument } from '../../protocol/bson/types';
import { encodeFile } from '../../protocol/files/codec';
import { SimClock } from '../../sim/drivers/clock';
import { SimFiles } from '../../sim/drivers/files';
import { SimSettings } from '../../sim/drivers/settings';
import { EventLog } from '../../tasks/log/event-log';
import { EVENTS } from '../../tasks/log/events';
import { HOUR, installInRun, T0, testSite, type TestSite } from '../support/device';

/** §5.6.2 / §2.4.4.2: a factory reset, by command or by hand, clears the refused-PIN record (§4.2.3.1 `cpin`). */
const PRESET = { config: { scheduleRadio: [{ cron: '0 3 * * *', data: 60 }], monitoringPeriod: 0 } };
const ICCID = '89330123456789012345';

/** A SIM of this box refused a PIN in an earlier session: the driver will not send it again. */
function refusedBefore(site: TestSite): void {
  new PinGuard(new SimSettings(site.device.settings)).record(ICCID, '1234');
  expect(site.device.settings.get(PIN_REFUSED_KEY)).toBeDefined();
}

/** What the box's event log says about the record. */
function clearedEvents(site: TestSite): string[] {
  const log = new EventLog(new SimFiles(site.device.files, 256 * 1024), new SimClock(site.world, site.device.rtc));
  return log
    .entries()
    .filter((e) => e.code === EVENTS.pinRecordCleared.code)
    .map((e) => e.data ?? '');
}

function file(doc: BsonDocument): Uint8Array {
  return encodeFile(doc, { encryption: false });
}

test('the factory command clears the refused-PIN record, logged', async () => {
  const site = testSite({ preset: PRESET });
  await installInRun(site);
  refusedBefore(site);
  await site.world.runUntil(T0 + HOUR);
  site.device.plugUsb([{ name: 'WE_TEST-cmd.bson', bytes: file({ cmd: { uid: 'WE_TEST', cid: 'c-1', type: 'factory' } }) }]);
  await site.world.runUntil(T0 + HOUR + 60_000);

  expect(site.device.settings.has(PIN_REFUSED_KEY)).toBe(false);
  expect(clearedEvents(site)).toEqual([`factory reset (command): SIM ${ICCID}`]);
});

test('the magnet held while RESET is pressed clears the refused-PIN record, logged', async () => {
  const site = testSite({ preset: PRESET });
  await installInRun(site);
  refusedBefore(site);
  await site.world.runUntil(T0 + HOUR);
  site.device.pressReset(true);
  await site.world.runUntil(T0 + HOUR + 3000);

  expect(site.device.settings.has(PIN_REFUSED_KEY)).toBe(false);
  expect(clearedEvents(site)).toEqual([`factory reset (magnet and RESET): SIM ${ICCID}`]);
});
