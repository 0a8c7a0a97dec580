import type { Clock, TimerId } from '../../protocol/ports/clock';
import type { PowerSink } from '../power/types';
import type { RadioPhy, RadioReceiveHandlers, SubGhzRadio } from '../radio/types';
import { RADIO_HEAD_BYTES } from '../radio/types';
import {
  CONFIG_BURST_START,
  ChipState,
  FIFO,
  HEADER_BURST,
  HEADER_READ,
  LENGTH_FIXED,
  LENGTH_INFINITE,
  MAX_PACKET_CHIPS,
  MarcState,
  PKTLEN_MODULO,
  RXBYTES_COUNT,
  RXBYTES_OVERFLOW,
  Reg,
  STATUS_CHIP_RDYN,
  StatusReg,
  Strobe,
  TEST_BURST_START,
  airTimeMs,
  cc1101ConfigRegisters,
  cc1101TestRegisters,
  chipState,
  rssiDbm,
} from '../radio/cc1101-registers';
import type { DigitalClass, DigitalIo, SpiClass, SpiIo } from './io';
import { freezeTable } from '../../protocol/freeze';

export interface Cc1101Options {
  readonly spi: {
    readonly io: SpiClass;
    readonly clock: number;
    readonly in: number;
    readonly out: number;
    readonly select: number;
    readonly hz: number;
    readonly port: number;
  };
  /** GDO0: RX FIFO at or above the threshold. */
  readonly gdo0: { readonly io: DigitalClass; readonly pin: number };
  /** GDO2: sync word received, low again at the end of the packet or on overflow. */
  readonly gdo2: { readonly io: DigitalClass; readonly pin: number };
  readonly clock: Clock;
  readonly powerSink: PowerSink;
  /** Busy wait (Timer.delay on the device) for the crystal to start after a reset or a wake. */
  readonly delayMs: (ms: number) => void;
  /** True while a packet is on the air (the board blocks light sleep), false once it is handled. */
  readonly onBusy?: (busy: boolean) => void;
}

export interface Cc1101Stats {
  syncs: number;
  packets: number;
  /** Packets whose head the frame layer refused (packetLength returned -1) or that exceed the buffer. */
  dropped: number;
  overruns: number;
  timeouts: number;
}

type RadioState = 'unknown' | 'sleep' | 'idle' | 'listening' | 'receiving';

/** SPI mode 0, MSB first (SWRS061I §10); 5 MHz stays under the 6.5 MHz burst-access limit. */
export const CC1101_SPI_HZ = 5_000_000;
const SPI_MODE = 0;
const CS_ACTIVE_LOW = 0;
/** XOSC start-up is ≈ 150 µs (SWRS061I Table 34); one 1 ms poll step, a few tries. */
const READY_POLL_MS = 1;
const READY_ATTEMPTS = 10;
const IDLE_ATTEMPTS = 20;
/** SWRZ020 (errata) "SPI read synchronization": read changing status registers until two agree. */
const STABLE_READ_ATTEMPTS = 4;
/** Timeout after sync: the longest packet's air time plus the interrupt latency we tolerate. */
const TIMEOUT_MARGIN_MS = 20;
/**
 * When only the byte the errata makes us leave is missing, the next chip byte (infinite mode
 * keeps receiving) arrives within 0.25 ms even at S1; look again after one timer tick.
 */
const REPOLL_MS = 1;
/** PARTNUM of the CC1101; VERSION 0x00 or 0xFF means no chip answers on the bus. */
const CC1101_PARTNUM = 0x00;
const BUS_FLOATING = freezeTable([0x00, 0xff]);
const FIFO_SIZE = 64;

/**
 * TI CC1101 as an EN 13757-4 receiver. The chip syncs on the access code and streams the chip
 * bytes after it into its 64-byte FIFO in infinite-length mode; GDO0 interrupts at the FIFO
 * threshold and GDO2 at sync and at the end of the packet, so the MCU only wakes for those. Once
 * RADIO_HEAD_BYTES have arrived the frame layer tells the length, and the driver programs PKTLEN
 * and, within the last 256 bytes, switches to fixed-length mode so the chip itself stops at the
 * end of the packet (SWRS061I §15.4 "Arbitrary Length Field Configuration").
 */
