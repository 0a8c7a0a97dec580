/** The CC1101 driver against a register-level model of the chip (SWRS061I) behind a fake SPI. */
import { Cc1101 } from '../../drivers/esp32/cc1101';
import type { RadioReceiveHandlers } from '../../drivers/radio/types';
import { ManualClock } from '../fixtures/manual-clock';
import { FakeCc1101, PinBank, RecordingSink } from './esp32-fakes';

const GDO0 = 4;
const GDO2 = 27;
const SIDLE = 0x36;
const SNOP = 0x3d;
const SRES = 0x30;
const SFRX = 0x3a;
const SRX = 0x34;
const SPWD = 0x39;
const PKTLEN = 0x06;
const PKTCTRL0 = 0x08;

interface Received {
  packets: { chips: Uint8Array; rssi: number; at: number }[];
  errors: string[];
  heads: Uint8Array[];
  syncs: number;
}

function rig() {
  const pins = new PinBank();
  const chip = new FakeCc1101(pins, GDO0, GDO2);
  const clock = new ManualClock();
  const sink = new RecordingSink();
  const busy: boolean[] = [];
  const radio = new Cc1101({
    spi: { io: chip.SPI, clock: 18, in: 19, out: 23, select: 5, hz: 5_000_000, port: 2 },
    gdo0: { io: pins.Digital, pin: GDO0 },
    gdo2: { io: pins.Digital, pin: GDO2 },
    clock,
    powerSink: sink,
    delayMs: () => chip.tick(),
    onBusy: (b) => busy.push(b),
  });
  const got: Received = { packets: [], errors: [], heads: [], syncs: 0 };
  const handlers = (lengthOf: (head: Uint8Array) => number): RadioReceiveHandlers => ({
    packetLength: (head) => {
      got.heads.push(head.slice());
      return lengthOf(head);
    },
    onPacket: (chips, rssi, at) => got.packets.push({ chips, rssi, at }),
    onError: (kind) => got.errors.push(kind),
    onSync: () => got.syncs++,
  });
  return { pins, chip, clock, sink, busy, radio, got, handlers };
}

function bytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 37 + seed) & 0xff;
  return b;
}

/** Feeds `chips` in slices, letting the driver answer the GDO interrupts after each slice. */
function onAir(r: ReturnType<typeof rig>, chips: Uint8Array, slice = 8): void {
  r.chip.sync();
  r.pins.deliver();
  for (let i = 0; i < chips.length; i += slice) {
    r.chip.air(chips.subarray(i, i + slice));
    r.pins.deliver();
  }
}

describe('CC1101 SPI configuration', () => {
  test('selects the chip with an active-low CSn in SPI mode 0', () => {
    const r = rig();
    expect(r.chip.options[0]).toMatchObject({ select: 5, active: 0, mode: 0, port: 2, hz: 5_000_000 });
  });

  test('GDO0 interrupts on the rising FIFO threshold, GDO2 on both sync edges', () => {
    const r = rig();
    expect(r.pins.options(GDO0)?.edge).toBe(1);
    expect(r.pins.options(GDO2)?.edge).toBe(3);
  });
});

describe('CC1101 register values per mode (SWRS061I formulas, 26 MHz crystal)', () => {
  test('S1: 868.3 MHz, 32.73 kBaud, 270 kHz filter, 47.6 kHz deviation, sync 0x7696', () => {
    const r = rig();
    r.radio.startReceive('S1', r.handlers(() => -1));
    const regs = Array.from(r.chip.regs.subarray(0x04, 0x06));
    expect(regs).toEqual([0x76, 0x96]);
    expect(Array.from(r.chip.regs.subarray(0x0d, 0x16))).toEqual([0x21, 0x65, 0x6a, 0x6a, 0x4a, 0x06, 0x22, 0xf8, 0x47]);
  });

  test('T1C1: 868.95 MHz, 103 kBaud, 325 kHz filter, 38 kHz deviation, sync 0x543D', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => -1));
    expect(Array.from(r.chip.regs.subarray(0x04, 0x06))).toEqual([0x54, 0x3d]);
    expect(Array.from(r.chip.regs.subarray(0x0d, 0x16))).toEqual([0x21, 0x6b, 0xd0, 0x5c, 0x04, 0x06, 0x22, 0xf8, 0x44]);
  });

  test('GDO2 signals sync/end of packet, GDO0 the RX FIFO threshold of 16 bytes', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => -1));
    expect(r.chip.regs[0x00]).toBe(0x06);
    expect(r.chip.regs[0x02]).toBe(0x00);
    expect(r.chip.regs[0x03]).toBe(0x43);
  });

  test('listens in infinite-length mode and writes TEST2..TEST0 for ≤ 325 kHz filters', () => {
    const r = rig();
    r.radio.startReceive('S1', r.handlers(() => -1));
    expect(r.chip.regs[PKTCTRL0]).toBe(0x02);
    expect(r.chip.regs[PKTLEN]).toBe(0xff);
    expect(Array.from(r.chip.regs.subarray(0x2c, 0x2f))).toEqual([0x81, 0x35, 0x09]);
  });
});

