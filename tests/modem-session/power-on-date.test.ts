/**
 * A new pack restarts the RTC near 1970: the power-on the application stamps then is dated by the
 * first SNTP correction, so the battery estimate (tasks/battery-estimate.ts) knows the pack's age.
 */
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { RIG_START_MS, UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { FTP_PASS, FTP_USER, serverConfig } from './support';

/** The RTC reads 1970-01-01T00:00:10Z at the start of the run. */
const RTC_AT_START_MS = 10_000;

let ftp: UploadFtpServer;
let ntp: SntpServer;
let rig: UploadRig;

beforeAll(async () => {
  ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
  ntp = await startSntpServer(() => rig.world.now());
});
afterAll(async () => {
  await ftp.close();
  await ntp.close();
});
afterEach(() => rig.close());

test('a power-on stamped on the unset clock is moved by the first SNTP correction', async () => {
  rig = new UploadRig({ rtcErrorMs: RTC_AT_START_MS - RIG_START_MS });
  rig.configure(serverConfig(ftp.port, ntp.port));
  rig.counters.value.lastPowerOn = Math.floor(rig.clock.now() / 1000);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result.ok).toBe(true);
  expect(Math.abs(rig.counters.value.lastPowerOn - RIG_START_MS / 1000)).toBeLessThan(5);
});

test('a power-on stamped on a set clock is left alone', async () => {
  rig = new UploadRig({ rtcErrorMs: 3_000 });
  rig.configure(serverConfig(ftp.port, ntp.port));
  const stamped = Math.floor(rig.clock.now() / 1000);
  rig.counters.value.lastPowerOn = stamped;
  await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(rig.counters.value.lastPowerOn).toBe(stamped);
});
