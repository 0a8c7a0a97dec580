import { MAX_ON_AIR_BYTES } from '../../protocol/wmbus/blocks';
import { IDENTITY_FROM_TPL, IDENTITY_LENGTH, IDENTITY_TRUNCATED, identityFlags } from '../../protocol/wmbus/header';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import { PORTABLE_KERNELS, type WmbusKernels } from '../../protocol/wmbus/kernels';
import { decodePhy, errorClass } from '../../protocol/wmbus/phy';
import type { PhyOptions, WmbusPhy } from '../../protocol/wmbus/types';
import type { RadioCounters } from '../counters';
import type { FrameRecord } from '../store/types';
import type { WindowFilter } from './filter';

const MS_PER_SECOND = 1000;

/** Where recorded frames go (the circular flash store). */
export interface FrameSink {
  append(record: FrameRecord): void;
  /** Erases ahead for about `bytes` of frames so no erase stalls the window (returns the erases done). */
  prepare?(bytes: number): number;
}

export interface ReceiveSettings {
  readonly phy: WmbusPhy;
  /** §4.2.2 mode 1 (T1 only): C1 frames heard on the shared T1+C1 receiver setting are not wanted. */
  readonly t1Only: boolean;
  /** WebdynEasy `BFormatLFieldAdaptation`. */
  readonly bFormatLFieldAdaptation: boolean;
  /** WebdynEasy `longHeader`: the filter identity comes from a long TPL header when there is one. */
  readonly longHeader: boolean;
  /** The board's native byte loops; the portable ones when absent. */
  readonly kernels?: WmbusKernels;
}

/**
 * The per-packet work of one listening window, run in the driver's packet callback: chip stream →
 * CRC-checked frame → filter identity → recording rules → frame store, with the §5.7 counters
 * (a suppressed repeat counts as a duplicate; a minimum-RSSI or black-list refusal as filtered).
 * Everything it needs per packet (decode buffer, identity, options) is made once per window, so a
 * packet allocates only the frame it keeps and the record handed to the store.
 */
export class ReceivePath {
  /** Frames decoded in this window. */
  heard = 0;
  /** Frames recorded in this window, and their bytes. */
  recorded = 0;
  recordedBytes = 0;
  private readonly phyOptions: PhyOptions;
  private readonly kernels: WmbusKernels;
  /** `filterIdentity` flags of the window's header options. */
  private readonly identityFlags: number;
  private readonly identity = new Uint8Array(IDENTITY_BYTES);

  constructor(
    private readonly settings: ReceiveSettings,
    readonly filter: WindowFilter,
    private readonly sink: FrameSink,
    private readonly counters: RadioCounters,
  ) {
    this.phyOptions = {
      bFormatLFieldAdaptation: settings.bFormatLFieldAdaptation,
      kernels: settings.kernels,
      scratch: new Uint8Array(MAX_ON_AIR_BYTES),
    };
    this.kernels = settings.kernels ?? PORTABLE_KERNELS;
    this.identityFlags = identityFlags({ longHeader: settings.longHeader });
  }

  /** One packet from the driver; true when it was recorded. */
  onPacket(chips: Uint8Array, rssiDbm: number, atMs: number): boolean {
    const c = this.counters;
    const decoded = decodePhy(chips, this.settings.phy, this.phyOptions);
    if (!decoded.ok) {
      const cls = errorClass(decoded.error);
      if (cls === 'crc') c.crcErrors++;
      else if (cls === 'length') c.lengthErrors++;
      else c.decodeErrors++;
      return false;
    }
    c.frames++;
    this.heard++;
    if (this.settings.t1Only && decoded.mode !== 'T1') {
      c.filtered++;
      return false;
    }
    const frame = decoded.frame;
    const code = this.kernels.filterIdentity(frame, this.identity, this.identityFlags);
    // A transparent concentrator forwards every CRC-valid frame: one whose upper header is cut short
    // is stored raw under the identity the kernel found, unless that identity is not the one the
    // active filters would judge (a cut long TPL header with longHeader on). docs/configuration.md.
    const headerError = code > IDENTITY_FROM_TPL;
    if (code === IDENTITY_LENGTH || (code === IDENTITY_TRUNCATED && this.filter.identityFiltered)) {
      c.decodeErrors++;
      return false;
    }
    const verdict = this.filter.judge(this.identity, frame.length, rssiDbm, atMs);
    if (verdict === 'duplicate' || verdict === 'suppressed') {
      c.duplicates++;
      return false;
    }
    if (verdict !== 'record') {
      c.filtered++;
      return false;
    }
    this.sink.append({ time: Math.floor(atMs / MS_PER_SECOND), rssi: Math.round(rssiDbm), frame });
    c.recorded++;
    if (headerError) c.headerErrors++;
    this.recorded++;
    this.recordedBytes += frame.length;
    return true;
  }
}
