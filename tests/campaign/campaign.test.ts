/**
 * A short reliability campaign on the test path (.ci/run runs `npm test`): power cuts in every store
 * and at instants, each network fault alone, and fuzzing of every parser. It fails on a lost or
 * duplicated frame, a configuration corrupt or half applied, a boot that failed, or a parser crash.
 */
import { runCampaign, type CampaignResult } from '../../sim/campaign/main.node';

const SHORT = { powerCuts: 24, faults: 8, fuzz: 12_000, seed: 1 };
/** 30 to 40 s on a loaded 2-core machine; the bound is for a stalled run, not a speed check. */
const CAMPAIGN_TIMEOUT_MS = 120_000;

let result: CampaignResult;

beforeAll(async () => {
  result = await runCampaign(SHORT, () => undefined);
}, CAMPAIGN_TIMEOUT_MS);

describe('a short reliability campaign', () => {
  test('makes every power cut it plans, tearing writes in the frame store, the settings and the files', () => {
    expect(result.powerCuts.made).toBe(SHORT.powerCuts);
    expect(result.powerCuts.tornWrites['frame-store']).toBeGreaterThan(0);
    expect(result.powerCuts.tornWrites.settings).toBeGreaterThan(0);
    expect(result.powerCuts.tornWrites.files).toBeGreaterThan(0);
  });

  test('loses no frame the store had made durable before a cut', () => {
    expect(result.powerCuts.framesStored).toBeGreaterThan(0);
    expect(result.powerCuts.framesLost).toBe(0);
  });

  test('leaves no configuration corrupt or half applied after a cut', () => {
    expect(result.powerCuts.byKind['configuration write']).toBeGreaterThan(0);
    expect(result.powerCuts.configurationsCorrupt).toBe(0);
    expect(result.powerCuts.configurationsHalfApplied).toBe(0);
  });

  test('boots again after every cut and runs the next radio window', () => {
    expect(result.powerCuts.bootsFailed).toBe(0);
    expect(result.powerCuts.problems).toEqual([]);
  });

  test('under each network fault alone, the server gets every stored frame at most once', () => {
    const f = result.faults;
    expect(f?.sites).toBe(SHORT.faults);
    expect(f?.uploadedOnce).toBeGreaterThan(0);
    expect(f?.lost).toBe(0);
    expect(f?.duplicated).toBe(0);
    expect(f?.unknown).toBe(0);
  });

  test('a server refusing uploads and renames with 550 loses and duplicates nothing either', () => {
    const site = result.faults?.perSite.find((p) => p.faults === 'FTP server errors');
    expect(site?.serverRefusals).toBeGreaterThan(0);
    expect(site?.lost).toBe(0);
    expect(site?.duplicated).toBe(0);
    expect(site?.uploadedOnce).toBeGreaterThan(0);
  });

  test('no network fault makes the modem retry without bound', () => {
    expect(result.faults?.retryStorms).toBe(0);
    expect(result.faults?.problems).toEqual([]);
  });

  test('runs the same site and seed twice under load and gets the same bytes', () => {
    expect(result.determinism.runs).toBe(2);
    expect(result.determinism.hogs).toBeGreaterThan(0);
    expect(result.determinism.difference).toBeUndefined();
    expect(result.determinism.identical).toBe(true);
  });

  test('no parser crashes or hangs on mutated and random input', () => {
    expect(result.fuzz.inputs).toBe(SHORT.fuzz);
    expect(result.fuzz.crashList).toEqual([]);
    expect(result.fuzz.hangs).toBe(0);
  });
});
