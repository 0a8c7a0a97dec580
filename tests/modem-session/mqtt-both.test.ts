/**
 * `remote.transport` `both` (docs/configuration.md): one session publishes the frames over MQTT,
 * then runs the manual's FTP session for the other files and the INBOX.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FTP_UPLOAD_DATA, FTP_UPLOAD_SUPERVISION } from '../../protocol/config/types';
import { decodeContainer } from '../../protocol/mqtt/lansen-decode';
import { startFtpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { FTP_PASS, FTP_USER, inboxFile, ROOT, serverConfig } from './support';
import { mqttConfig, mqttSuite, TOPICS } from './mqtt-suite';

let ftp: UploadFtpServer;
beforeAll(async () => {
  ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
});
afterAll(async () => {
  await ftp.close();
});

const suite = mqttSuite((rig, s) => {
  fs.rmSync(path.join(ftp.root, ROOT.split('/')[1]), { recursive: true, force: true });
  rig.configure(serverConfig(ftp.port, s.ntp.port));
  rig.configure(mqttConfig(s.broker.port, s.ntp.port, {}, 'both'));
});

function containersAtBroker(): number {
  return suite.observer.messages.filter((m) => m.topic === TOPICS.data && decodeContainer(m.payload).ok).length;
}

function serverFiles(directory: string): string[] {
  return ftp.files().filter((f) => f.startsWith(`${ROOT}/${directory}/`) && !f.endsWith('.tmp'));
}

test('the frames go to the broker and not to /DATA; the supervision file goes to the FTP server', async () => {
  suite.rig.record(120);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(result).toMatchObject({ ok: true, framesUploaded: 120 });
  expect(containersAtBroker()).toBe(120);
  expect(serverFiles('DATA')).toEqual([]);
  expect(serverFiles('SUPERVISION')).toHaveLength(1);
  expect(suite.observer.messages.filter((m) => m.topic.endsWith('/supervision'))).toEqual([]);
});

test('the FTP INBOX is still read: a configuration there is applied and acknowledged in /ALARM', async () => {
  ftp.write(`${ROOT}/INBOX/123456/123456-cfg.bson`, inboxFile({ config: { name: 'both ways' } }));
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: true, inboxFiles: 1 });
  expect(suite.rig.config.current.name).toBe('both ways');
  expect(serverFiles('ALARM').some((f) => f.endsWith('-ack.bson'))).toBe(true);
});

test('a broker out of reach fails the session (back-off) but FTP still carries the files; the frames wait for the broker', async () => {
  suite.rig.configure({ config: { remote: { mqtt: { port: 1 } } } });
  suite.rig.record(30);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION);
  expect(result).toMatchObject({ ok: false, retry: 'backoff' });
  expect(serverFiles('SUPERVISION')).toHaveLength(1);
  expect(suite.rig.frames.stats().pendingRecords).toBe(30);
});
