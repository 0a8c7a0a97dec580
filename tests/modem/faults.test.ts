import { isModemError, type ModemError } from '../../drivers/modem/errors';
import { PIN_REFUSED_KEY } from '../../drivers/modem/pin-guard';
import type { EmulatorFaults, EmulatorScenario } from '../../sim/modem/types';
import { BASE_SCENARIO, CONFIG, SIM, drive, driveError, makeRig, pattern, startEchoServers, START_MS, type EchoServers, type Rig } from './harness';

let servers: EchoServers;
beforeAll(async () => {
  servers = await startEchoServers();
});
afterAll(async () => {
  await servers.close();
});

function withFaults(faults: EmulatorFaults, extra: Partial<EmulatorScenario> = {}): EmulatorScenario {
  return { ...BASE_SCENARIO, ...extra, faults };
}

async function registerError(rig: Rig, config = CONFIG): Promise<ModemError> {
  await drive(rig.world, rig.modem.powerOn());
  const e = await driveError(rig.world, rig.modem.register(config));
  if (!isModemError(e)) throw e;
  return e;
}

const cpinSent = (rig: Rig): string[] => rig.emulator.commandLog.filter((c) => c.startsWith('AT+CPIN='));

describe('§4.2.3.1 cpin: a refused PIN is never sent again', () => {
  test('the SIM refuses the PIN: sim-pin-refused, and the refusal is stored under the ICCID', async () => {
    const rig = makeRig({ scenario: withFaults({ pinRefused: true }) });
    const e = await registerError(rig);
    expect(e.code).toBe('sim-pin-refused');
    expect(e.message).toContain('+CME ERROR: 16');
    expect(cpinSent(rig)).toEqual(['AT+CPIN="1234"']);
    expect(rig.emulator.simPinAttempts()).toBe(2);
    expect(rig.store.map.get(PIN_REFUSED_KEY)).toMatch(new RegExp(`^${SIM.iccid}=[0-9a-f]{8}$`));
    expect((rig.store.map.get(PIN_REFUSED_KEY) as string).split('=')[1]).not.toContain('1234');
  });

  test('the next session (after a reboot) does not send AT+CPIN with the refused PIN', async () => {
    const rig = makeRig({ scenario: withFaults({ pinRefused: true }) });
    await registerError(rig);
    await drive(rig.world, rig.modem.powerOff());
    rig.emulator.clearLog();
    const modem = rig.reboot();
    await drive(rig.world, modem.powerOn());
    const e = await driveError(rig.world, modem.register(CONFIG));
    expect(isModemError(e, 'sim-pin-blocked')).toBe(true);
    expect(cpinSent(rig)).toEqual([]);
    expect(rig.emulator.commandLog).toContain('AT+CPIN?');
    expect(rig.emulator.simPinAttempts()).toBe(2);
  });

  test('a different PIN configured later is tried (it is not a blind retry)', async () => {
    const rig = makeRig({ scenario: { ...BASE_SCENARIO, sim: { ...SIM, pin: '4321' } } });
    expect((await registerError(rig)).code).toBe('sim-pin-refused');
    const modem = rig.reboot();
    rig.emulator.clearLog();
    await drive(rig.world, modem.powerOn());
    await drive(rig.world, modem.register({ ...CONFIG, cpin: '4321' }));
    expect(cpinSent(rig)).toEqual(['AT+CPIN="4321"']);
    expect(modem.state()).toBe('registered');
  });

  test('a SIM with one attempt left is not tried at all', async () => {
    const rig = makeRig({ scenario: { ...BASE_SCENARIO, sim: { ...SIM, pinAttempts: 1 } } });
    const e = await registerError(rig);
    expect(e.code).toBe('sim-pin-attempts-low');
    expect(cpinSent(rig)).toEqual([]);
  });

  test('a SIM asking for a PIN when none is configured: sim-pin-required, nothing sent', async () => {
    const rig = makeRig();
    const e = await registerError(rig, { ...CONFIG, cpin: null });
    expect(e.code).toBe('sim-pin-required');
    expect(cpinSent(rig)).toEqual([]);
  });

  test('no SIM in the holder: sim-missing', async () => {
    const rig = makeRig({ scenario: { ...BASE_SCENARIO, sim: { ...SIM, present: false } } });
    expect((await registerError(rig)).code).toBe('sim-missing');
  });
});

