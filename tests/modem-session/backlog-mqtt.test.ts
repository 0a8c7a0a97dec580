/**
 * MQTT with the bson format (docs/mqtt.md): the frames go as §5.3 data files, so a backlog larger
 * than the file partition is written, published and deleted in turn within one connection, oldest
 * first, as over FTP (tests/modem-session/backlog.test.ts). Real mosquitto, npm bson.
 */
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { RIG_UID, UploadRig } from '../../sim/upload/rig.node';
import { frameKey, readHubFile } from './support';
import { mqttConfig, mqttSuite } from './mqtt-suite';

const FILES_BYTES = 64 * 1024;
const FRAME_FLASH_BYTES = 512 * 1024;
const BACKLOG_FRAMES = 3000;

const suite = mqttSuite((rig, s) => {
  rig.close();
  s.rig = new UploadRig({ filesCapacity: FILES_BYTES, flashBytes: FRAME_FLASH_BYTES });
  s.rig.configure(mqttConfig(s.broker.port, s.ntp.port, { format: 'bson' }));
});

async function settled(): Promise<void> {
  // The last PUBACKed publications reach the head-end a few real ms after the box saw its PUBACK.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

test('a backlog larger than the file partition is published in one connection, oldest first, each frame once', async () => {
  const recorded = suite.rig.record(BACKLOG_FRAMES);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();

  expect(result).toMatchObject({ ok: true, framesUploaded: BACKLOG_FRAMES });
  const files = suite.observer.messages.filter((m) => m.topic === `wmbus/${RIG_UID}/data`);
  expect(files.reduce((n, f) => n + f.payload.length, 0)).toBeGreaterThan(2 * FILES_BYTES);
  const seen: string[] = [];
  for (const f of files) {
    const doc = readHubFile('data.bson', f.payload) as { data: { T: number; R: number; F: { buffer: Uint8Array } }[] };
    for (const d of doc.data) seen.push(`${d.T}/${d.R}/${Buffer.from(d.F.buffer).toString('hex')}`);
  }
  expect(seen).toEqual(recorded.map(frameKey));
  expect(suite.rig.frames.stats().pendingRecords).toBe(0);
  expect(suite.rig.outbox.list()).toEqual([]);
});
