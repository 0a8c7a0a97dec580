import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Network, StreamSocket, TlsOptions } from '../../protocol/ports/network';
import { BASE_SCENARIO, CONFIG, FIXTURES, drive, makeRig, pattern, startEchoServers, type EchoServers } from './harness';

let servers: EchoServers;
beforeAll(async () => {
  servers = await startEchoServers();
});
afterAll(async () => {
  await servers.close();
});

/** Writes `payload` as fast as the socket accepts it and resolves once the echo came back whole. */
function echo(network: Network, address: string, port: number, payload: Uint8Array, tls?: TlsOptions): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const got: number[] = [];
    let socket: StreamSocket | undefined = undefined;
    const pushMore = (free: number): void => {
      while (socket !== undefined && sent < payload.length && free > 0) {
        const n = Math.min(free, payload.length - sent, 1000);
        free = socket.write(payload.subarray(sent, sent + n));
        sent += n;
      }
    };
    socket = network.openStream({
      address,
      port,
      ...(tls !== undefined ? { tls } : {}),
      onWritable: (free) => pushMore(free),
      onReadable: () => {
        for (let b = socket?.read(); b !== undefined; b = socket?.read()) got.push(...b);
        if (got.length >= payload.length) {
          socket?.close();
          resolve(Uint8Array.from(got));
        }
      },
      onError: (m) => reject(new Error(m)),
    });
  });
}

test('power on, register, activate, echo over TCP, close, power off', async () => {
  const rig = makeRig();
  const { world, modem, emulator } = rig;
  await drive(world, modem.powerOn());
  expect(modem.state()).toBe('on');
  const info = await drive(world, modem.register(CONFIG));
  expect(info).toMatchObject({
    imei: '864475041522664',
    iccid: '89330123456789012345',
    num: '+33612345678',
    operator: 'Orange F Things Mobile',
    technology: 'LTE-M',
    mode: 'auto',
    nwinfo: '"eMTC","20801","LTE BAND 20",6400',
    firmware: 'BG95M3LAR02A03_01.005.01.005',
    rssi: -57,
    quality: { rssi: -57, rsrp: -79, rsrq: -13, sinr: 12 },
  });
  const address = await drive(world, modem.activate());
  expect(address).toMatch(/^10\.\d+\.\d+\.\d+$/);

  const payload = pattern(5000);
  const back = await drive(world, echo(modem.network(), '127.0.0.1', servers.tcpPort, payload));
  expect(back).toEqual(payload);
  await world.runUntil(world.now() + 1000);
  expect(emulator.commandLog.some((c) => c.startsWith('AT+QICLOSE='))).toBe(true);

  await drive(world, modem.powerOff());
  expect(modem.state()).toBe('off');
  expect(rig.port.status()).toBe(false);
  expect(rig.port.supplyOn()).toBe(false);
  expect(rig.modem.stats.forcedPowerOffs).toBe(0);
  rig.host.closeAll();
});

async function online(rig: ReturnType<typeof makeRig>): Promise<void> {
  await drive(rig.world, rig.modem.powerOn());
  await drive(rig.world, rig.modem.register(CONFIG));
  await drive(rig.world, rig.modem.activate());
}

test('UDP datagrams round-trip through a local dgram echo', async () => {
  const rig = makeRig();
  await online(rig);
  const got = await drive(
    rig.world,
    new Promise<{ bytes: Uint8Array; address: string; port: number }[]>((resolve, reject) => {
      const out: { bytes: Uint8Array; address: string; port: number }[] = [];
      const socket = rig.modem.network().openDatagram({
        onReadable: () => {
          for (let d = socket.read(); d !== undefined; d = socket.read()) out.push(d);
          if (out.length === 2) {
            socket.close();
            resolve(out);
          }
        },
        onError: (m) => reject(new Error(m)),
      });
      socket.write(Uint8Array.of(1, 2, 3), '127.0.0.1', servers.udpPort);
      socket.write(pattern(48), 'localhost', servers.udpPort);
    }),
  );
  expect(got.map((d) => [...d.bytes])).toEqual([[1, 2, 3], [...pattern(48)]]);
  expect(got[0]).toMatchObject({ address: '127.0.0.1', port: servers.udpPort });
  expect(rig.emulator.commandLog.filter((c) => /^AT\+QISEND=\d,\d+,"127\.0\.0\.1",\d+$/.test(c))).toHaveLength(2);
  rig.host.closeAll();
});