describe('registration faults', () => {
  test('no coverage in auto mode: LTE-M+2G for `timeout`, then 2G only for `timeout` (§1.6.4), then no-coverage', async () => {
    const rig = makeRig({ scenario: withFaults({ noCoverage: true }) });
    await drive(rig.world, rig.modem.powerOn());
    const start = rig.world.now();
    const e = await driveError(rig.world, rig.modem.register({ ...CONFIG, timeout: 60 }));
    expect(isModemError(e, 'no-coverage')).toBe(true);
    const elapsed = rig.world.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(120_000);
    expect(elapsed).toBeLessThan(130_000);
    const writes = rig.emulator.commandLog.filter((c) => /^AT\+QCFG="(nwscanmode|nwscanseq|iotopmode)",/.test(c));
    expect(writes).toEqual(['AT+QCFG="iotopmode",0,1', 'AT+QCFG="nwscanseq",0201,1', 'AT+QCFG="nwscanmode",1,1', 'AT+QCFG="nwscanseq",01,1']);
    expect(rig.modem.stats.registrationFailures).toBe(1);
  });

  test('a forced mode makes one attempt only', async () => {
    const rig = makeRig({ scenario: withFaults({ noCoverage: true }) });
    await drive(rig.world, rig.modem.powerOn());
    const start = rig.world.now();
    const e = await driveError(rig.world, rig.modem.register({ ...CONFIG, mode: 'NB-IoT', timeout: 60 }));
    expect(isModemError(e, 'no-coverage')).toBe(true);
    expect(rig.world.now() - start).toBeLessThan(65_000);
    expect(rig.emulator.commandLog).toContain('AT+QCFG="nwscanmode",3,1');
    expect(rig.emulator.commandLog).toContain('AT+QCFG="iotopmode",1,1');
  });

  test('cells heard but the attach never completes: registration-timeout', async () => {
    const rig = makeRig({ scenario: withFaults({ registrationTimeout: true }) });
    const e = await registerError(rig, { ...CONFIG, mode: 'LTE-M', timeout: 60 });
    expect(e.code).toBe('registration-timeout');
  });

  test('the network rejects the attach: registration-denied without waiting out the timeout', async () => {
    const rig = makeRig({ scenario: withFaults({ registrationDenied: true }) });
    await drive(rig.world, rig.modem.powerOn());
    const start = rig.world.now();
    const e = await driveError(rig.world, rig.modem.register({ ...CONFIG, mode: 'LTE-M', timeout: 300 }));
    expect(isModemError(e, 'registration-denied')).toBe(true);
    expect(rig.world.now() - start).toBeLessThan(30_000);
  });

  test('no LTE-M cell: auto mode falls back on 2G within the first attempt', async () => {
    const rig = makeRig({ scenario: { ...BASE_SCENARIO, coverage: [BASE_SCENARIO.coverage[1]] } });
    await drive(rig.world, rig.modem.powerOn());
    const info = await drive(rig.world, rig.modem.register(CONFIG));
    expect(info.technology).toBe('2G');
    expect(info.nwinfo).toBe('"GSM","20801","GSM 900",62');
    expect(info.quality).toEqual({ rssi: -71 });
  });

  test('AT+QIACT refused: pdp-failed', async () => {
    const rig = makeRig({ scenario: withFaults({ pdpReject: true }) });
    await drive(rig.world, rig.modem.powerOn());
    await drive(rig.world, rig.modem.register(CONFIG));
    const e = await driveError(rig.world, rig.modem.activate());
    expect(isModemError(e, 'pdp-failed')).toBe(true);
  });

  test('a module that never boots: no-response, and the supply is cut again', async () => {
    const rig = makeRig({ scenario: withFaults({ bootFailure: true }) });
    const e = await driveError(rig.world, rig.modem.powerOn());
    expect(isModemError(e, 'no-response')).toBe(true);
    expect(rig.port.supplyOn()).toBe(false);
    expect(rig.driverPower.states()).toEqual(['idle', 'off']);
  });
});

/** Opens a TCP echo connection, sends `n` bytes, collects what comes back until the socket fails. */
function transfer(rig: Rig, n: number): Promise<{ received: number; error: string | undefined }> {
  return new Promise((resolve) => {
    let received = 0;
    let sent = 0;
    const payload = pattern(n);
    const socket = rig.modem.network().openStream({
      address: '127.0.0.1',
      port: servers.tcpPort,
      onWritable: (free) => {
        while (sent < n && free > 0) {
          const k = Math.min(free, n - sent);
          free = socket.write(payload.subarray(sent, sent + k));
          sent += k;
        }
      },
      onReadable: () => {
        for (let b = socket.read(); b !== undefined; b = socket.read()) received += b.length;
        if (received === n) {
          socket.close();
          resolve({ received, error: undefined });
        }
      },
      onError: (m) => resolve({ received, error: m }),
    });
  });
}

