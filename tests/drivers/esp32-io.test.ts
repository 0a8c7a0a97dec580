/** ESP32 modem port (UART + PWRKEY/STATUS/supply), buzzer (PWM), Hall input and BQ35100 gauge, on fakes. */
import { Esp32Buzzer } from '../../drivers/esp32/buzzer';
import { BQ35100_ADDRESS, Esp32Gauge } from '../../drivers/esp32/gauge';
import { Esp32Hall } from '../../drivers/esp32/hall';
import type { I2cIo, I2cOptions, PwmIo, PwmOptions, SerialIo, SerialOptions } from '../../drivers/esp32/io';
import { Esp32ModemPort, MODEM_TX_QUEUE_BYTES } from '../../drivers/esp32/modem-port';
import { ManualClock } from '../fixtures/manual-clock';
import { PinBank, RecordingSink } from './esp32-fakes';

/** A UART with the ESP32 driver's rule: write() throws beyond the transmit FIFO's free space. */
class FakeUart {
  options: SerialOptions | undefined;
  readonly sent: number[] = [];
  rx: number[] = [];
  fifoFree = 0;
  readonly Serial = (() => {
    const uart = this;
    return class implements SerialIo {
      constructor(options: SerialOptions) {
        uart.options = options;
      }
      read(byteLength: number): ArrayBuffer | undefined {
        if (uart.rx.length === 0) return undefined;
        return Uint8Array.from(uart.rx.splice(0, byteLength)).buffer;
      }
      write(value: ArrayBuffer): void {
        if (value.byteLength > uart.fifoFree) throw new Error('output full');
        uart.fifoFree -= value.byteLength;
        uart.sent.push(...new Uint8Array(value));
      }
    };
  })();
  /** The transmit FIFO drained: the driver is told how much room there is. */
  drain(room: number): void {
    this.fifoFree = room;
    this.options!.onWritable(room);
  }
  receive(bytes: number[]): void {
    this.rx.push(...bytes);
    this.options!.onReadable(this.rx.length);
  }
}

function modem(supplyInitial: 0 | 1 = 0) {
  const pins = new PinBank();
  const uart = new FakeUart();
  const holds: boolean[] = [];
  const port = new Esp32ModemPort({
    serial: { io: uart.Serial, transmit: 17, receive: 16, baud: 115_200, port: 2 },
    powerKey: { io: pins.Digital, pin: 13, pressedLevel: 1 },
    status: { io: pins.Digital, pin: 35, runningLevel: 1 },
    supply: { io: pins.Digital, pin: 25, initial: supplyInitial },
    holdAwake: (h) => holds.push(h),
  });
  return { pins, uart, port, holds };
}

describe('modem port', () => {
  test('opens the UART in buffer format with both callbacks', () => {
    const { uart } = modem();
    expect(uart.options).toMatchObject({ transmit: 17, receive: 16, baud: 115_200, port: 2, format: 'buffer' });
  });

  test('bytes wait until the UART offers room, then go out in order', () => {
    const { uart, port } = modem();
    expect(port.write(Uint8Array.from([0x41, 0x54, 0x0d]))).toBe(3);
    expect(uart.sent).toEqual([]);
    uart.drain(2);
    expect(uart.sent).toEqual([0x41, 0x54]);
    uart.drain(128);
    expect(uart.sent).toEqual([0x41, 0x54, 0x0d]);
  });

  test('write accepts only what the queue holds', () => {
    const { port } = modem();
    expect(port.write(new Uint8Array(MODEM_TX_QUEUE_BYTES + 10))).toBe(MODEM_TX_QUEUE_BYTES);
    expect(port.write(Uint8Array.of(1))).toBe(0);
  });

  test('received bytes reach the callback', () => {
    const { uart, port } = modem();
    const got: number[][] = [];
    port.onReceive((b) => got.push([...b]));
    uart.receive([0x4f, 0x4b, 0x0d, 0x0a]);
    expect(got).toEqual([[0x4f, 0x4b, 0x0d, 0x0a]]);
  });

  test('PWRKEY pressed drives the transistor base high; released low', () => {
    const { pins, port } = modem();
    port.setPowerKey(true);
    port.setPowerKey(false);
    expect(pins.written.get(13)).toEqual([0, 1, 0]);
  });

  test('STATUS reads the running level', () => {
    const { pins, port } = modem();
    expect(port.status()).toBe(false);
    pins.levels.set(35, 1);
    expect(port.status()).toBe(true);
  });

  test('the supply switch follows setSupply and blocks light sleep while on', () => {
    const { pins, port, holds } = modem();
    port.setSupply(true);
    expect(port.supplyLevel()).toBe(1);
    port.setSupply(false);
    expect(pins.written.get(25)).toEqual([0, 1, 0]);
    expect(holds).toEqual([false, true, false]);
  });

  test('a supply latched on through deep sleep starts on', () => {
    const { pins, port } = modem(1);
    expect(pins.written.get(25)).toEqual([1]);
    expect(port.supplyLevel()).toBe(1);
  });
});

