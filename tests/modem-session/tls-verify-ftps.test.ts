/**
 * `security.tlsVerify` over FTPS (issue 13 item 8): the session through the BG95 emulator to a real
 * ftp-srv with implicit TLS. The emulator hands the modem's seclevel and CA to Node's TLS, which
 * verifies for real.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { supervisionSection } from '../../protocol/files/supervision';
import { UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { EVENTS } from '../../tasks/log/events';
import { buildSupervision, summarizeModem } from '../../tasks/modem/supervision';
import { FTP_PASS, FTP_USER, serverConfig } from './support';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'modem');
const SERVER_CERT = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'server-cert.pem')));
const OTHER_CA = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'other-ca.pem')));

let ftps: UploadFtpServer;
let ntp: SntpServer;
let rig: UploadRig;

beforeAll(async () => {
  ftps = await startFtpServer({
    user: FTP_USER,
    pass: FTP_PASS,
    tls: { key: fs.readFileSync(path.join(FIXTURES, 'server-key.pem'), 'utf8'), cert: fs.readFileSync(path.join(FIXTURES, 'server-cert.pem'), 'utf8') },
  });
  ntp = await startSntpServer(() => rig.world.now());
});

afterAll(async () => {
  await ftps?.close();
  await ntp?.close();
});

beforeEach(() => {
  rig = new UploadRig();
});

afterEach(() => rig.close());

function configure(tlsVerify?: string): void {
  rig.configure(serverConfig(ftps.port, ntp.port, { tls: true, ...(tlsVerify !== undefined ? { extra: { security: { tlsVerify } } } : {}) }));
}

function warnings(): string[] {
  return rig.events.entries().filter((e) => e.code === EVENTS.tlsUnverified.code).map((e) => e.data ?? '');
}

/** The §5.7 `modem` section the next supervision file carries after this session. */
function supervisionModem(modem: Parameters<typeof summarizeModem>[0] | undefined): Record<string, unknown> {
  const s = buildSupervision({
    identity: rig.identity,
    config: rig.config.current,
    counters: rig.counters.value,
    modem: modem !== undefined ? summarizeModem(modem) : undefined,
    reading: rig.gauge.read(),
    capacityMah: rig.gauge.capacityMah,
    sw: '01.00',
    swBle: '1.0',
    nowSec: 1_700_000_000,
  });
  return supervisionSection(s).modem as Record<string, unknown>;
}

test('with no CA stored (auto) the session uploads over unverified TLS, logs tlsUnverified with the host, and supervision names it', async () => {
  configure();
  rig.record(10);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, framesUploaded: 10 });
  expect(rig.emulator.commandLog).toContain('AT+QSSLCFG="seclevel",1,0');
  expect(warnings()).toEqual(['127.0.0.1 (no CA stored)']);
  expect(result.modem?.tlsUnverified).toBe('127.0.0.1');
  expect(supervisionModem(result.modem)).toMatchObject({ tlsUnverified: '127.0.0.1' });
});

test('with the right CA stored the server is verified: no warning, no supervision field', async () => {
  configure();
  expect(rig.certificates.add('server.pem', SERVER_CERT)).toEqual({ ok: true });
  rig.record(10);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, framesUploaded: 10 });
  expect(rig.emulator.commandLog).toContain('AT+QSSLCFG="seclevel",1,1');
  expect(warnings()).toEqual([]);
  expect(result.modem?.tlsUnverified).toBeUndefined();
  expect(Object.keys(supervisionModem(result.modem))).not.toContain('tlsUnverified');
});

test('a server the stored CA does not sign fails with a certificate error, not "open failed (566)"', async () => {
  configure();
  rig.certificates.add('other.pem', OTHER_CA);
  rig.record(10);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  // The CA is wrong, not the link: no second connection, no back-off retry; a person stores the right CA.
  expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule', ftpAttempts: 1 });
  expect(result.error).toContain('TLS: the server certificate does not verify against the stored CA');
  expect(result.error).not.toContain('566');
  expect(rig.emulator.commandLog.filter((c) => c.startsWith('AT+QSSLOPEN='))).toHaveLength(1);
  expect(warnings()).toEqual([]);
  expect(rig.frames.stats().pendingRecords).toBe(10);
});

test('required with no CA stored refuses before the modem is powered: retry at the next schedule', async () => {
  configure('required');
  rig.record(10);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule', modemOnMs: 0, error: 'no CA stored and security.tlsVerify is required' });
  expect(rig.emulator.commandLog).toEqual([]);
  expect(rig.emulator.commandLog.filter((c) => c.startsWith('AT+QSSLCFG') || c.startsWith('AT+QSSLOPEN') || c.startsWith('AT+QIOPEN=1,0,"TCP"'))).toEqual([]);
  expect(rig.frames.stats().pendingRecords).toBe(10);
});

test('required with the right CA stored connects verified, like auto', async () => {
  configure('required');
  rig.certificates.add('server.pem', SERVER_CERT);
  rig.record(5);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, framesUploaded: 5 });
  expect(warnings()).toEqual([]);
});

test('off with a CA stored does not verify, and says so', async () => {
  configure('off');
  rig.certificates.add('other.pem', OTHER_CA);
  rig.record(5);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, framesUploaded: 5 });
  expect(rig.emulator.commandLog).toContain('AT+QSSLCFG="seclevel",1,0');
  expect(rig.emulator.commandLog.some((c) => c.startsWith('AT+QSSLCFG="cacert"'))).toBe(false);
  expect(warnings()).toEqual(['127.0.0.1 (security.tlsVerify off)']);
  expect(result.modem?.tlsUnverified).toBe('127.0.0.1');
});
