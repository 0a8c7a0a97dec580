import type { PowerSink } from '../../drivers/power/types';
import type { RadioPhy, RadioReceiveHandlers, SubGhzRadio } from '../../drivers/radio/types';
import { RADIO_HEAD_BYTES } from '../../drivers/radio/types';
import type { SimEventId, SimTime } from '../world/types';

/** One transmission on the air as the CC1101 would deliver it after the sync word. */
export interface AirTransmission {
  readonly atMs: number;
  readonly durationMs: number;
  readonly phy: RadioPhy;
  readonly stream: Uint8Array;
  readonly rssiDbm: number;
}

/** What is on the air (the simulated meter population). */
export interface AirSource {
  transmissions(fromMs: number, toMs: number): readonly AirTransmission[];
}

/** Receiver sensitivity (CC1101 datasheet SWRS061I Table 15/16: 868 MHz, 38.4 kBaud −104 dBm; S1's 32.768 kchip/s Manchester ≈ −105 dBm). */
const SENSITIVITY_DBM: Readonly<Record<RadioPhy, number>> = { S1: -105, T1C1: -104 };
/** The air is read ahead in slices so a long window does not build one huge list. */
const SLICE_MS = 10_000;

export interface RadioStats {
  delivered: number;
  belowSensitivity: number;
  receiverBusy: number;
}

/** The transceiver fake: hands whole packets to the driver callbacks at their end of air time. */
export class SimRadio implements SubGhzRadio {
  private phy: RadioPhy | undefined;
  private handlers: RadioReceiveHandlers | undefined;
  private events: SimEventId[] = [];
  private sliceEnd = 0;
  private busyUntil = 0;
  readonly stats: RadioStats = { delivered: 0, belowSensitivity: 0, receiverBusy: 0 };

  constructor(private readonly time: SimTime, private readonly sink: PowerSink, private readonly air: AirSource) {}

  startReceive(phy: RadioPhy, handlers: RadioReceiveHandlers): void {
    this.cancel();
    this.phy = phy;
    this.handlers = handlers;
    this.busyUntil = 0;
    this.sink.report('radio', 'rx');
    this.sliceEnd = this.time.now();
    this.readAhead();
  }

  idle(): void {
    this.cancel();
    this.sink.report('radio', 'idle');
  }

  sleep(): void {
    this.cancel();
    this.sink.report('radio', 'sleep');
  }

  /** The MCU went down: no more callbacks, but the chip stays in whatever state it was left in. */
  detach(): void {
    this.cancel();
  }

  private cancel(): void {
    for (const e of this.events) this.time.cancel(e);
    this.events = [];
    this.phy = undefined;
    this.handlers = undefined;
  }

  private readAhead(): void {
    const from = this.sliceEnd;
    const to = from + SLICE_MS;
    this.sliceEnd = to;
    for (const tx of this.air.transmissions(from, to)) {
      if (tx.atMs < this.time.now()) continue;
      this.events.push(this.time.at(tx.atMs + tx.durationMs, () => this.receive(tx)));
    }
    this.events.push(this.time.at(to, () => this.readAhead()));
  }

  private receive(tx: AirTransmission): void {
    const h = this.handlers;
    if (h === undefined || tx.phy !== this.phy) return;
    if (tx.rssiDbm < SENSITIVITY_DBM[tx.phy]) {
      this.stats.belowSensitivity++;
      return;
    }
    // The CC1101 locks on the first sync word; a packet starting during another is not heard.
    if (tx.atMs < this.busyUntil) {
      this.stats.receiverBusy++;
      return;
    }
    this.busyUntil = tx.atMs + tx.durationMs;
    h.onSync?.();
    const length = h.packetLength(tx.stream.subarray(0, RADIO_HEAD_BYTES[tx.phy]));
    if (length < 0) return;
    if (length > tx.stream.length) {
      h.onError('timeout');
      return;
    }
    this.stats.delivered++;
    h.onPacket(tx.stream.slice(0, length), tx.rssiDbm, tx.atMs);
  }
}
