import { decodeFile, encodeFile } from '../../protocol/files/codec';
import type { BsonDocument } from '../../protocol/bson/types';
import { beepsSince, HOUR, installInRun, T0, testSite, type TestSite } from '../support/device';

/** §2.4.5: configuration and command files dropped on the USB drive, ACKs written back to it. */
const PRESET = { config: { scheduleRadio: [{ cron: '0 3 * * *', data: 60 }], monitoringPeriod: 0 } };

function file(doc: BsonDocument): Uint8Array {
  return encodeFile(doc, { encryption: false });
}

function written(site: TestSite): Map<string, BsonDocument> {
  const out = new Map<string, BsonDocument>();
  for (const [name, bytes] of site.device.usbState.written) {
    const r = decodeFile(bytes, { encrypted: false, crcMode: 2 });
    if (r.ok) out.set(name, r.doc);
  }
  return out;
}

/** The `ack` section of the first ACK file of that type written to the drive. */
function ackOf(site: TestSite, type: 'cmd' | 'config'): BsonDocument | undefined {
  for (const doc of written(site).values()) {
    const ack = doc.ack as BsonDocument | undefined;
    if (ack !== undefined && ack.type === type) return ack;
  }
  return undefined;
}

async function plugAt(site: TestSite, atMs: number, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  await site.world.runUntil(atMs);
  site.device.plugUsb(files);
  await site.world.runUntil(atMs + 60_000);
}

describe('USB drive as a command source', () => {
  test('plugging the cable wakes the box, which applies the configuration and writes its ACK back', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: 'WE_TEST-cfg.bson', bytes: file({ config: { name: 'Basement B' } }) }]);
    expect(site.device.stats.bootsByCause.usb).toBe(1);
    const acks = [...written(site).entries()].filter(([n]) => n.endsWith('-ack.bson'));
    expect(acks).toHaveLength(1);
    expect(acks[0][1]).toMatchObject({ uid: 'WE_TEST', source: 'usb', ack: { type: 'config', result: 'ok' } });
  });

  test('a configuration with a bad CRC is refused with a ko ACK and nothing is applied', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    const bytes = file({ config: { radio: { duration: 120 } } });
    bytes[bytes.length - 2] ^= 0xff;
    await plugAt(site, T0 + HOUR, [{ name: 'WE_TEST-cfg.bson', bytes }]);
    expect(ackOf(site, 'config')).toMatchObject({ result: 'ko' });
    expect(site.device.settings.get('cfg')).toBeDefined();
    await site.world.runUntil(T0 + 4 * HOUR);
    expect(site.lines.some((l) => l.startsWith('radio window T1+C1 60 s'))).toBe(true);
  });

  test('configGet writes the configuration file onto the drive', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: 'WE_TEST-cmd.bson', bytes: file({ cmd: { uid: 'WE_TEST', cid: 'c-1', type: 'configGet' } }) }]);
    const docs = written(site);
    const config = [...docs.entries()].find(([n]) => n.endsWith('-config.bson'));
    expect(config?.[1]).toMatchObject({ config: { uid: 'WE_TEST', scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] } });
    expect(ackOf(site, 'cmd')).toMatchObject({ cid: 'c-1', result: 'ok' });
  });

  test('a command for another box is refused and its cid echoed', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: 'WE_TEST-cmd.bson', bytes: file({ cmd: { uid: 'WE_OTHER', cid: 'c-9', type: 'logClean' } }) }]);
    expect(ackOf(site, 'cmd')).toMatchObject({ cid: 'c-9', result: 'ko' });
  });

  test('a configuration that sets STORAGE mode stops the schedules after a restart', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: 'WE_TEST-cfg.bson', bytes: file({ config: { mode: 'storage' } }) }]);
    await site.world.runUntil(T0 + 6 * HOUR);
    expect(site.lines).toContain('boot: reset, mode storage');
    expect(site.lines.some((l) => l.startsWith('radio window'))).toBe(false);
  });

  test('a configuration that changes the mode announces the new mode on the buzzer before the restart (§3.1.1.3)', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: 'WE_TEST-cfg.bson', bytes: file({ config: { mode: 'storage' } }) }]);
    await site.world.runUntil(T0 + HOUR + 120_000);
    // STORAGE's code, two short beeps, sounded by the boot that applied it; the restart follows.
    expect(beepsSince(site, T0 + HOUR)).toBe('SS');
    const processed = site.lines.indexOf('usb: 1 file(s) processed');
    expect(site.lines.indexOf('boot: reset, mode storage')).toBeGreaterThan(processed);
  });

  test('a configuration that keeps the mode is not announced', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: 'WE_TEST-cfg.bson', bytes: file({ config: { name: 'Basement B' } }) }]);
    expect(beepsSince(site, T0 + HOUR)).toBe('');
  });
});
