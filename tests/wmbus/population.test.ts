import { parseHeader } from '../../protocol/wmbus/header';
import { decodePhy, packetLength } from '../../protocol/wmbus/phy';
import { createPopulation } from '../../sim/radio/population';
import { meterFrames } from '../../sim/radio/meter-frames';
import { createRandom } from '../../sim/world/random';
import { hex } from './corpus';

const HOUR_MS = 3_600_000;

function population(spec: Parameters<typeof createPopulation>[0], seed = 1) {
  return createPopulation(spec, createRandom(seed));
}

describe('simulated meter population', () => {
  test('the built-in table holds 23 real CRC-free frames with L = length - 1', () => {
    const frames = meterFrames();
    expect(frames.length).toBe(23);
    for (const f of frames) expect(f[0]).toBe(f.length - 1);
  });

  test('the same seed gives the same meters and telegrams', () => {
    const a = population({ meters: 50 });
    const b = population({ meters: 50 });
    expect(a.meters.map((m) => m.id)).toEqual(b.meters.map((m) => m.id));
    expect(a.transmissions(0, 300_000).map((t) => hex(t.stream))).toEqual(b.transmissions(0, 300_000).map((t) => hex(t.stream)));
  });

  test('meter ids are unique and written into every frame kind', () => {
    const p = population({ meters: 300, twoFrameKinds: 0.5 });
    expect(new Set(p.meters.map((m) => m.id)).size).toBe(300);
    for (const m of p.meters) {
      for (const f of m.frames) {
        const h = parseHeader(f);
        expect(h.ok && [h.header.meter.id, hex(h.header.identity)]).toEqual([m.id, hex(m.identity)]);
      }
    }
  });

  test('some meters alternate two frame kinds of different size', () => {
    const p = population({ meters: 100, twoFrameKinds: 0.5 });
    const two = p.meters.filter((m) => m.frames.length === 2);
    expect(two.length).toBeGreaterThan(20);
    for (const m of two) expect(m.frames[0].length).not.toBe(m.frames[1].length);
  });

  test('all four link modes occur and S1 meters transmit on the S1 PHY', () => {
    const p = population({ meters: 200 });
    expect(new Set(p.meters.map((m) => m.linkMode))).toEqual(new Set(['T1', 'C1A', 'C1B', 'S1']));
    for (const m of p.meters) expect(m.phy).toBe(m.linkMode === 'S1' ? 'S1' : 'T1C1');
  });

  test('without collisions or bit errors every telegram decodes to its meter in its link mode', () => {
    const p = population({ meters: 100, collisions: false });
    const txs = p.transmissions(0, 600_000);
    expect(txs.length).toBeGreaterThan(500);
    for (const t of txs) {
      const m = p.meters[t.meterIndex];
      const r = decodePhy(t.stream, t.phy);
      expect(r.ok && r.mode).toBe(m.linkMode);
      const h = r.ok ? parseHeader(r.frame) : undefined;
      expect(h?.ok && h.header.meter.id).toBe(m.id);
      expect(packetLength(t.stream.subarray(0, 4), t.phy)).toBe(t.stream.length);
    }
  });

  test('a window split in two gives the same telegrams as the whole window', () => {
    const p = population({ meters: 80, bitErrorRate: 1e-3 });
    const whole = p.transmissions(HOUR_MS, HOUR_MS + 120_000);
    const parts = [...p.transmissions(HOUR_MS, HOUR_MS + 50_000), ...p.transmissions(HOUR_MS + 50_000, HOUR_MS + 120_000)];
    expect(parts.map((t) => [t.atMs, t.meterIndex, hex(t.stream)])).toEqual(whole.map((t) => [t.atMs, t.meterIndex, hex(t.stream)]));
  });

  test('telegrams are ordered by start time and each meter keeps roughly its interval', () => {
    const p = population({ meters: 20, jitter: 0.1, intervalMs: { min: 30_000, max: 30_000 } });
    const txs = p.transmissions(0, 20 * 30_000);
    for (let i = 1; i < txs.length; i++) expect(txs[i].atMs).toBeGreaterThanOrEqual(txs[i - 1].atMs);
    const first = txs.filter((t) => t.meterIndex === 0);
    for (let i = 1; i < first.length; i++) {
      const gap = first[i].atMs - first[i - 1].atMs;
      expect(gap).toBeGreaterThanOrEqual(30_000 * 0.8);
      expect(gap).toBeLessThanOrEqual(30_000 * 1.2);
    }
  });

  test('air time follows the chip rate: an S1 telegram lasts longer than the same frame in T1', () => {
    const frames = [meterFrames()[3]];
    const s1 = population({ meters: 1, frames, linkModes: { T1: 0, C1A: 0, C1B: 0, S1: 1 } }).transmissions(0, 200_000)[0];
    const t1 = population({ meters: 1, frames, linkModes: { T1: 1, C1A: 0, C1B: 0, S1: 0 } }).transmissions(0, 200_000)[0];
    // 47 bytes + 4 CRCs = 55 on air: T1 = (48 + 8·83) chips at 100 kchip/s, S1 = (576 + 8·110) chips at 32.768 kchip/s.
    expect(t1.durationMs).toBeCloseTo(7.12, 6);
    expect(s1.durationMs).toBeCloseTo(1456 / 32.768, 6);
  });

  test('RSSI falls with distance (log-distance path loss)', () => {
    const p = population({ meters: 400, pathLoss: { shadowingSdDb: 0 } });
    const near = p.meters.filter((m) => m.distanceM < 50).map((m) => m.meanRssiDbm);
    const far = p.meters.filter((m) => m.distanceM > 300).map((m) => m.meanRssiDbm);
    expect(Math.min(...near)).toBeGreaterThan(Math.max(...far));
    // 10 dBm − 31.2 dB − 28·log10(100) = −77.2 dBm at 100 m.
    const m100 = p.meters.reduce((a, b) => (Math.abs(b.distanceM - 100) < Math.abs(a.distanceM - 100) ? b : a));
    expect(m100.meanRssiDbm).toBeCloseTo(10 - 31.2 - 28 * Math.log10(m100.distanceM), 6);
  });

  test('overlapping telegrams on one channel are marked collided and fail their CRC or coding', () => {
    const p = population({ meters: 400, intervalMs: { min: 2_000, max: 4_000 }, captureDb: 100 });
    const txs = p.transmissions(0, 60_000);
    const collided = txs.filter((t) => t.collided);
    expect(collided.length).toBeGreaterThan(10);
    const failed = collided.filter((t) => !decodePhy(t.stream, t.phy).ok);
    expect(failed.length).toBeGreaterThan(collided.length / 2);
  });

  test('a stronger telegram captures the channel: only the weaker one is corrupted', () => {
    const p = population({ meters: 400, intervalMs: { min: 2_000, max: 4_000 }, captureDb: 3 });
    const txs = p.transmissions(0, 60_000);
    // Away from the window edges, where an interferer may lie outside the list.
    for (const t of txs.filter((x) => x.collided && x.atMs > 1_000 && x.atMs < 59_000)) {
      const stronger = txs.filter(
        (o) => o !== t && o.phy === t.phy && o.atMs < t.atMs + t.durationMs && t.atMs < o.atMs + o.durationMs && o.rssiDbm > t.rssiDbm - 3,
      );
      expect(stronger.length).toBeGreaterThan(0);
    }
  });

  test('the bit error rate flips chips and the decoder rejects the damaged telegrams', () => {
    const p = population({ meters: 100, collisions: false, bitErrorRate: 2e-3 });
    const txs = p.transmissions(0, 300_000);
    const damaged = txs.filter((t) => t.bitErrors > 0);
    expect(damaged.length).toBeGreaterThan(txs.length / 4);
    expect(txs.filter((t) => t.bitErrors === 0).every((t) => decodePhy(t.stream, t.phy).ok)).toBe(true);
  });
});