export class Cc1101 implements SubGhzRadio {
  readonly stats: Cc1101Stats = { syncs: 0, packets: 0, dropped: 0, overruns: 0, timeouts: 0 };

  private readonly spi: SpiIo;
  private readonly gdo0: DigitalIo;
  private readonly gdo2: DigitalIo;
  private readonly clock: Clock;
  private readonly sink: PowerSink;
  private readonly delayMs: (ms: number) => void;
  private readonly onBusy: (busy: boolean) => void;

  private readonly one = new Uint8Array(1);
  private readonly two = new Uint8Array(2);
  private readonly fifo = new Uint8Array(1 + FIFO_SIZE);
  private readonly packet = new Uint8Array(MAX_PACKET_CHIPS);
  private readonly configBursts = new Map<RadioPhy, Uint8Array>();
  private readonly testBurst: Uint8Array;

  private state: RadioState = 'unknown';
  private phy: RadioPhy = 'T1C1';
  private handlers: RadioReceiveHandlers | undefined;
  private lastStatus = 0;
  private received = 0;
  private total = -1;
  private lengthPending = false;
  private syncAtMs = 0;
  private rssi = 0;
  private timeout: TimerId | undefined;
  private repoll: TimerId | undefined;

  constructor(options: Cc1101Options) {
    const { spi, gdo0, gdo2 } = options;
    this.spi = new spi.io({
      clock: spi.clock,
      in: spi.in,
      out: spi.out,
      select: spi.select,
      active: CS_ACTIVE_LOW,
      hz: spi.hz,
      mode: SPI_MODE,
      port: spi.port,
    });
    this.gdo0 = new gdo0.io({
      pin: gdo0.pin,
      mode: gdo0.io.InputPullDown,
      edge: gdo0.io.Rising,
      onReadable: () => this.onFifoThreshold(),
    });
    this.gdo2 = new gdo2.io({
      pin: gdo2.pin,
      mode: gdo2.io.InputPullDown,
      edge: gdo2.io.Rising | gdo2.io.Falling,
      onReadable: () => this.onSyncLine(),
    });
    this.clock = options.clock;
    this.sink = options.powerSink;
    this.delayMs = options.delayMs;
    this.onBusy = options.onBusy ?? (() => undefined);
    const test = cc1101TestRegisters();
    this.testBurst = new Uint8Array(1 + test.length);
    this.testBurst[0] = HEADER_BURST | TEST_BURST_START;
    this.testBurst.set(test, 1);
  }

  startReceive(phy: RadioPhy, handlers: RadioReceiveHandlers): void {
    this.ensureChip();
    this.endPacket();
    this.enterIdle();
    this.send(this.configBurst(phy));
    this.send(this.testBurst);
    this.phy = phy;
    this.handlers = handlers;
    this.listen();
    this.sink.report('radio', 'rx');
  }

  idle(): void {
    this.ensureChip();
    this.endPacket();
    this.handlers = undefined;
    this.enterIdle();
    this.strobe(Strobe.SFRX);
    this.state = 'idle';
    this.sink.report('radio', 'idle');
  }

  sleep(): void {
    this.ensureChip();
    this.endPacket();
    this.handlers = undefined;
    this.enterIdle();
    // SWRS061I §19.5: SPWD takes effect when CSn goes high, which ends the strobe's transaction.
    this.strobe(Strobe.SPWD);
    this.state = 'sleep';
    this.sink.report('radio', 'sleep');
  }

  private onFifoThreshold(): void {
    if (this.state === 'listening' || this.state === 'receiving') this.service();
  }

  private onSyncLine(): void {
    if (this.state === 'listening' && this.gdo2.read() === 1) this.beginPacket();
    else if (this.state === 'listening' || this.state === 'receiving') this.service();
  }

  private beginPacket(): void {
    this.state = 'receiving';
    this.syncAtMs = this.clock.now();
    this.rssi = rssiDbm(this.readStable(StatusReg.RSSI));
    this.stats.syncs++;
    this.onBusy(true);
    this.timeout = this.clock.setTimer(
      this.syncAtMs + airTimeMs(this.phy, MAX_PACKET_CHIPS) + TIMEOUT_MARGIN_MS,
      () => this.onTimeout(),
    );
    this.handlers?.onSync?.();
  }

