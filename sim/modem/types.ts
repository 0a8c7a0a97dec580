import type { ModemTechnology } from '../../drivers/modem/types';

/** One serving cell the emulated modem can find, with the link figures that set virtual latencies. */
export interface CoverageCell {
  readonly technology: ModemTechnology;
  /** dBm (all technologies). */
  readonly rssi: number;
  /** dBm / dB (LTE-M and NB-IoT). */
  readonly rsrp?: number;
  readonly rsrq?: number;
  readonly sinr?: number;
  /** Long alphanumeric operator name (AT+COPS). */
  readonly operator?: string;
  /** MCC+MNC (AT+QNWINFO). */
  readonly mccmnc?: string;
  readonly band?: number;
  /** EARFCN / ARFCN. */
  readonly channel?: number;
  readonly roaming?: boolean;
  /** Search + attach time once the modem scans this technology, ms. */
  readonly attachMs?: number;
  /** Round-trip time through the operator's core to a server, ms. */
  readonly rttMs?: number;
  readonly uplinkKbps?: number;
  readonly downlinkKbps?: number;
}

export interface SimCard {
  readonly iccid: string;
  /** The SIM's PIN when PIN protection is on; null/absent: no PIN. */
  readonly pin?: string | null;
  /** PIN attempts left at the start (3 on a fresh SIM). */
  readonly pinAttempts?: number;
  /** MSISDN written on the SIM (AT+CNUM); often absent. */
  readonly number?: string;
  /** False: no SIM in the holder. */
  readonly present?: boolean;
}

/** Faults a scenario injects; `Bg95Emulator.setFaults` changes them between sessions. */
export interface EmulatorFaults {
  /** No cell of any technology: CSQ 99, registration stays "searching". */
  readonly noCoverage?: boolean;
  /** Cells are heard (signal reported) but the attach never completes. */
  readonly registrationTimeout?: boolean;
  /** The network rejects the attach (stat 3). */
  readonly registrationDenied?: boolean;
  /** The SIM refuses every PIN (+CME ERROR: 16 incorrect password), using up its attempts. */
  readonly pinRefused?: boolean;
  /** AT+QIACT fails. */
  readonly pdpReject?: boolean;
  /** Every socket is dropped once its traffic (both directions) reaches `afterBytes`. */
  readonly socketDrop?: { readonly afterBytes: number; readonly kind?: 'closed' | 'pdpdeact' };
  /** Probability that a noise line precedes a response or URC. */
  readonly garbageRate?: number;
  /** Probability that an information line of a status query (+CSQ, +QCSQ, +QNWINFO, +COPS, +CEREG, +CGREG) is cut short. */
  readonly truncateRate?: number;
  /** Added to every response time, ms. */
  readonly slowReplyMs?: number;
  /** The module never boots (no STATUS, no APP RDY). */
  readonly bootFailure?: boolean;
}

export interface EmulatorScenario {
  readonly imei?: string;
  readonly firmware?: string;
  readonly sim?: SimCard;
  readonly coverage: readonly CoverageCell[];
  /** Name → IPv4 answers that the emulator gives without asking the host (deterministic DNS). */
  readonly dns?: Readonly<Record<string, string>>;
  readonly faults?: EmulatorFaults;
  /** The network grants PSM when asked (default true). */
  readonly grantPsm?: boolean;
  /** RRC inactivity before the modem drops from connected to idle, ms (default 10 s). */
  readonly rrcInactivityMs?: number;
  /** Standard deviation of the noise on reported signal figures, dB (default 0: exact). */
  readonly signalJitterDb?: number;
}
