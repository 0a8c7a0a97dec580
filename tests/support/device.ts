import type { BsonDocument } from '../../protocol/bson/types';
import { ConfigStore } from '../../tasks/config-store';
import { SimDevice } from '../../sim/device';
import type { AirSource, AirTransmission } from '../../sim/drivers/radio';
import { SimFlash } from '../../sim/drivers/flash';
import { SimModemPort } from '../../sim/drivers/modem-port';
import { SimSettings } from '../../sim/drivers/settings';
import { EnergyLedger } from '../../drivers/power/ledger';
import { SimWorld } from '../../sim/world/world';

export const T0 = Date.parse('2026-03-02T00:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface TestSite {
  readonly world: SimWorld;
  readonly ledger: EnergyLedger;
  readonly device: SimDevice;
  readonly flash: SimFlash;
  readonly lines: string[];
}

/** A quiet sky: no meter transmits. */
export const NO_METERS: AirSource = { transmissions: (): AirTransmission[] => [] };

/** A simulated box on a test bench: no modem emulator behind the UART unless a test attaches one. */
export function testSite(options: { preset?: BsonDocument; air?: AirSource } = {}): TestSite {
  const world = new SimWorld(T0);
  const ledger = new EnergyLedger(world);
  const flash = new SimFlash({ size: 64 * 4096, power: ledger });
  const lines: string[] = [];
  const device = new SimDevice({
    identity: { uid: 'WE_TEST', sn: 'SN_TEST', hardwareVersion: '11' },
    world,
    ledger,
    air: options.air ?? NO_METERS,
    frameFlash: flash,
    modem: new SimModemPort(world),
    filesCapacity: 256 * 1024,
    batteryCapacityMah: 14_000,
    rtcErrorMs: 0,
    rtcDriftPpm: 0,
    temperatureDeciC: () => 150,
    console: (line) => lines.push(line),
  });
  if (options.preset !== undefined) {
    const store = new ConfigStore(new SimSettings(device.settings), () => ({ version: 0, timestamp: 0, uid: 'WE_TEST', sn: 'SN_TEST' }));
    const r = store.setFactoryPreset(options.preset);
    if (!r.ok) throw new Error(`${r.field}: ${r.reason}`);
  }
  return { world, ledger, device, flash, lines };
}

/** The beeps heard since `fromMs`, as S (short) and L (long), one group per `fromMs` window. */
export function beepsSince(site: TestSite, fromMs: number): string {
  return site.device.heard.filter((t) => t.atMs >= fromMs).map((t) => (t.ms >= 1000 ? 'L' : 'S')).join('');
}

/** Powers the box on and has the installer pass the magnet twice at 00:01 (STORAGE → RUN). */
export async function installInRun(site: TestSite): Promise<void> {
  site.device.powerOn();
  await site.world.runUntil(T0 + MINUTE);
  site.device.magnetPass();
  await site.world.runUntil(T0 + MINUTE + 3000);
  site.device.magnetPass();
}