describe('socket faults', () => {
  test('the connection drops mid-transfer: onError("closed") before all bytes came back', async () => {
    const rig = makeRig({ scenario: withFaults({ socketDrop: { afterBytes: 6000 } }) });
    await drive(rig.world, rig.modem.powerOn());
    await drive(rig.world, rig.modem.register(CONFIG));
    await drive(rig.world, rig.modem.activate());
    const r = await drive(rig.world, transfer(rig, 8000));
    expect(r.error).toBe('closed');
    expect(r.received).toBeGreaterThan(0);
    expect(r.received).toBeLessThan(8000);
    expect(rig.emulator.stats.socketsDropped).toBe(1);
    rig.host.closeAll();
  });

  test('the PDP context is lost mid-transfer: onError("pdpdeact"), and AT+QIACT works again', async () => {
    const rig = makeRig({ scenario: withFaults({ socketDrop: { afterBytes: 3000, kind: 'pdpdeact' } }) });
    await drive(rig.world, rig.modem.powerOn());
    await drive(rig.world, rig.modem.register(CONFIG));
    await drive(rig.world, rig.modem.activate());
    const r = await drive(rig.world, transfer(rig, 8000));
    expect(r.error).toBe('pdpdeact');
    rig.emulator.setFaults({});
    await drive(rig.world, rig.modem.activate());
    const again = await drive(rig.world, transfer(rig, 2000));
    expect(again).toEqual({ received: 2000, error: undefined });
    rig.host.closeAll();
  });
});

describe('UART faults', () => {
  test('garbage lines are ignored and counted; the session still completes', async () => {
    const rig = makeRig({ scenario: withFaults({ garbageRate: 0.3 }), seed: 7 });
    await drive(rig.world, rig.modem.powerOn());
    const info = await drive(rig.world, rig.modem.register(CONFIG));
    await drive(rig.world, rig.modem.activate());
    const r = await drive(rig.world, transfer(rig, 4000));
    expect(r).toEqual({ received: 4000, error: undefined });
    expect(info.operator).toBe('Orange F Things Mobile');
    expect(info.iccid).toBe(SIM.iccid);
    expect(rig.emulator.stats.garbageInjected).toBeGreaterThan(10);
    expect(rig.modem.channel.stats.garbage).toBeGreaterThan(0);
    expect(rig.modem.channel.stats.garbage).toBeLessThanOrEqual(rig.emulator.stats.garbageInjected);
    rig.host.closeAll();
  });

  test('truncated status lines are skipped: the session completes and the cut lines are counted', async () => {
    const rig = makeRig({ scenario: withFaults({ truncateRate: 0.5 }), seed: 3 });
    await drive(rig.world, rig.modem.powerOn());
    const info = await drive(rig.world, rig.modem.register(CONFIG));
    await drive(rig.world, rig.modem.activate());
    expect(info.iccid).toBe(SIM.iccid);
    expect(info.imei).toBe('864475041522664');
    expect(rig.modem.state()).toBe('registered');
    expect(rig.emulator.stats.linesTruncated).toBeGreaterThan(0);
  });

  test('slow replies within the command timeouts only make the session longer', async () => {
    const fast = makeRig();
    await drive(fast.world, fast.modem.powerOn());
    await drive(fast.world, fast.modem.register(CONFIG));
    const slow = makeRig({ scenario: withFaults({ slowReplyMs: 400 }) });
    await drive(slow.world, slow.modem.powerOn());
    await drive(slow.world, slow.modem.register(CONFIG));
    expect(slow.world.now() - START_MS).toBeGreaterThan(fast.world.now() - START_MS + 5_000);
  });

  test.each([400, 1_500])('replies %i ms slow with a socket open: an echo comes back whole, only later', async (slowReplyMs) => {
    const echoEnd = async (rig: Rig): Promise<{ received: number; error: string | undefined; atMs: number }> => {
      await drive(rig.world, rig.modem.powerOn());
      await drive(rig.world, rig.modem.register(CONFIG));
      await drive(rig.world, rig.modem.activate());
      const r = await drive(rig.world, transfer(rig, 4000));
      rig.host.closeAll();
      return { ...r, atMs: rig.world.now() };
    };
    const fast = await echoEnd(makeRig());
    const slow = await echoEnd(makeRig({ scenario: withFaults({ slowReplyMs }) }));
    expect(slow).toMatchObject({ received: 4000, error: undefined });
    expect(slow.atMs).toBeGreaterThan(fast.atMs);
  });

  test('replies slower than the command timeout: the command times out', async () => {
    const rig = makeRig({ scenario: withFaults({ slowReplyMs: 3_000 }) });
    const e = await driveError(rig.world, rig.modem.powerOn());
    expect(isModemError(e, 'timeout')).toBe(true);
    expect(rig.modem.channel.stats.timeouts).toBe(1);
  });
});