  /** Drains what the FIFO holds; called on every GDO edge and idempotent when nothing arrived. */
  private service(): void {
    const rxBytes = this.readStable(StatusReg.RXBYTES);
    const chip = chipState(this.lastStatus);
    if ((rxBytes & RXBYTES_OVERFLOW) !== 0 || chip === ChipState.RXFIFO_OVERFLOW) {
      this.fail('overrun');
      return;
    }
    const available = rxBytes & RXBYTES_COUNT;
    const receiving = chip === ChipState.RX;
    if (available === 0) {
      if (this.state === 'receiving' && chip === ChipState.IDLE) this.fail('timeout');
      return;
    }
    if (this.state === 'listening') this.beginPacket();
    if (this.state !== 'receiving') return;
    // SWRZ020: the last byte in the FIFO must not be read while the receiver still writes to it.
    let n = receiving ? available - 1 : available;
    if (this.total >= 0) n = Math.min(n, this.total - this.received);
    if (n > 0) this.readFifo(n);
    const left = available - n;
    if (this.total < 0 && this.received >= RADIO_HEAD_BYTES[this.phy]) {
      if (!this.learnLength(left)) return;
    } else if (this.lengthPending) {
      this.programLength(this.received + left);
    }
    if (this.total >= 0 && this.received >= this.total) this.complete();
    else if (chip === ChipState.IDLE && left === 0) this.fail('timeout');
    else if (receiving && this.total >= 0 && this.total - this.received <= left) this.scheduleRepoll();
  }

  private scheduleRepoll(): void {
    if (this.repoll !== undefined) return;
    this.repoll = this.clock.setTimer(this.clock.now() + REPOLL_MS, () => {
      this.repoll = undefined;
      if (this.state === 'receiving') this.service();
    });
  }

  /** Asks the frame layer for the packet length; false when it refused the packet. */
  private learnLength(left: number): boolean {
    const total = this.handlers?.packetLength(this.packet.subarray(0, RADIO_HEAD_BYTES[this.phy])) ?? -1;
    if (total < RADIO_HEAD_BYTES[this.phy] || total > MAX_PACKET_CHIPS) {
      this.stats.dropped++;
      this.restart();
      return false;
    }
    this.total = total;
    this.programLength(this.received + left);
    return true;
  }

  /**
   * PKTLEN takes the length modulo 256; fixed-length mode may only start when fewer than 256
   * bytes remain. A length that is a multiple of 256, or a chip already past it, is ended by
   * software instead (the driver stops reading at `total` and restarts the receiver).
   */
  private programLength(chipCount: number): void {
    this.lengthPending = false;
    const modulo = this.total % PKTLEN_MODULO;
    if (modulo === 0 || chipCount >= this.total) return;
    this.writeRegister(Reg.PKTLEN, modulo);
    if (this.total - chipCount < PKTLEN_MODULO) this.writeRegister(Reg.PKTCTRL0, LENGTH_FIXED);
    else this.lengthPending = true;
  }

  private complete(): void {
    const chips = this.packet.slice(0, this.total);
    const handlers = this.handlers;
    const rssi = this.rssi;
    const atMs = this.syncAtMs;
    this.stats.packets++;
    this.restart();
    handlers?.onPacket(chips, rssi, atMs);
  }

  private fail(kind: 'overrun' | 'timeout'): void {
    if (kind === 'overrun') this.stats.overruns++;
    else this.stats.timeouts++;
    const handlers = this.handlers;
    this.restart();
    handlers?.onError(kind);
  }

  private onTimeout(): void {
    this.timeout = undefined;
    if (this.state !== 'receiving') return;
    this.service();
    if (this.state === 'receiving') this.fail('timeout');
  }

  /** Back to listening for the next sync word (SFRX is only valid in IDLE, SWRS061I Table 42). */
  private restart(): void {
    this.endPacket();
    this.enterIdle();
    this.listen();
  }

