/**
 * The hub configuration as the rest of the firmware reads it. Key names are the JSON/BSON keys of
 * the primary spec (§4.2, appendix 9.1), which are case-sensitive (§4.2), so a `Config` serializes
 * back to the file layout without a renaming table.
 *
 * The manual puts `mode`, `name` and `logLevel` directly under `config` (§4.2.1 example, appendix
 * paths `/mode`, `/name`, `/logLevel`): there is no `system` object, so there is none here either.
 */

/** §4.2.1: FACTORY SETTINGS, STORAGE or RUN (§3.1.1). */
export type SystemMode = 'factorySettings' | 'storage' | 'run';

/** §4.2.1: 0 error, 1 warning, 2 info, 3 debug. */
export type LogLevel = 0 | 1 | 2 | 3;

/** §4.2.1.1: what the second magnet pass does in RUN mode: 0 BLE + modem, 1 diagnosis, 2 request. */
export type MagnetAction = 0 | 1 | 2;

/** §4.2.1.2: 0 no CRC check, 1 check unless the CRC field is 0, 2 always check. */
export type CrcMode = 0 | 1 | 2;

/** §4.2.2: 0 S1, 1 T1, 2 T1 + C1. */
export type RadioMode = 0 | 1 | 2;

/**
 * §4.2.3.1 radio access technologies. The manual writes LTE-M as both `LTE-M` (tables) and `LTEM`
 * (example, supervision file); both are accepted on input and stored as `LTE-M`.
 */
export type ModemTech = '2G' | 'LTE-M' | 'NB-IoT';
export type ModemMode = ModemTech | 'auto';

/** §4.2.3.2: 0 plain FTP, 1 FTPS (FTP over TLS; the project runs it as implicit TLS). */
export type FtpMode = 0 | 1;

export interface LocalConfig {
  magnet: MagnetAction;
  /** Exactly 4 digits (appendix 9.1). */
  blePin: string;
  /** Phone numbers allowed to send commands, at most 4; null: every number is allowed. */
  whiteList: string[] | null;
  /** Diagnostic sequences in a row, 1–30. */
  testCount: number;
  /** Action time limit in seconds, 60–3600, or 0 = disabled. Only used when testCount is 1. */
  timeout: number;
}

/**
 * Product extension `security.tlsVerify`: `auto` verifies the server against the CAs stored by the
 * `certificate` command when there are any and connects unverified (with a warning) otherwise;
 * `required` refuses a TLS session while no CA is stored; `off` never verifies (warned each time).
 */
export type TlsVerifyPolicy = 'auto' | 'required' | 'off';

export interface SecurityConfig {
  crcMode: CrcMode;
  /** AES-128-CBC of every exchanged file (`.aes` suffix). */
  encryption: boolean;
  /** 16-byte AES-128 key; null when none is set. */
  key: Uint8Array | null;
  /** Product extension: when FTPS and MQTTS verify the server (see TlsVerifyPolicy). */
  tlsVerify: TlsVerifyPolicy;
}

export interface RadioConfig {
  /** One mode, or several for multi-listening: one window per mode, in this order (§4.2.2). */
  mode: RadioMode | RadioMode[];
  /**
   * Listening window in seconds, 1–3600. With multi-listening either one value used for every mode
   * or one value per mode (same length as `mode`).
   */
  duration: number | number[];
  /** Allowed manufacturers, each the 2 M-field bytes as sent on air; empty: no filter. At most 8. */
  manufFilter: Uint8Array[];
  /** Allowed medium (device type) codes, one byte each; empty: no filter. At most 8. */
  mediumFilter: number[];
  /** Rewrite the L field of format B frames to the format A meaning (§4.2.2.2). */
  BFormatLFieldAdaptation: boolean;
  /** Take the meter identity from the long header when there is one. */
  longHeader: boolean;
  /** White-list matching ignores the version byte of the address. */
  skipVersionField: boolean;
  /** White-list matching ignores the medium byte of the address. */
  skipMediumField: boolean;
  /** Identities never recorded (8 bytes each, as white-list entries, compared under the same skip flags); at most 40. */
  blackList: Uint8Array[];
  /** Frames received below this RSSI (dBm) are not recorded; null or 0: no minimum. */
  minRssi: number | null;
  /** Minutes after recording a meter during which its further frames are ignored, across windows; 0: off. */
  suppression: number;
}

export interface ModemConfig {
  mode: ModemMode;
  /** Preference order in `auto` mode, distinct entries; null: the modem's own order. */
  scanseq: ModemTech[] | null;
  /** NB-IoT bands to scan, distinct; null: all bands. */
  band: number[] | null;
  deregisterOnLocalAction: boolean;
  /** SIM PIN, at most 8 characters; null: no PIN. */
  cpin: string | null;
  apn: string | null;
  /** PPP login and password. */
  user: string | null;
  pass: string | null;
  /** Network attach time limit in seconds, 60–1800. */
  timeout: number;
  /** Random delay before connecting, in minutes, 0–60. */
  randomDelay: number;
}

