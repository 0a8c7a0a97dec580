/**
 * `security.tlsVerify` over MQTTS (issue 13 item 8): the session through the BG95 emulator to a
 * real mosquitto whose TLS listener has a CA made for the run; Node's TLS verifies for real.
 */
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { startMosquitto } from '../../sim/servers/mosquitto.node';
import { EVENTS } from '../../tasks/log/events';
import { mqttConfig, mqttSuite } from './mqtt-suite';

const suite = mqttSuite();

function configure(tlsVerify?: string): void {
  const doc = mqttConfig(suite.broker.tlsPort as number, suite.ntp.port, { tls: true, addr: 'localhost' });
  if (tlsVerify !== undefined) (doc.config as Record<string, unknown>).security = { tlsVerify };
  suite.rig.configure(doc);
}

function storeCa(pem: string): void {
  expect(suite.rig.certificates.add('ca.pem', new Uint8Array(Buffer.from(pem)))).toEqual({ ok: true });
}

function warnings(): string[] {
  return suite.rig.events.entries().filter((e) => e.code === EVENTS.tlsUnverified.code).map((e) => e.data ?? '');
}

test('MQTTS with no CA stored (auto) publishes unverified, logs tlsUnverified with the broker host, and the modem info names it', async () => {
  configure();
  suite.rig.record(5);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, framesUploaded: 5 });
  expect(warnings()).toEqual(['localhost (no CA stored)']);
  expect(result.modem?.tlsUnverified).toBe('localhost');
});

test('MQTTS with the broker CA stored is verified: no warning, no tlsUnverified', async () => {
  configure();
  storeCa(suite.broker.caPem as string);
  suite.rig.record(5);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, framesUploaded: 5 });
  expect(warnings()).toEqual([]);
  expect(result.modem?.tlsUnverified).toBeUndefined();
});

test('MQTTS with another CA stored fails at connect with a certificate error, not "open failed (566)"', async () => {
  const other = await startMosquitto({ tls: true });
  try {
    configure();
    storeCa(other.caPem as string);
    suite.rig.record(5);
    const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule' });
    expect(result.error).toContain('TLS: the server certificate does not verify against the stored CA');
    expect(result.error).not.toContain('566');
    expect(suite.rig.emulator.commandLog.filter((c) => c.startsWith('AT+QSSLOPEN='))).toHaveLength(1);
    expect(suite.rig.frames.stats().pendingRecords).toBe(5);
  } finally {
    await other.stop();
  }
});

test('MQTTS required with no CA stored is refused: nothing opened towards the broker, retry at the next schedule', async () => {
  configure('required');
  suite.rig.record(5);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule', modemOnMs: 0, error: 'no CA stored and security.tlsVerify is required' });
  expect(suite.rig.emulator.commandLog).toEqual([]);
  expect(suite.observer.messages).toEqual([]);
  expect(suite.rig.frames.stats().pendingRecords).toBe(5);
});

test('MQTTS off with the broker CA stored connects unverified and warns', async () => {
  configure('off');
  storeCa(suite.broker.caPem as string);
  suite.rig.record(5);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, framesUploaded: 5 });
  expect(suite.rig.emulator.commandLog).toContain('AT+QSSLCFG="seclevel",1,0');
  expect(warnings()).toEqual(['localhost (security.tlsVerify off)']);
  expect(result.modem?.tlsUnverified).toBe('localhost');
});