class FakePwmBank {
  readonly opened: PwmOptions[] = [];
  readonly duty: number[] = [];
  closed = 0;
  readonly PWM = (() => {
    const bank = this;
    return class implements PwmIo {
      readonly resolution = 10;
      constructor(options: PwmOptions) {
        bank.opened.push(options);
      }
      write(value: number): void {
        bank.duty.push(value);
      }
      close(): void {
        bank.closed++;
      }
    };
  })();
}

describe('buzzer', () => {
  function buzzer() {
    const pwm = new FakePwmBank();
    const clock = new ManualClock();
    const sink = new RecordingSink();
    const b = new Esp32Buzzer({ io: pwm.PWM, pin: 26, clock, powerSink: sink });
    return { pwm, clock, sink, b };
  }

  test('each tone is a 50 % square wave at its frequency, for its duration', () => {
    const { pwm, clock, b } = buzzer();
    b.play([
      { hz: 2700, ms: 100 },
      { hz: 0, ms: 50 },
      { hz: 3200, ms: 100 },
    ]);
    expect(pwm.opened).toEqual([{ pin: 26, hz: 2700 }]);
    expect(pwm.duty).toEqual([512]);
    clock.advance(100);
    expect(pwm.duty).toEqual([512, 0]);
    clock.advance(50);
    expect(pwm.opened.map((o) => o.hz)).toEqual([2700, 3200]);
  });

  test('calls done after the last step and releases the PWM channel', () => {
    const { pwm, clock, b, sink } = buzzer();
    let done = 0;
    b.play([{ hz: 2000, ms: 30 }], () => done++);
    clock.advance(29);
    expect(done).toBe(0);
    clock.advance(1);
    expect(done).toBe(1);
    expect(pwm.closed).toBe(1);
    expect(sink.reports).toEqual([
      ['buzzer', 'on'],
      ['buzzer', 'off'],
    ]);
  });

  test('stop silences at once and does not call done', () => {
    const { clock, b, sink } = buzzer();
    let done = 0;
    b.play([{ hz: 2000, ms: 500 }], () => done++);
    b.stop();
    clock.advance(1000);
    expect(done).toBe(0);
    expect(sink.last('buzzer')).toBe('off');
  });

  test('a new pattern replaces the one playing', () => {
    const { clock, b } = buzzer();
    const calls: string[] = [];
    b.play([{ hz: 2000, ms: 500 }], () => calls.push('first'));
    b.play([{ hz: 3000, ms: 10 }], () => calls.push('second'));
    clock.advance(1000);
    expect(calls).toEqual(['second']);
  });
});

describe('Hall switch', () => {
  function hall() {
    const pins = new PinBank();
    const clock = new ManualClock();
    pins.levels.set(33, 1);
    const h = new Esp32Hall({ io: pins.Digital, pin: 33, activeLevel: 0, clock });
    const arrivals: number[] = [];
    h.onEdge((at) => arrivals.push(at));
    return { pins, clock, h, arrivals };
  }

  test('interrupts on the falling edge of the active-low output', () => {
    const { pins } = hall();
    expect(pins.options(33)?.edge).toBe(2);
  });

  test('a magnet arriving reports once with the time', () => {
    const { pins, clock, h, arrivals } = hall();
    pins.drive(33, 0);
    pins.deliver();
    expect(h.present()).toBe(true);
    expect(arrivals).toEqual([clock.now()]);
  });

  test('an edge gone by the time it is handled is ignored, as are bounces within 50 ms', () => {
    const { pins, clock, arrivals } = hall();
    pins.drive(33, 0);
    pins.drive(33, 1);
    pins.deliver();
    expect(arrivals).toEqual([]);
    pins.drive(33, 0);
    pins.deliver();
    clock.advance(10);
    pins.drive(33, 1);
    pins.drive(33, 0);
    pins.deliver();
    expect(arrivals).toHaveLength(1);
  });
});

