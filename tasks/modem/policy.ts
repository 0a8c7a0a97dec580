import type { ModemConfig } from '../../protocol/config/types';
import type { RetryAdvice } from './types';
import { freezeTable } from '../../protocol/freeze';

/**
 * The battery budget of the upload path (docs/upload-session.md). A failing network must cost a
 * bounded amount of modem time per session and a bounded number of sessions per day.
 */

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/** FTP connections per session: the first, and one more after a dropped connection or a timeout. */
export const FTP_ATTEMPTS = 2;
/** MQTT connections per session: the first, and one more after a dropped connection or a timeout. */
export const MQTT_ATTEMPTS = 2;
/**
 * QoS 1 publishes awaiting their PUBACK at once: 32 containers of ≈ 145 bytes keep an NB-IoT
 * round trip (≈ 1.5 s in the emulator) busy (16 did not, docs/benchmarks.md), and a lost
 * connection costs at most that many resends. The window is refilled by halves.
 */
export const MQTT_IN_FLIGHT = 32;
/** Acknowledged frames between two commits of the store's upload cursor (each commit is a flash write). */
export const MQTT_COMMIT_EVERY = 64;
/** INBOX passes per session: the first, and one more when a `request` command asks for it (§5.6.1). */
export const MAX_INBOX_PASSES = 2;

/** Back-off after the first failed session; doubled after each further failure, up to the cap. */
export const BACKOFF_BASE_MS = 30 * MS_PER_MINUTE;
export const BACKOFF_CAP_MS = 8 * MS_PER_HOUR;

/** Time limits of the steps. */
export const LIMIT = freezeTable({
  /** PWRKEY pulse and boot to APP RDY (BG95: ≤ 15 s), with margin. */
  powerMs: 30 * MS_PER_SECOND,
  /** SIM, identity and settings before the registration wait itself. */
  registerSetupMs: 90 * MS_PER_SECOND,
  /** AT+QIACT answers within 150 s at worst. */
  activateMs: 160 * MS_PER_SECOND,
  /** Per NTP server: DNS and one request (the client's own reply timeout is 5 s). */
  timeMs: 15 * MS_PER_SECOND,
  connectMs: 60 * MS_PER_SECOND,
  treeMs: 60 * MS_PER_SECOND,
  /** Per file: a fixed part, plus the size at a floor throughput. */
  fileBaseMs: 60 * MS_PER_SECOND,
  /** 1 kB/s: below what NB-IoT gives at the cell edge. */
  fileMsPerByte: 1,
  listMs: 60 * MS_PER_SECOND,
  quitMs: 10 * MS_PER_SECOND,
  detachMs: 15 * MS_PER_SECOND,
  /** AT+QPOWD then PWRKEY, each up to 15 s for STATUS to fall. */
  powerOffMs: 45 * MS_PER_SECOND,
  /** The whole session beyond the registration, whatever happens: the task aborts it past this. */
  sessionMs: 30 * MS_PER_MINUTE,
} as const);

/** Largest inbox file (configuration, white list of 2000 meters, commands) fetched into RAM. */
export const MAX_INBOX_FILE_BYTES = 64 * 1024;
/** Largest firmware image fetched from /BIN. */
export const MAX_FIRMWARE_BYTES = 2 * 1024 * 1024;
/** Largest certificate fetched from /BIN (tasks/certificates/store.ts keeps up to 16 KiB). */
export const MAX_CERTIFICATE_FETCH_BYTES = 16 * 1024;

/**
 * Registration attempts the driver makes: one in a forced mode; in `auto` the scan sequence and
 * then 2G alone when the sequence allows 2G (§1.6.4).
 */
export function registrationAttempts(modem: Pick<ModemConfig, 'mode' | 'scanseq'>): number {
  if (modem.mode !== 'auto') return 1;
  const seq = modem.scanseq;
  return seq === null || seq.length === 0 || seq.indexOf('2G') >= 0 ? 2 : 1;
}

/** Limit of the register step: `timeout` per attempt, plus the setup. */
export function registerLimitMs(modem: Pick<ModemConfig, 'mode' | 'scanseq' | 'timeout'>): number {
  return registrationAttempts(modem) * modem.timeout * MS_PER_SECOND + LIMIT.registerSetupMs;
}

/** The task's hard limit on a whole session: the registration limit plus LIMIT.sessionMs. */
export function sessionLimitMs(modem: Pick<ModemConfig, 'mode' | 'scanseq' | 'timeout'>): number {
  return registerLimitMs(modem) + LIMIT.sessionMs;
}

export function fileLimitMs(bytes: number): number {
  return LIMIT.fileBaseMs + bytes * LIMIT.fileMsPerByte;
}

/** Delay before the retry session after `failures` failed sessions in a row (≥ 1). */
export function backoffMs(failures: number): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 16);
  return Math.min(BACKOFF_BASE_MS * 2 ** exponent, BACKOFF_CAP_MS);
}

/**
 * Modem failures a retry cannot cure: the SIM or its PIN needs a person (the driver never repeats
 * a refused PIN, so retrying would only burn registration time).
 */
const MODEM_FAILURES_FOR_A_PERSON: readonly string[] = freezeTable([
  'sim-missing',
  'sim-pin-required',
  'sim-pin-refused',
  'sim-pin-blocked',
  'sim-pin-attempts-low',
  'sim-puk',
]);

/**
 * MQTT 3.1.1 §3.2.2.3 CONNACK codes a retry cannot cure: 2 client identifier rejected, 4 bad user
 * name or password, 5 not authorised (1, unacceptable protocol level, and 3, server unavailable, may pass).
 */
const MQTT_REFUSED_FOR_A_PERSON = freezeTable([2, 4, 5]);

/** FTP replies that mean the account is wrong: 530 not logged in, 332 account needed. */
const FTP_LOGIN_REFUSED = freezeTable([530, 332]);

/** Retry advice for an error thrown by a step. */
export function adviceFor(error: unknown): RetryAdvice {
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; code?: unknown; kind?: unknown };
    if (e.name === 'ModemError' && typeof e.code === 'string' && MODEM_FAILURES_FOR_A_PERSON.indexOf(e.code) >= 0) return 'schedule';
    if (e.name === 'FtpError' && e.kind === 'reply' && typeof e.code === 'number' && FTP_LOGIN_REFUSED.indexOf(e.code) >= 0) return 'schedule';
    if (e.name === 'MqttError' && e.kind === 'refused' && typeof e.code === 'number' && MQTT_REFUSED_FOR_A_PERSON.indexOf(e.code) >= 0) return 'schedule';
    if (e.name === 'ConfigurationMissing') return 'schedule';
  }
  return 'backoff';
}

/** FTP failures worth a second connection in the same session: the link, not the server, failed. */
export function worthReconnecting(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; kind?: unknown };
  // A timeout, or a data connection cut short that the server took for a complete file.
  if (e.name === 'StepTimeout' || e.name === 'UploadIncomplete') return true;
  if (e.name === 'MqttError') return e.kind === 'network' || e.kind === 'timeout' || e.kind === 'closed' || e.kind === 'protocol';
  return e.name === 'FtpError' && (e.kind === 'network' || e.kind === 'timeout' || e.kind === 'closed' || e.kind === 'protocol');
}
