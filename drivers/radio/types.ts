import { freezeTable } from '../../protocol/freeze';

/** PHY settings the transceiver can be put in (EN 13757-4 link modes). */
export type RadioPhy = 'S1' | 'T1C1';

export interface RadioReceiveHandlers {
  /**
   * Called with the first chip bytes after the sync word so the driver can program the packet length.
   * Returns the total number of chip bytes of the packet after the sync word, or -1 to drop it.
   */
  packetLength(head: Uint8Array): number;
  /** A whole packet: the chip bytes after the sync word, its RSSI in dBm and the time sync was detected. */
  onPacket(chips: Uint8Array, rssiDbm: number, atMs: number): void;
  /** A packet lost in the driver (FIFO overrun, timeout before the end of the packet). */
  onError(kind: 'overrun' | 'timeout'): void;
  /** Counted for supervision: preamble and sync detections. */
  onSync?(): void;
}

/** Number of head bytes the driver delivers to `packetLength` for each PHY. */
export const RADIO_HEAD_BYTES: Readonly<Record<RadioPhy, number>> = freezeTable({ S1: 4, T1C1: 4 });

/** A sub-GHz transceiver (reference: TI CC1101). */
export interface SubGhzRadio {
  /** Tunes and sets the data rate / coding for `phy` and starts listening. */
  startReceive(phy: RadioPhy, handlers: RadioReceiveHandlers): void;
  /** Stops receiving and idles the chip. */
  idle(): void;
  /** Lowest-power state; registers are kept. */
  sleep(): void;
}
