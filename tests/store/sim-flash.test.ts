import type { PowerComponent, PowerSink } from '../../drivers/power/types';
import { FlashProgramError, PowerCutError, SimFlash } from '../../sim/drivers/flash';
import { seededRandom } from './helpers';

const SECTOR = 4096;

class RecordingSink implements PowerSink {
  readonly charges: { component: PowerComponent; state: string; ms: number }[] = [];
  report(): void {}
  charge(component: PowerComponent, state: string, ms: number): void {
    this.charges.push({ component, state, ms });
  }
}

describe('SimFlash: NOR semantics', () => {
  test('a new partition reads erased (0xFF)', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    expect(Array.from(flash.read(0, 4))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(flash.sectorSize).toBe(SECTOR);
  });

  test('program clears bits and may clear more later', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    flash.program(10, Uint8Array.of(0xf0, 0x0f));
    flash.program(10, Uint8Array.of(0x30, 0x0f));
    expect(Array.from(flash.read(10, 2))).toEqual([0x30, 0x0f]);
  });

  test('programming a 0 bit back to 1 is reported and changes nothing', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    flash.program(0, Uint8Array.of(0x00));
    expect(() => flash.program(0, Uint8Array.of(0x01))).toThrow(FlashProgramError);
    expect(flash.read(0, 1)[0]).toBe(0x00);
    expect(flash.counters.violations).toBe(1);
  });

  test("in 'and' mode a 0 -> 1 program stores old AND new, like the chip, and is counted", () => {
    const flash = new SimFlash({ size: 4 * SECTOR, onViolation: 'and' });
    flash.program(0, Uint8Array.of(0x0f));
    flash.program(0, Uint8Array.of(0xf3));
    expect(flash.read(0, 1)[0]).toBe(0x03);
    expect(flash.counters.violations).toBe(1);
  });

  test('erase sets one whole sector to 0xFF and counts wear for that sector only', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    flash.program(SECTOR - 1, Uint8Array.of(0, 0));
    flash.eraseSector(1);
    expect(Array.from(flash.read(SECTOR - 1, 2))).toEqual([0x00, 0xff]);
    expect(Array.from(flash.eraseCounts)).toEqual([0, 1, 0, 0]);
  });

  test('accesses outside the partition are range errors', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    expect(() => flash.read(4 * SECTOR - 1, 2)).toThrow(RangeError);
    expect(() => flash.eraseSector(4)).toThrow(RangeError);
  });

  test('reads are counted in calls and bytes', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    flash.read(0, 32);
    flash.read(100, 10);
    expect(flash.counters.reads).toBe(2);
    expect(flash.counters.bytesRead).toBe(42);
  });
});

describe('SimFlash: power reports (W25Q typical timings)', () => {
  test('a full 256-byte page program is charged 0.7 ms, a sector erase 45 ms', () => {
    const sink = new RecordingSink();
    const flash = new SimFlash({ size: 4 * SECTOR, power: sink });
    flash.program(256, new Uint8Array(256));
    flash.eraseSector(0);
    expect(sink.charges).toEqual([
      { component: 'flash', state: 'program', ms: 0.7 },
      { component: 'flash', state: 'erase', ms: 45 },
    ]);
  });

  test('a short program costs first byte + per-byte time, and a page crossing costs two pages', () => {
    const sink = new RecordingSink();
    const flash = new SimFlash({ size: 4 * SECTOR, power: sink });
    flash.program(0, new Uint8Array(1));
    flash.program(250, new Uint8Array(12));
    expect(sink.charges[0].ms).toBeCloseTo(0.03, 6);
    expect(sink.charges[1].ms).toBeCloseTo(2 * (0.03 + 5 * 0.0025), 6);
  });

  test('reads are charged in the read state', () => {
    const sink = new RecordingSink();
    const flash = new SimFlash({ size: 4 * SECTOR, power: sink });
    flash.read(0, 4096);
    expect(sink.charges[0].state).toBe('read');
    expect(sink.charges[0].ms).toBeCloseTo(0.4101, 4);
  });
});

describe('SimFlash: power-cut injection', () => {
  test('armPowerCut(n) lets n program/erase operations complete and tears the next', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    flash.armPowerCut(2, seededRandom(1));
    flash.program(0, Uint8Array.of(0));
    flash.read(0, 1);
    flash.eraseSector(3);
    expect(() => flash.program(1, Uint8Array.of(0))).toThrow(PowerCutError);
    expect(flash.counters.powerCuts).toBe(1);
    flash.program(2, Uint8Array.of(0));
    expect(flash.counters.powerCuts).toBe(1);
  });

  test('a torn program only clears bits it was asked to clear, and only inside its range', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const flash = new SimFlash({ size: 2 * SECTOR });
      const target = new Uint8Array(64);
      for (let i = 0; i < target.length; i++) target[i] = random.int(0, 255);
      flash.armPowerCut(0, random);
      expect(() => flash.program(100, target)).toThrow(PowerCutError);
      const after = flash.read(0, 2 * SECTOR);
      const outside = after.filter((b, i) => (i < 100 || i >= 164) && b !== 0xff).length;
      const unasked = target.filter((t, i) => (after[100 + i] & t) !== t).length;
      expect([outside, unasked]).toEqual([0, 0]);
    }
  });

  test('a torn program writes a prefix and leaves the rest between old and new', () => {
    let sawPartial = false;
    for (let seed = 1; seed <= 50; seed++) {
      const flash = new SimFlash({ size: SECTOR });
      flash.armPowerCut(0, seededRandom(seed));
      expect(() => flash.program(0, new Uint8Array(200))).toThrow(PowerCutError);
      const b = flash.read(0, 200);
      const zeros = b.filter((x) => x === 0).length;
      if (zeros > 0 && zeros < 200) sawPartial = true;
    }
    expect(sawPartial).toBe(true);
  });

  test('a torn erase only sets bits and stays inside its sector', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const flash = new SimFlash({ size: 3 * SECTOR });
      flash.program(0, new Uint8Array(3 * SECTOR));
      flash.armPowerCut(0, seededRandom(seed));
      expect(() => flash.eraseSector(1)).toThrow(PowerCutError);
      const b = flash.read(0, 3 * SECTOR);
      expect(b.subarray(0, SECTOR).every((x) => x === 0) && b.subarray(2 * SECTOR).every((x) => x === 0)).toBe(true);
      expect(flash.eraseCounts[1]).toBe(1);
    }
  });

  test('a torn erase can leave a sector neither erased nor intact', () => {
    const flash = new SimFlash({ size: SECTOR });
    flash.program(0, new Uint8Array(SECTOR));
    flash.armPowerCut(0, seededRandom(7));
    expect(() => flash.eraseSector(0)).toThrow(PowerCutError);
    const b = flash.read(0, SECTOR);
    expect(b.some((x) => x !== 0xff)).toBe(true);
    expect(b.some((x) => x !== 0x00)).toBe(true);
  });
});

describe('SimFlash: clone', () => {
  test('a clone has the same content and wear, and is independent of the original', () => {
    const flash = new SimFlash({ size: 2 * SECTOR });
    flash.program(5, Uint8Array.of(0x12));
    flash.eraseSector(1);
    const copy = flash.clone();
    copy.program(6, Uint8Array.of(0));
    expect(copy.read(5, 1)[0]).toBe(0x12);
    expect(Array.from(copy.eraseCounts)).toEqual([0, 1]);
    expect(flash.read(6, 1)[0]).toBe(0xff);
    expect(copy.counters.programs).toBe(1);
  });
});
