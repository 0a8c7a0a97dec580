/** The modem's UART AT channel and its power pins (Quectel BG95-class). */
export interface ModemPort {
  /** Bytes written to the modem; returns the number accepted. */
  write(bytes: Uint8Array): number;
  /** Set once; called whenever bytes arrive from the modem. */
  onReceive(callback: (bytes: Uint8Array) => void): void;
  /** Drives PWRKEY (true = pressed/low on the module side). */
  setPowerKey(pressed: boolean): void;
  /** Cuts or restores the modem's supply rail, where the board has a switch. */
  setSupply(on: boolean): void;
  /** The STATUS pin: true while the module's firmware is running. */
  status(): boolean;
}

/** §4.2.3.1 radio access technologies (protocol/config stores the manual's `LTEM` spelling as `LTE-M`). */
export type ModemTechnology = '2G' | 'LTE-M' | 'NB-IoT';
export type ModemMode = ModemTechnology | 'auto';

/**
 * What the driver needs of the §4.2.3.1 `remote.modem` object; `protocol/config`'s `ModemConfig`
 * is assignable to it. `operatorInit` is the driver's own addition: operator-specific AT command
 * lines (without the trailing CR) run once per SIM and list.
 */
export interface ModemNetworkConfig {
  readonly mode: ModemMode;
  /** Preference order in `auto` mode; null/absent: LTE-M then 2G (§1.6.4). */
  readonly scanseq?: readonly ModemTechnology[] | null;
  /** NB-IoT bands allowed; null/absent: all bands. */
  readonly band?: readonly number[] | null;
  /** SIM PIN; null: the SIM has no PIN. */
  readonly cpin?: string | null;
  readonly apn?: string | null;
  readonly user?: string | null;
  readonly pass?: string | null;
  /** Registration time limit per attempt, seconds (60–1800). */
  readonly timeout: number;
  /** Random delay before connecting, minutes (0–60). */
  readonly randomDelay?: number;
  readonly operatorInit?: readonly string[] | null;
}

/** §5.7 `modem.quality`: dBm / dB; absent when the technology or the modem does not report it. */
export interface SignalQuality {
  readonly rssi?: number;
  readonly rsrp?: number;
  readonly rsrq?: number;
  readonly sinr?: number;
}

/** What the driver learned of the modem, the SIM and the network: the §5.7 supervision `modem` section. */
export interface ModemInfo {
  readonly imei?: string;
  readonly iccid?: string;
  /** SIM phone number (`num`); often empty because operators do not write it on the SIM. */
  readonly num?: string;
  /** Operator name (AT+COPS long alphanumeric). */
  readonly operator?: string;
  /** Configured connection type. */
  readonly mode?: ModemMode;
  /** Technology the modem registered on. */
  readonly technology?: ModemTechnology;
  /** RSSI of the last connection, dBm (`rssi`). */
  readonly rssi?: number;
  readonly quality: SignalQuality;
  /** The AT+QNWINFO answer as the modem wrote it: `"eMTC","20801","LTE BAND 20",6400` (`nwinfo`). */
  readonly nwinfo?: string;
  readonly band?: string;
  readonly channel?: number;
  /** MCC+MNC of the serving network. */
  readonly mccmnc?: string;
  /** Modem firmware revision (supervision `version.swModem`). */
  readonly firmware?: string;
  /** IP address of the activated PDP context. */
  readonly address?: string;
  /** Time from the start of the attach to registration, ms. */
  readonly attachMs?: number;
  /**
   * ICCID of the SIM that refused the configured PIN at the last unlock, or earlier (then the PIN
   * was not sent again: `sim-pin-blocked`); absent once a SIM unlocks or the record is cleared.
   */
  readonly pinRefused?: string;
  /**
   * Server host of the last TLS connection (FTPS, MQTTS) when it did not verify the server (no CA
   * stored, or `security.tlsVerify` off); absent after a verified one.
   */
  readonly tlsUnverified?: string;
}

export type ModemErrorCode =
  | 'not-powered'
  | 'no-response'
  | 'power-off-failed'
  | 'timeout'
  | 'command-failed'
  | 'sim-missing'
  | 'sim-pin-required'
  | 'sim-pin-refused'
  | 'sim-pin-blocked'
  | 'sim-pin-attempts-low'
  | 'sim-puk'
  | 'no-coverage'
  | 'registration-denied'
  | 'registration-timeout'
  | 'pdp-failed'
  | 'aborted';

/**
 * Small persistent store for the driver's own state (the refused-PIN record, the operatorInit
 * marker). Keys are at most 15 characters, so a `Settings` object satisfies it directly.
 */
export interface ModemStateStore {
  get(key: string): unknown;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** Uniform random numbers in [0, 1) (the `randomDelay` spread). */
export type RandomSource = () => number;