describe('CC1101 strobe sequences', () => {
  test('first receive: wake, reset, wait for the crystal, idle, flush the FIFO, RX', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => -1));
    expect(r.chip.strobes).toEqual([SIDLE, SNOP, SRES, SNOP, SIDLE, SFRX, SRX]);
    expect(r.chip.state).toBe('rx');
    expect(r.sink.last('radio')).toBe('rx');
  });

  test('sleep: IDLE then SPWD, the chip sleeps when CSn rises', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => -1));
    r.chip.strobes.length = 0;
    r.radio.sleep();
    expect(r.chip.strobes).toEqual([SIDLE, SPWD]);
    expect(r.chip.state).toBe('sleep');
    expect(r.sink.last('radio')).toBe('sleep');
  });

  test('receive after sleep wakes the chip with CSn, waits for CHIP_RDYn and reconfigures', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => -1));
    r.radio.sleep();
    r.chip.strobes.length = 0;
    r.chip.regs.fill(0, 0x2c, 0x2f); // TEST registers are lost in SLEEP
    r.radio.startReceive('S1', r.handlers(() => -1));
    expect(r.chip.strobes).toEqual([SNOP, SIDLE, SFRX, SRX]);
    expect(Array.from(r.chip.regs.subarray(0x2c, 0x2f))).toEqual([0x81, 0x35, 0x09]);
    expect(r.chip.state).toBe('rx');
  });

  test('idle: IDLE and a flushed FIFO', () => {
    const r = rig();
    r.radio.startReceive('S1', r.handlers(() => -1));
    r.chip.strobes.length = 0;
    r.radio.idle();
    expect(r.chip.strobes).toEqual([SIDLE, SFRX]);
    expect(r.chip.state).toBe('idle');
    expect(r.sink.last('radio')).toBe('idle');
  });

  test('a bus without a CC1101 (VERSION 0x00) is reported, not configured', () => {
    const r = rig();
    r.chip.version = 0x00;
    expect(() => r.radio.startReceive('S1', r.handlers(() => -1))).toThrow(/no chip/);
  });

  test('events while asleep do not touch the bus (they would wake the chip)', () => {
    const r = rig();
    r.radio.sleep();
    const before = r.chip.strobes.length;
    r.pins.drive(GDO0, 1);
    r.pins.drive(GDO2, 1);
    r.pins.deliver();
    expect(r.chip.strobes.length).toBe(before);
    expect(r.chip.state).toBe('sleep');
  });
});