  private listen(): void {
    this.strobe(Strobe.SFRX);
    this.writeRegister(Reg.PKTLEN, 0xff);
    this.writeRegister(Reg.PKTCTRL0, LENGTH_INFINITE);
    this.strobe(Strobe.SRX);
    this.state = 'listening';
  }

  private endPacket(): void {
    if (this.timeout !== undefined) this.clock.clearTimer(this.timeout);
    if (this.repoll !== undefined) this.clock.clearTimer(this.repoll);
    this.timeout = undefined;
    this.repoll = undefined;
    if (this.state === 'receiving') this.onBusy(false);
    this.received = 0;
    this.total = -1;
    this.lengthPending = false;
  }

  private readFifo(n: number): void {
    const buffer = this.fifo.subarray(0, n + 1);
    buffer.fill(0);
    buffer[0] = HEADER_READ | HEADER_BURST | FIFO;
    this.command(buffer);
    this.packet.set(buffer.subarray(1), this.received);
    this.received += n;
  }

  /** First use in this boot: the chip may be asleep or in any state the last boot left it in. */
  private ensureChip(): void {
    if (this.state === 'unknown') {
      // Pulling CSn low wakes a sleeping chip; the SIDLE is lost if it was asleep, harmless if not.
      this.strobe(Strobe.SIDLE);
      this.waitReady();
      this.strobe(Strobe.SRES);
      this.waitReady();
      const part = this.readStatus(StatusReg.PARTNUM);
      const version = this.readStatus(StatusReg.VERSION);
      if (part !== CC1101_PARTNUM || BUS_FLOATING.includes(version)) {
        throw new Error(`cc1101: no chip (PARTNUM 0x${part.toString(16)}, VERSION 0x${version.toString(16)})`);
      }
      this.state = 'idle';
    } else if (this.state === 'sleep') {
      this.strobe(Strobe.SIDLE);
      this.waitReady();
      this.state = 'idle';
    }
  }

  private waitReady(): void {
    for (let i = 0; i < READY_ATTEMPTS; i++) {
      this.delayMs(READY_POLL_MS);
      if ((this.strobe(Strobe.SNOP) & STATUS_CHIP_RDYN) === 0) return;
    }
    throw new Error('cc1101: crystal did not start');
  }

  private enterIdle(): void {
    this.strobe(Strobe.SIDLE);
    for (let i = 0; i < IDLE_ATTEMPTS; i++) {
      if (this.readStatus(StatusReg.MARCSTATE) === MarcState.IDLE) return;
    }
    throw new Error('cc1101: did not reach IDLE');
  }

  private configBurst(phy: RadioPhy): Uint8Array {
    let burst = this.configBursts.get(phy);
    if (burst === undefined) {
      const registers = cc1101ConfigRegisters(phy);
      burst = new Uint8Array(1 + registers.length);
      burst[0] = HEADER_BURST | CONFIG_BURST_START;
      burst.set(registers, 1);
      this.configBursts.set(phy, burst);
    }
    return burst;
  }

  /** One CSn-framed transaction; the chip's status byte comes back in place of the header. */
  private command(bytes: Uint8Array): void {
    this.spi.transfer(bytes);
    this.spi.flush(true);
    this.lastStatus = bytes[0];
  }

  /** A write transaction that keeps `bytes` intact (cached register bursts are sent again later). */
  private send(bytes: Uint8Array): void {
    this.spi.write(bytes);
    this.spi.flush(true);
  }

  private strobe(strobe: number): number {
    this.one[0] = strobe;
    this.command(this.one);
    return this.lastStatus;
  }

  private writeRegister(address: number, value: number): void {
    this.two[0] = address;
    this.two[1] = value;
    this.send(this.two);
  }

  private readStatus(address: number): number {
    this.two[0] = HEADER_READ | HEADER_BURST | address;
    this.two[1] = 0;
    this.command(this.two);
    return this.two[1];
  }

  private readStable(address: number): number {
    let value = this.readStatus(address);
    for (let i = 1; i < STABLE_READ_ATTEMPTS; i++) {
      const again = this.readStatus(address);
      if (again === value) break;
      value = again;
    }
    return value;
  }
}
