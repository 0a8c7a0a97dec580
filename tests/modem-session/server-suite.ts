import * as fs from 'node:fs';
import * as path from 'node:path';
import { UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { FTP_PASS, FTP_USER, ROOT, serverConfig } from './support';

/** The running servers and this test's rig, valid inside tests. */
export interface ServerSuite {
  readonly ftp: UploadFtpServer;
  readonly ntp: SntpServer;
  readonly rig: UploadRig;
}

/**
 * Registers the hooks of a suite against real local servers: one ftp-srv and one SNTP server (on
 * the rig's virtual clock) for the file, and per test an empty site folder and a fresh rig
 * configured for them; `prepare` adjusts that rig.
 */
export function serverSuite(prepare?: (rig: UploadRig) => void): ServerSuite {
  const s = {} as { ftp: UploadFtpServer; ntp: SntpServer; rig: UploadRig };
  beforeAll(async () => {
    s.ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
    s.ntp = await startSntpServer(() => s.rig.world.now());
  });
  afterAll(async () => {
    await s.ftp?.close();
    await s.ntp?.close();
  });
  beforeEach(() => {
    fs.rmSync(path.join(s.ftp.root, ROOT.split('/')[1]), { recursive: true, force: true });
    s.rig = new UploadRig();
    s.rig.configure(serverConfig(s.ftp.port, s.ntp.port));
    prepare?.(s.rig);
  });
  afterEach(() => s.rig.close());
  return s;
}