describe('CC1101 packet length learning', () => {
  test('hands the first 4 chip bytes to packetLength and programs PKTLEN in fixed mode', () => {
    const r = rig();
    const chips = bytes(40);
    r.radio.startReceive('S1', r.handlers(() => 40));
    r.chip.writes.length = 0;
    onAir(r, chips);
    expect(r.got.heads).toEqual([chips.slice(0, 4)]);
    expect(r.chip.writes.slice(0, 2)).toEqual([
      [PKTLEN, 40],
      [PKTCTRL0, 0x00],
    ]);
    expect(r.got.packets.map((p) => Array.from(p.chips))).toEqual([Array.from(chips)]);
  });

  test('the chip stops at the end of the packet and the driver listens again', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => 30));
    onAir(r, bytes(30));
    expect(r.chip.counter).toBe(0);
    expect(r.chip.state).toBe('rx');
    expect(r.chip.regs[PKTCTRL0]).toBe(0x02);
    expect(r.chip.regs[PKTLEN]).toBe(0xff);
    expect(r.busy).toEqual([true, false]);
  });

  test('a packet longer than 256 bytes stays in infinite mode until fewer than 256 remain', () => {
    const r = rig();
    const chips = bytes(580, 7);
    r.radio.startReceive('S1', r.handlers(() => 580));
    r.chip.writes.length = 0;
    r.chip.sync();
    r.pins.deliver();
    let fixedAt = -1;
    for (let i = 0; i < chips.length; i += 8) {
      r.chip.air(chips.subarray(i, i + 8));
      r.pins.deliver();
      if (fixedAt < 0 && r.chip.writes.some(([a, v]) => a === PKTCTRL0 && v === 0)) fixedAt = r.chip.counter;
    }
    expect(r.chip.writes[0]).toEqual([PKTLEN, 580 % 256]);
    expect(fixedAt).toBeGreaterThan(580 - 256);
    expect(r.got.packets).toHaveLength(1);
    expect(Array.from(r.got.packets[0].chips)).toEqual(Array.from(chips));
  });

  test('never reads the last FIFO byte while the receiver runs (SWRZ020)', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => 100));
    r.chip.sync();
    r.pins.deliver();
    r.chip.air(bytes(16));
    r.pins.deliver();
    expect(r.chip.fifo).toHaveLength(1);
  });

  test('a short packet already past its end when serviced is cut in software', () => {
    const r = rig();
    const chips = bytes(18);
    r.radio.startReceive('T1C1', r.handlers(() => 18));
    r.chip.writes.length = 0;
    r.chip.sync();
    r.pins.deliver();
    r.chip.air([...chips, ...bytes(14, 99)]); // interrupt latency: 32 bytes arrived
    r.pins.deliver();
    expect(r.got.packets.map((p) => Array.from(p.chips))).toEqual([Array.from(chips)]);
    expect(r.chip.writes.some(([a, v]) => a === PKTCTRL0 && v === 0)).toBe(false);
    expect(r.chip.state).toBe('rx');
  });

  test('a head the frame layer refuses is dropped and the receiver restarts', () => {
    const r = rig();
    r.radio.startReceive('S1', r.handlers(() => -1));
    r.chip.strobes.length = 0;
    onAir(r, bytes(24));
    expect(r.got.packets).toHaveLength(0);
    expect(r.got.errors).toHaveLength(0);
    expect(r.radio.stats.dropped).toBe(1);
    expect(r.chip.strobes).toEqual([SIDLE, SFRX, SRX]);
  });

  test('reports the sync time and the RSSI read at sync (raw 0xD2 = −97 dBm)', () => {
    const r = rig();
    r.chip.rssiRaw = 0xd2;
    r.radio.startReceive('T1C1', r.handlers(() => 20));
    const at = r.clock.now();
    r.chip.sync();
    r.pins.deliver();
    r.clock.advance(3);
    r.chip.air(bytes(20));
    r.pins.deliver();
    r.chip.air(bytes(2, 200)); // infinite mode: the receiver goes on after the packet
    r.clock.advance(1);
    expect(r.got.syncs).toBe(1);
    expect(r.got.packets[0].rssi).toBe(-97);
    expect(r.got.packets[0].at).toBe(at);
  });

  test('a positive raw RSSI byte (0x1E) is −59 dBm', () => {
    const r = rig();
    r.chip.rssiRaw = 0x1e;
    r.radio.startReceive('T1C1', r.handlers(() => 20));
    onAir(r, bytes(20));
    expect(r.got.packets[0].rssi).toBe(-59);
  });
});

describe('CC1101 errors', () => {
  test('RX FIFO overflow reports overrun, flushes the FIFO and listens again', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => 200));
    r.chip.sync();
    r.pins.deliver();
    r.chip.air(bytes(70)); // the MCU did not answer: 64 bytes fill the FIFO
    r.chip.strobes.length = 0;
    r.pins.deliver();
    expect(r.got.errors).toEqual(['overrun']);
    expect(r.chip.strobes).toEqual([SIDLE, SFRX, SRX]);
    expect(r.chip.state).toBe('rx');
    expect(r.radio.stats.overruns).toBe(1);
  });

  test('a packet that stops arriving times out after the longest air time', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => 100));
    r.chip.sync();
    r.pins.deliver();
    r.chip.air(bytes(20));
    r.pins.deliver();
    r.clock.advance(40);
    expect(r.got.errors).toEqual([]);
    r.clock.advance(40);
    expect(r.got.errors).toEqual(['timeout']);
    expect(r.chip.state).toBe('rx');
    expect(r.busy).toEqual([true, false]);
  });

  test('the timeout is cancelled when the packet completes', () => {
    const r = rig();
    r.radio.startReceive('S1', r.handlers(() => 20));
    onAir(r, bytes(20));
    expect(r.clock.pending).toBe(0);
  });

  test('a sync edge serviced late still starts the packet from the FIFO contents', () => {
    const r = rig();
    const chips = bytes(24);
    r.radio.startReceive('S1', r.handlers(() => 24));
    r.chip.sync();
    r.chip.air(chips);
    r.pins.deliver();
    expect(r.got.packets).toHaveLength(0);
    r.chip.air(bytes(3, 200)); // infinite mode: the receiver goes on after the packet
    r.clock.advance(1);
    expect(r.got.packets.map((p) => Array.from(p.chips))).toEqual([Array.from(chips)]);
  });

  test('waiting for the byte kept back by the errata polls again after 1 ms', () => {
    const r = rig();
    r.radio.startReceive('T1C1', r.handlers(() => 16));
    r.chip.sync();
    r.pins.deliver();
    r.chip.air(bytes(16));
    r.pins.deliver();
    expect(r.chip.fifo).toHaveLength(1);
    expect(r.got.packets).toHaveLength(0);
    r.clock.advance(1);
    expect(r.got.packets).toHaveLength(0);
    r.chip.air(bytes(1, 50));
    r.clock.advance(1);
    expect(r.got.packets[0].chips).toEqual(bytes(16));
  });
});