test('TLS to a local server with a self-signed certificate, verified against the stored CA', async () => {
  const rig = makeRig();
  await online(rig);
  const ca = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'server-cert.pem')));
  const payload = pattern(3000);
  const back = await drive(rig.world, echo(rig.modem.network(), 'localhost', servers.tlsPort, payload, { ca, serverName: 'localhost' }));
  expect(back).toEqual(payload);
  const log = rig.emulator.commandLog;
  expect(log).toContain(`AT+QFUPL="UFS:wmbus_ca.pem",${ca.length},6`);
  expect(log).toContain('AT+QSSLCFG="seclevel",1,1');
  expect(log.some((c) => c.startsWith('AT+QSSLOPEN=1,1,'))).toBe(true);
  expect(log.some((c) => c.startsWith('AT+QSSLSEND='))).toBe(true);
  expect(log.some((c) => c.startsWith('AT+QSSLRECV='))).toBe(true);
  rig.host.closeAll();
});

test('TLS with the wrong CA: the handshake is rejected (+QSSLOPEN -1) and the socket reports a certificate error', async () => {
  const rig = makeRig();
  await online(rig);
  const ca = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'other-ca.pem')));
  const error = await drive(rig.world, echo(rig.modem.network(), 'localhost', servers.tlsPort, pattern(10), { ca, serverName: 'localhost' }).then(
    () => 'no error',
    (e: Error) => e.message,
  ));
  expect(error).toBe('TLS: the server certificate does not verify against the stored CA (handshake failed, -1)');
  expect(rig.emulator.commandLog.some((c) => c.startsWith('AT+QSSLOPEN=1,1,'))).toBe(true);
  rig.host.closeAll();
});

test('DNS: AT+QIDNSGIP answers through the URCs, from the host resolver when the scenario has no entry', async () => {
  const rig = makeRig({ scenario: { ...BASE_SCENARIO, dns: {} } });
  await online(rig);
  const lookup = (host: string): Promise<[string | undefined, string | undefined]> =>
    new Promise((resolve) => rig.modem.network().resolve(host, (e, a) => resolve([e, a])));
  expect(await drive(rig.world, lookup('localhost'))).toEqual([undefined, '127.0.0.1']);
  expect(await drive(rig.world, lookup('10.1.2.3'))).toEqual([undefined, '10.1.2.3']);
  const [error] = await drive(rig.world, lookup('no-such-host.invalid'));
  expect(error).toBe('dns error 565');
  expect(rig.emulator.commandLog.filter((c) => c.startsWith('AT+QIDNSGIP='))).toEqual(['AT+QIDNSGIP=1,"localhost"', 'AT+QIDNSGIP=1,"no-such-host.invalid"']);
  rig.host.closeAll();
});

