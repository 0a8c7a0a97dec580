import { EnergyLedger } from '../../drivers/power/ledger';
import { CONFIG, drive, makeRig, pattern, startEchoServers, type EchoServers, type Rig } from './harness';

let servers: EchoServers;
beforeAll(async () => {
  servers = await startEchoServers();
});
afterAll(async () => {
  await servers.close();
});

function echoOnce(rig: Rig, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    let written = false;
    const socket = rig.modem.network().openStream({
      address: '127.0.0.1',
      port: servers.tcpPort,
      onWritable: (free) => {
        if (free > 0 && !written) {
          written = true;
          socket.write(pattern(n));
        }
      },
      onReadable: () => {
        for (let b = socket.read(); b !== undefined; b = socket.read()) got += b.length;
        if (got >= n) {
          socket.close();
          resolve();
        }
      },
      onError: (m) => reject(new Error(m)),
    });
  });
}

async function session(rig: Rig): Promise<void> {
  await drive(rig.world, rig.modem.powerOn());
  await drive(rig.world, rig.modem.register(CONFIG));
  await drive(rig.world, rig.modem.activate());
  await drive(rig.world, echoOnce(rig, 1000));
  await rig.world.runUntil(rig.world.now() + 30_000);
  await drive(rig.world, rig.modem.powerOff());
  rig.host.closeAll();
}

test('the driver reports idle → attached → transmitting/attached per send → off', async () => {
  const rig = makeRig();
  await session(rig);
  expect(rig.driverPower.states().join(',')).toMatch(/^idle,attached,(transmitting,attached,)+off$/);
});

test('the emulator reports the physical states: boot idle, search/attach, TX bursts, RRC release to idle, off', async () => {
  const rig = makeRig();
  await session(rig);
  const states = rig.modemPower.states().join(',');
  expect(states).toMatch(/^idle,attached,(transmitting,attached,)+idle,off$/);
  const d = rig.modemPower.durations(rig.world.now());
  // 1000 bytes up at 300 kbit/s is ~27 ms plus 20 ms of radio overhead per burst.
  expect(d.transmitting).toBeGreaterThan(25);
  expect(d.transmitting).toBeLessThan(200);
  // Boot (2.5 s) until the search starts, then the 4 s attach, a few s of traffic, 10 s RRC inactivity.
  expect(d.attached).toBeGreaterThan(14_000);
  expect(d.attached).toBeLessThan(20_000);
  expect(d.idle).toBeGreaterThan(20_000);
});

test('the energy ledger integrates the emulator`s states; PSM costs microamps', async () => {
  let ledger: EnergyLedger | undefined;
  const rig = makeRig({ emulatorPower: { report: (c, s) => ledger?.report(c, s), charge: (c, s, d) => ledger?.charge(c, s, d) } });
  ledger = new EnergyLedger(rig.world);
  await drive(rig.world, rig.modem.powerOn());
  await drive(rig.world, rig.modem.register(CONFIG));
  await drive(rig.world, rig.modem.activate());
  await drive(rig.world, echoOnce(rig, 500));
  expect(await drive(rig.world, rig.modem.enterPsm({ periodicTauS: 86_400, activeTimeS: 30 }))).toBe(true);
  const before = ledger.snapshot().components.modem.railMah;
  await rig.world.runUntil(rig.world.now() + 86_400_000);
  const day = ledger.snapshot().components.modem;
  expect(day.stateMs.psm).toBeGreaterThan(86_000_000);
  // 3.4 µA for a day ≈ 0.08 mAh.
  expect(day.railMah - before).toBeCloseTo(0.0034 * 24, 3);
  expect(ledger.stateOf('modem')).toBe('psm');
  rig.host.closeAll();
});
