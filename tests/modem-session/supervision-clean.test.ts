/**
 * §5.6.10 supervisionClean run from the INBOX in the middle of a session: the counters restart at
 * the command, and the session, which ends after it, adds only what it did afterwards. The figures
 * the next supervision file reports stay consistent (no more sessions ended than begun, no frames
 * uploaded before the clean).
 */
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { ROOT, inboxFile } from './support';
import { serverSuite } from './server-suite';

const INBOX = `${ROOT}/INBOX/123456`;
const FRAMES = 300;

const suite = serverSuite((rig) => rig.config.copyUploaded());

test('a supervisionClean in the INBOX leaves one session begun and ended, and none of the uploads made before it', async () => {
  const rig = suite.rig;
  const m = rig.counters.value.modem;
  Object.assign(m, { sessions: 40, sessionsOk: 38, sessionsFailed: 2, filesUploaded: 500, framesUploaded: 9000, onSeconds: 7000, bytesSent: 4_000_000 });
  rig.record(FRAMES);
  suite.ftp.write(`${INBOX}/123456-cmd.bson`, inboxFile({ cmd: { type: 'supervisionClean', cid: 'c1' } }));

  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);

  // The data files went before the INBOX pass, the command's ACK alone after it.
  expect(result).toMatchObject({ ok: true, framesUploaded: FRAMES, inboxFiles: 1 });
  expect(result.filesUploaded).toBeGreaterThan(1);
  expect(m).toMatchObject({ sessions: 1, sessionsOk: 1, sessionsFailed: 0, filesUploaded: 1, framesUploaded: 0 });
  expect(m.onSeconds).toBeLessThanOrEqual(Math.round(result.modemOnMs / 1000));
  expect(m.bytesSent).toBeGreaterThan(0);
  expect(m.bytesSent).toBeLessThan(result.bytesSent);
});

test('a session without supervisionClean adds all of its figures to the counters', async () => {
  const rig = suite.rig;
  const m = rig.counters.value.modem;
  rig.record(FRAMES);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result.ok).toBe(true);
  expect(m).toMatchObject({ sessions: 1, sessionsOk: 1, filesUploaded: result.filesUploaded, framesUploaded: FRAMES, bytesSent: result.bytesSent });
  expect(m.onSeconds).toBe(Math.round(result.modemOnMs / 1000));
});