export interface FtpConfig {
  mode: FtpMode;
  /** `host` or `host:port` (port 1–65535, 21 when absent); null or '': no server. */
  addr: string | null;
  user: string | null;
  pass: string | null;
  /** Root directory on the server; null: the account's root. */
  dir: string | null;
}

/**
 * This product's extension (docs/configuration.md): how a session uploads. 'ftp' is the manual's
 * behaviour; 'mqtt' sends everything to the broker; 'both' publishes the frames over MQTT, then runs
 * the FTP session for the other files and the INBOX.
 */
export type UploadTransport = 'ftp' | 'mqtt' | 'both';

/** Product extension: the frame payload on the broker (Lansen's layout, or this product's JSON or BSON). */
export type MqttPayloadFormat = 'lansen' | 'json' | 'bson';

/** Product extension (docs/configuration.md): the MQTT 3.1.1 broker the box publishes to. */
export interface MqttConfig {
  /** Broker host name or dotted IPv4 (no port); null: MQTT not configured. */
  addr: string | null;
  /** 1-65535; null: 1883, or 8883 with tls. */
  port: number | null;
  tls: boolean;
  user: string | null;
  pass: string | null;
  /** 1-23 characters of [0-9a-zA-Z_-] (MQTT 3.1.1 §3.1.3.1 guarantees 23); null: the uid. */
  clientId: string | null;
  /** Topic prefix of the json and bson formats, 1-64 chars, no '+', '#', no leading/trailing '/', no NUL; default 'wmbus'. */
  prefix: string;
  format: MqttPayloadFormat;
  qos: 0 | 1;
  /** Seconds the box listens on its configuration topic after the upload, 0-600; default 30 (Lansen's default). */
  listen: number;
  /** Keep-alive seconds, 10-1800; default 60. */
  keepAlive: number;
  /** false (default): the broker keeps the box's subscription and queues configuration messages while it sleeps. */
  cleanSession: boolean;
}

export interface RemoteConfig {
  modem: ModemConfig;
  ftp: FtpConfig;
  /**
   * NTP server `host` or `host:port` (port 123 when absent); null: pool.ntp.org. §5.1.1.4 also shows a
   * list form `["ntp.google.com", ""]`, kept as a list of at most 2 servers in preference order
   * ('' = unused slot).
   */
  ntp: string | string[] | null;
  /** Product extension: the MQTT broker. */
  mqtt: MqttConfig;
  /** Product extension: which uploads go where; default 'ftp' (the manual's behaviour). */
  transport: UploadTransport;
}

export interface AlarmsConfig {
  oneAlarmPerDay: boolean;
  /** °C, 10–50; null or 0: no temperature alarm. */
  temperature: number | null;
  /** Clock drift against NTP in seconds, 2–3600; null or 0: no drift alarm. */
  timeGap: number | null;
  /** Remaining battery in %, 10–99; null or 0: no battery alarm. */
  battery: number | null;
}

/** A radio schedule trigger (§4.2.5.1.1). */
export interface RadioTrigger {
  /** `mm hh dd MM DD`, stored with single spaces between the five fields. */
  cron: string;
  /**
   * Window length in seconds, 30–3600; absent: `radio.duration`. With multi-listening either one
   * value per mode, or a single number, in which case the manual's example uses `radio.duration`
   * for every mode.
   */
  data?: number | number[];
}

/** Bits of `FtpTrigger.data` (§4.2.5.1.2). */
export const FTP_UPLOAD_DATA = 0x1;
export const FTP_UPLOAD_SUPERVISION = 0x2;
export const FTP_UPLOAD_LOG = 0x4;

/** An FTP schedule trigger (§4.2.5.1.2). */
export interface FtpTrigger {
  cron: string;
  /** Files to upload: FTP_UPLOAD_* bits, 0–7 (0: connect for NTP and the INBOX only). */
  data: number;
}

export interface Config {
  mode: SystemMode;
  /** Hub name; null when unnamed. */
  name: string | null;
  logLevel: LogLevel;
  local: LocalConfig;
  security: SecurityConfig;
  radio: RadioConfig;
  remote: RemoteConfig;
  alarms: AlarmsConfig;
  /** At most 8 triggers; when two fire in the same minute only the first one runs. */
  scheduleRadio: RadioTrigger[];
  scheduleFTP: FtpTrigger[];
  /** Minutes between monitoring runs, 15–1440; null or 0: monitoring disabled. */
  monitoringPeriod: number | null;
}

/**
 * The info-only fields (appendix 9.1) the hub adds to the copy it uploads to /CONFIG; ignored when a
 * file is applied. The appendix types `timestamp` as text and `uid` as a whole number while every
 * other file shows uid as text, so `uid` is written as given.
 */
export interface ConfigInfo {
  /** Application version. */
  version: number;
  /** Seconds since 1970-01-01 UTC of the last configuration change; written as decimal text. */
  timestamp: number;
  uid: string | number;
  sn: string;
}

/** A rejected file: the offending field path (`config.radio.duration[1]`) and why. */
export interface ConfigError {
  ok: false;
  field: string;
  reason: string;
}

export type ApplyResult = { ok: true; config: Config; changed: string[] } | ConfigError;
