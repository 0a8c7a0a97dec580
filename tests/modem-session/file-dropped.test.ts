/**
 * The modem task's outbox on the board's FileStore: a file it cannot write is counted
 * (counters.modem.filesDropped, supervision counters.filesDropped) and logged (fileDropped), never
 * only a console line; one that finds the partition full of data files takes their room, since the
 * frame store still holds their records.
 */
import { UploadRig } from '../../sim/upload/rig.node';
import { EVENTS } from '../../tasks/log/events';
import { ModemTask } from '../../tasks/modem/task';
import { DEFAULT_MAX_DATA_FILE_BYTES } from '../../tasks/outbox';
import { Scheduler } from '../../tasks/scheduler';

const FILES_BYTES = 64 * 1024;
const FRAMES = 3000;
/** About 30 KB of log: more than the room data files leave free. */
const LOG_ENTRIES = 130;
const LOG_TEXT = 'y'.repeat(200);

let rig: UploadRig;

afterEach(() => rig.close());

function task(): ModemTask {
  rig = new UploadRig({ filesCapacity: FILES_BYTES, flashBytes: 512 * 1024 });
  const board = rig.board();
  return new ModemTask({
    board,
    host: new Scheduler(board.clock, board.power, board.powerSink, board.watchdog),
    config: rig.config,
    counters: rig.counters,
    frames: rig.frames,
    log: rig.events,
    modem: rig.modem,
    hooks: { ...rig.appEffects(), held: () => false, restart: () => undefined, onSessionEnd: () => undefined },
    versions: { sw: '01.00', swBle: '1.0' },
  });
}

function bigLog(t: ModemTask) {
  return t.outbox.add('log', 'schedule', (h) => ({ uid: h.uid, source: h.source, TS: h.timeSec, log: Array.from({ length: LOG_ENTRIES }, (_, i) => ({ T: i, C: 1, D: LOG_TEXT })) }));
}

test('a log file that does not fit the file partition at all is counted and logged as dropped', () => {
  const t = task();
  rig.files.write('filler', new Uint8Array(FILES_BYTES - 8 * 1024));
  const added = bigLog(t);

  expect(added.ok).toBe(false);
  expect(rig.counters.value.modem.filesDropped).toBe(1);
  const logged = rig.events.entries().filter((e) => e.code === EVENTS.fileDropped.code);
  expect(logged).toHaveLength(1);
  expect(logged[0].data).toMatch(/-log\.bson: files: no space/);
});

test('a log file that finds the partition full of data files takes their room and nothing is counted as dropped', () => {
  const t = task();
  rig.record(FRAMES);
  const prepared = t.outbox.prepareData(rig.frames, DEFAULT_MAX_DATA_FILE_BYTES, 'schedule');
  expect(prepared.more).toBe(true);
  const added = bigLog(t);

  expect(added.ok).toBe(true);
  expect(t.outbox.list().filter((f) => f.kind === 'data').length).toBeLessThan(prepared.files);
  expect(rig.counters.value.modem.filesDropped).toBe(0);
  expect(rig.frames.stats().pendingRecords).toBe(FRAMES);
});
