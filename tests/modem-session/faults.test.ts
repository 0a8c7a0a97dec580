/**
 * Faults on the way (§3.1.2.2, §1.6.4): whatever breaks, no frame is lost or uploaded twice, the
 * modem time a failure costs is bounded, and the next session completes the upload.
 */
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { frameKey, serverConfig, serverFrames } from './support';
import { serverSuite } from './server-suite';

/** remote.modem.timeout of serverConfig, seconds. */
const REGISTRATION_TIMEOUT_S = 120;

const suite = serverSuite();

function expectExactlyOnce(recorded: { time: number; rssi: number; frame: Uint8Array }[]): void {
  const { frames } = serverFrames(suite.ftp);
  expect(frames.length).toBe(recorded.length);
  expect(new Set(frames).size).toBe(frames.length);
  expect([...frames].sort()).toEqual(recorded.map(frameKey).sort());
  expect(suite.rig.frames.stats().pendingRecords).toBe(0);
}

test('a socket dropped mid-transfer: one reconnection, then the session fails; nothing is committed that the server lacks, the next session finishes', async () => {
  const recorded = suite.rig.record(300);
  suite.rig.setFaults({ socketDrop: { afterBytes: 4_000 } });
  const first = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA, 8 * 1024);
  expect(first).toMatchObject({ ok: false, retry: 'backoff', ftpAttempts: 2 });
  expect(['upload', 'connect', 'tree']).toContain(first.failedStep);
  // Whatever reached the server is complete and its frames are no longer pending; the rest is.
  const partial = serverFrames(suite.ftp).frames;
  expect(suite.rig.frames.stats().pendingRecords).toBe(300 - partial.length);
  expect(suite.rig.port.status()).toBe(false);

  suite.rig.setFaults({});
  const second = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA, 8 * 1024);
  expect(second.ok).toBe(true);
  expectExactlyOnce(recorded);
  expect(suite.ftp.files().filter((f) => f.endsWith('.tmp') && f.includes('/DATA/')).length).toBeLessThanOrEqual(1);
});

test('registration timeout: the §1.6.4 plan (LTE-M, then 2G alone) within the time limit, then the next session uploads', async () => {
  const recorded = suite.rig.record(100);
  suite.rig.setFaults({ registrationTimeout: true });
  const first = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(first).toMatchObject({ ok: false, failedStep: 'register', retry: 'backoff', filesUploaded: 0 });
  // Two attempts of `timeout` seconds each, plus power-up and power-down.
  expect(first.modemOnMs).toBeGreaterThanOrEqual(2 * REGISTRATION_TIMEOUT_S * 1000);
  expect(first.modemOnMs).toBeLessThan((2 * REGISTRATION_TIMEOUT_S + 120) * 1000);
  expect(suite.rig.emulator.commandLog.filter((c) => c.startsWith('AT+QCFG="nwscanmode",1'))).toHaveLength(1);
  expect(suite.rig.port.status()).toBe(false);
  expect(suite.rig.counters.value.modem).toMatchObject({ sessions: 1, sessionsFailed: 1, lastCnxOk: 0 });
  expect(suite.rig.counters.value.modem.lastCnxKo).toBeGreaterThan(0);

  suite.rig.setFaults({});
  const second = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(second.ok).toBe(true);
  expectExactlyOnce(recorded);
});

test('SIM PIN refused: not retried (the SIM keeps its attempts), waits for a configuration; then everything goes up', async () => {
  const recorded = suite.rig.record(60);
  suite.rig.configure({ config: { remote: { modem: { cpin: '9999' } } } });
  const first = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(first).toMatchObject({ ok: false, failedStep: 'register', retry: 'schedule' });
  expect(first.error).toMatch(/sim-pin-refused/);
  expect(suite.rig.emulator.simPinAttempts()).toBe(2);

  // The same wrong PIN is never sent again: the session stops at once, the SIM keeps 2 attempts.
  const second = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(second).toMatchObject({ ok: false, failedStep: 'register', retry: 'schedule' });
  expect(second.error).toMatch(/sim-pin-blocked/);
  expect(suite.rig.emulator.simPinAttempts()).toBe(2);
  expect(second.modemOnMs).toBeLessThan(30_000);

  // The installer sets the right PIN locally (USB/BLE).
  suite.rig.configure({ config: { remote: { modem: { cpin: '1234' } } } });
  const third = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(third.ok).toBe(true);
  expectExactlyOnce(recorded);
});

test('a power cut during the upload (after a server rename, before the device saw it): the next boot uploads the rest, nothing twice', async () => {
  const recorded = suite.rig.record(300);
  const session = suite.rig.newSession('schedule', FTP_UPLOAD_DATA, 4 * 1024);
  void session.run();
  await suite.rig.runUntil(() => suite.ftp.files().some((f) => f.includes('/DATA/') && f.endsWith('-data.bson')), 3_600_000);
  expect(session.step).toBe('upload');
  // Power fails: the modem loses its supply, the MCU reboots with only what is persistent.
  suite.rig.port.setSupply(false);
  suite.rig.boot();
  await suite.rig.world.runUntil(suite.rig.world.now() + 60_000);

  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA, 4 * 1024);
  expect(result.ok).toBe(true);
  expectExactlyOnce(recorded);
});

test('no FTP server configured: the modem is not even powered', async () => {
  suite.rig.configure({ config: { remote: { ftp: { addr: null } } } });
  suite.rig.record(5);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule', modemOnMs: 0 });
  expect(suite.rig.port.stats.powerOnPresses).toBe(0);
});

test('a wrong FTP password: the session fails at connect and waits for the schedule (no back-off retries)', async () => {
  suite.rig.configure({ config: { remote: { ftp: { pass: 'wrong' } } } });
  suite.rig.record(5);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule', ftpAttempts: 1 });
  expect(suite.rig.frames.stats().pendingRecords).toBe(5);
});

describe('deregisterOnLocalAction (§4.2.3.1)', () => {
  test('a session the magnet started leaves the network (AT+COPS=2) before the modem goes off', async () => {
    suite.rig.configure(serverConfig(suite.ftp.port, suite.ntp.port, { extra: { remote: { modem: { deregisterOnLocalAction: true } } } }));
    const result = await suite.rig.runSession('magnet', FTP_UPLOAD_DATA);
    expect(result.ok).toBe(true);
    expect(suite.rig.emulator.commandLog).toContain('AT+COPS=2');
  });

  test('a scheduled session does not deregister, nor does a magnet session with the option off', async () => {
    suite.rig.configure(serverConfig(suite.ftp.port, suite.ntp.port, { extra: { remote: { modem: { deregisterOnLocalAction: true } } } }));
    await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    suite.rig.configure(serverConfig(suite.ftp.port, suite.ntp.port, { extra: { remote: { modem: { deregisterOnLocalAction: false } } } }));
    await suite.rig.runSession('magnet', FTP_UPLOAD_DATA);
    expect(suite.rig.emulator.commandLog).not.toContain('AT+COPS=2');
  });
});