test('a server that closes after sending: the data is read out first, then onError("closed")', async () => {
  const server = net.createServer((s) => s.end(Buffer.from('220 bye\r\n')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const rig = makeRig();
  await online(rig);
  const events: string[] = [];
  await drive(
    rig.world,
    new Promise<void>((resolve) => {
      const socket = rig.modem.network().openStream({
        address: '127.0.0.1',
        port: (server.address() as net.AddressInfo).port,
        onReadable: () => events.push(`data:${Buffer.from(socket.read() ?? new Uint8Array(0)).toString()}`),
        onError: (m) => {
          events.push(`error:${m}`);
          resolve();
        },
      });
    }),
  );
  expect(events).toEqual(['data:220 bye\r\n', 'error:closed']);
  await rig.world.runUntil(rig.world.now() + 1000);
  expect(rig.emulator.commandLog.filter((c) => c.startsWith('AT+QICLOSE='))).toHaveLength(1);
  expect(rig.modem.sockets().openCount()).toBe(0);
  rig.host.closeAll();
  await new Promise<void>((r) => server.close(() => r()));
});

test('PSM: requested timers are sent, the modem enters PSM, and a PWRKEY wake finds it still registered', async () => {
  const rig = makeRig();
  await online(rig);
  const entered = await drive(rig.world, rig.modem.enterPsm({ periodicTauS: 86_400, activeTimeS: 60 }));
  expect(entered).toBe(true);
  expect(rig.modem.state()).toBe('psm');
  expect(rig.emulator.commandLog).toContain('AT+CPSMS=1,,,"00111000","00011110"');
  expect(rig.port.status()).toBe(false);
  expect(rig.modemPower.states().slice(-1)).toEqual(['psm']);
  await rig.world.runUntil(rig.world.now() + 3_600_000);
  await drive(rig.world, rig.modem.powerOn());
  expect(rig.modem.state()).toBe('registered');
  const address = await drive(rig.world, rig.modem.activate());
  expect(address).toMatch(/^10\./);
  expect(rig.emulator.stats.attaches).toBe(1);
  await drive(rig.world, rig.modem.powerOff());
  rig.host.closeAll();
});

describe('§4.2.3.1 settings', () => {
  test('operatorInit runs once per SIM and list; resetOperatorSelection (§5.6.7) makes it run again', async () => {
    const rig = makeRig();
    const config = { ...CONFIG, operatorInit: ['AT+QCFG="roamservice",2,1', 'AT+CGDCONT=1,"IP","iot.test"'] };
    const ran = (): number => rig.emulator.commandLog.filter((c) => c === 'AT+QCFG="roamservice",2,1').length;
    await drive(rig.world, rig.modem.powerOn());
    await drive(rig.world, rig.modem.register(config));
    expect(ran()).toBe(1);
    await drive(rig.world, rig.modem.powerOff());
    let modem = rig.reboot();
    await drive(rig.world, modem.powerOn());
    await drive(rig.world, modem.register(config));
    expect(ran()).toBe(1);
    await drive(rig.world, modem.resetOperatorSelection());
    expect(rig.emulator.commandLog).toContain('AT+COPS=0');
    await drive(rig.world, modem.powerOff());
    modem = rig.reboot();
    await drive(rig.world, modem.powerOn());
    await drive(rig.world, modem.register(config));
    expect(ran()).toBe(2);
    expect(modem.stats.operatorInitRuns).toBe(1);
  });

  test('settings the modem keeps in NVM (scan mode, bands, APN) are written once, not every session', async () => {
    const rig = makeRig();
    const config = { ...CONFIG, band: [3, 8, 20], user: 'u', pass: 'p' };
    await drive(rig.world, rig.modem.connect(config));
    await drive(rig.world, rig.modem.powerOff());
    const writes = (): string[] => rig.emulator.commandLog.filter((c) => /^AT\+(QCFG="(band|nwscanseq|iotopmode|nwscanmode)",|QICSGP=1,)/.test(c));
    expect(writes()).toEqual([
      'AT+QCFG="band",0xf,0x100002000000000f0e189f,0x80084,1',
      'AT+QICSGP=1,1,"iot.test","u","p",1',
      'AT+QCFG="iotopmode",0,1',
      'AT+QCFG="nwscanseq",0201,1',
    ]);
    rig.emulator.clearLog();
    const modem = rig.reboot();
    await drive(rig.world, modem.connect(config));
    expect(writes()).toEqual([]);
    rig.host.closeAll();
  });

  test('band: an NB-IoT cell outside the allowed bands is not used', async () => {
    const nb = { technology: 'NB-IoT', rssi: -80, rsrp: -100, rsrq: -10, sinr: 5, band: 20, channel: 6300, mccmnc: '20801', operator: 'Orange F' } as const;
    const rig = makeRig({ scenario: { ...BASE_SCENARIO, coverage: [nb] } });
    await drive(rig.world, rig.modem.powerOn());
    const refused = await drive(rig.world, rig.modem.register({ ...CONFIG, mode: 'NB-IoT', band: [3, 8], timeout: 60 }).then(() => 'registered', (e: Error) => e.message));
    expect(refused).toMatch(/^no-coverage/);
    const info = await drive(rig.world, rig.modem.register({ ...CONFIG, mode: 'NB-IoT', band: [20], timeout: 60 }));
    expect(info).toMatchObject({ technology: 'NB-IoT', nwinfo: '"NBIoT","20801","LTE BAND 20",6300', quality: { rssi: -80, rsrp: -100, rsrq: -10, sinr: 5 } });
  });

  test('randomDelay: connect waits a random share of the minutes with the modem off, then powers on', async () => {
    const rig = makeRig({ driver: { random: () => 0.25 } });
    const start = rig.world.now();
    await drive(rig.world, rig.modem.connect({ ...CONFIG, randomDelay: 20 }));
    const firstOn = rig.driverPower.reports[0];
    expect(firstOn.state).toBe('idle');
    expect(firstOn.at - start).toBe(5 * 60_000);
    expect(rig.modemPower.reports[0].at - start).toBeGreaterThanOrEqual(5 * 60_000);
    rig.host.closeAll();
  });

  test('deregister (deregisterOnLocalAction) detaches with AT+COPS=2 and drops to idle', async () => {
    const rig = makeRig();
    await online(rig);
    await drive(rig.world, rig.modem.deregister());
    expect(rig.emulator.registrationStat()).toBe(0);
    expect(rig.modem.state()).toBe('on');
    expect(rig.driverPower.states().slice(-1)).toEqual(['idle']);
  });
});
