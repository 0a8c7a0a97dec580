import { benchSupervision } from '../support/supervision';
import type { BsonDocument } from '../../protocol/bson/types';
import { deviceCounters } from '../../sim/run';
import { meterFrame, scriptedAir } from '../support/air';
import { HOUR, installInRun, T0, testSite } from '../support/device';

/**
 * A frame recorded with a malformed upper header reaches the supervision file (§5.7 WmBus) as
 * CptRecFramesHeaderKo, counted within CptRecFrames.
 */
const WINDOW = T0 + 3 * HOUR;
const SECOND = 1000;

/** `meterFrame(1)` (CI 0x7A short header) cut after its access number, L-field set to match. */
function cutShortHeader(): Uint8Array {
  const f = meterFrame(1).slice(0, 12);
  f[0] = f.length - 1;
  return f;
}

test('a frame stored with a cut TPL header is counted in CptRecFramesHeaderKo, after CptRecFrames', async () => {
  const site = testSite({
    preset: { config: { monitoringPeriod: 0, scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] } },
    air: scriptedAir([
      { atMs: WINDOW + 5 * SECOND, frame: cutShortHeader(), mode: 'T1' },
      { atMs: WINDOW + 6 * SECOND, frame: meterFrame(2), mode: 'T1' },
    ]),
  });
  await installInRun(site);
  await site.world.runUntil(WINDOW + HOUR);
  const counters = deviceCounters(site.device)!;
  const section = benchSupervision(counters, WINDOW / SECOND);
  const wmbus = section.WmBus as BsonDocument;
  expect(Object.keys(wmbus).slice(-2)).toEqual(['CptRecFrames', 'CptRecFramesHeaderKo']);
  expect(wmbus).toMatchObject({ CptRecFrames: 2, CptRecFramesHeaderKo: 1, CptRxFramesDecodeKo: 0 });
});