/** BQ35100 register file behind I2C: a command byte write selects the register to read. */
class FakeBq35100 {
  options: I2cOptions | undefined;
  readonly controls: number[] = [];
  regs = new Map<number, number[]>();
  awake = true;
  private pointer = 0;
  readonly I2C = (() => {
    const gauge = this;
    return class implements I2cIo {
      constructor(options: I2cOptions) {
        gauge.options = options;
      }
      write(value: ArrayBuffer): void {
        if (!gauge.awake) throw new Error('NACK');
        const b = new Uint8Array(value);
        gauge.pointer = b[0];
        if (b[0] === 0x00 && b.length === 3) gauge.controls.push(b[1] | (b[2] << 8));
      }
      read(byteLength: number): ArrayBuffer {
        if (!gauge.awake) throw new Error('NACK');
        const r = gauge.regs.get(gauge.pointer) ?? [];
        return Uint8Array.from({ length: byteLength }, (_, i) => r[i] ?? 0).buffer;
      }
    };
  })();
}

describe('BQ35100 gauge', () => {
  function gauge() {
    const chip = new FakeBq35100();
    const pins = new PinBank();
    const clock = new ManualClock();
    const g = new Esp32Gauge({
      i2c: { io: chip.I2C, data: 21, clock: 22, hz: 100_000 },
      enable: { io: pins.Digital, pin: 14 },
      capacityMah: 14_000,
      clock,
      delayMs: (ms) => clock.advance(ms),
    });
    return { chip, pins, clock, g };
  }

  test('talks to 7-bit address 0x55', () => {
    const { chip } = gauge();
    expect(chip.options?.address).toBe(BQ35100_ADDRESS);
    expect(BQ35100_ADDRESS).toBe(0x55);
  });

  test('Voltage (mV), Temperature (0.1 K) and AccumulatedCapacity (µAh) from real register bytes', () => {
    const { chip, g } = gauge();
    chip.regs.set(0x08, [0x3c, 0x1c]); // 7228 mV
    chip.regs.set(0x06, [0xc3, 0x0b]); // 3011 dK = 27.95 °C
    chip.regs.set(0x02, [0x40, 0x4b, 0x4c, 0x00]); // 5 000 000 µAh
    expect(g.read()).toEqual({ voltageMv: 7228, temperatureDeciC: 280, chargeUsedMah: 5000 });
  });

  test('a negative accumulator (reversed sense resistor) still reports the charge drawn', () => {
    const { chip, g } = gauge();
    chip.regs.set(0x02, [0x18, 0xfc, 0xff, 0xff]); // −1000 µAh
    expect(g.read().chargeUsedMah).toBe(1);
  });

  test('start raises GE and sends GAUGE_START after the 110 ms settling time', () => {
    const { chip, pins, clock, g } = gauge();
    g.start();
    expect(pins.written.get(14)).toEqual([1]);
    clock.advance(109);
    expect(chip.controls).toEqual([]);
    clock.advance(1);
    expect(chip.controls).toEqual([0x0011]);
  });

  test('stop sends GAUGE_STOP, waits for G_DONE, then lowers GE', () => {
    const { chip, pins, clock, g } = gauge();
    g.start();
    clock.advance(110);
    chip.regs.set(0x00, [0x40, 0x00]);
    g.stop();
    expect(chip.controls).toEqual([0x0011, 0x0012, 0x0000]);
    expect(pins.written.get(14)).toEqual([1, 0]);
  });

  test('while the gauge does not answer, the last good reading is returned', () => {
    const { chip, g } = gauge();
    chip.regs.set(0x08, [0x10, 0x0e]); // 3600 mV
    g.read();
    chip.awake = false;
    expect(g.read().voltageMv).toBe(3600);
  });
});
