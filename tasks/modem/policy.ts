import type { ModemConfig } from '../../protocol/config/types';
import type { RetryAdvice } from './types';
import { freezeTable } from '../../protocol/freeze';
import { TLS_CERTIFICATE_REJECTED } from '../../protocol/ports/network';

/**
 * The battery budget of the upload path (docs/upload-session.md). A failing network must cost a
 * bounded amount of modem time per session and a bounded number of sessions per day.
 */

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

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

/**
 * The failure budget (docs/upload-session.md, "Retry policy"). After FAILURE_BUDGET_AFTER failed
 * sessions in a row the task lets the modem search only on a modem-time credit that grows by
 * FAILURE_BUDGET_MS_PER_DAY a day, until a session succeeds or a person acts at the box. Three
 * failures span the first session and the 30 min and 1 h back-off retries, so an outage of a cell
 * or of the server that lasts less than ≈ 1.5 h never reaches the budget.
 */
export const FAILURE_BUDGET_AFTER = 3;
/**
 * Modem-on time a day the budget allows on average. Searching is charged as the modem's
 * `attached` state, 90 mA at 3.8 V (docs/power-model.md), i.e. 90 × 3.8 / (0.85 × 7.2) = 55.9 mA
 * at the pack, 15.5 µAh a second: 90 s is 1.4 mAh a day, the energy of ≈ 5 normal LTE-M sessions
 * of the default site (≈ 0.28 mAh each) or of one 300-frame NB-IoT upload (≈ 1.3 mAh,
 * docs/benchmarks.md). A session still searches a whole registration plan (a shorter search
 * could never find a weak NB-IoT cell), so the plans are spaced out instead: at the manual's
 * defaults (`auto`, 300 s: 615 s a plan) one every 6.8 days.
 */
export const FAILURE_BUDGET_MS_PER_DAY = 90 * MS_PER_SECOND;
/**
 * Modem-on time of a failed session beyond its registration wait: PWRKEY and boot to APP RDY,
 * SIM and settings, AT+QPOWD. ≈ 5 s in the BG95 emulator; 15 s leaves room for a slow SIM.
 */
export const FAILED_SESSION_OVERHEAD_MS = 15 * MS_PER_SECOND;

/**
 * Sources whose session ends the failure budget: a person at the box (magnet, USB, BLE). The task
 * also receives `request` only from the magnet action and from the first boot of a trial image,
 * and `diag` only after a diagnosis window (magnet, or a command that came through a session that
 * worked): tasks/app.ts.
 */
const SOURCES_THAT_END_THE_BUDGET: readonly string[] = freezeTable(['magnet', 'usb', 'ble', 'request', 'diag']);

export function endsFailureBudget(source: string): boolean {
  return SOURCES_THAT_END_THE_BUDGET.indexOf(source) >= 0;
}

type BudgetModem = Pick<ModemConfig, 'mode' | 'scanseq' | 'timeout'>;

/** Longest modem-on time of a session that fails to register: every attempt waits `timeout`. */
export function failedSessionMs(modem: BudgetModem): number {
  return registrationAttempts(modem) * modem.timeout * MS_PER_SECOND + FAILED_SESSION_OVERHEAD_MS;
}

/**
 * The credit `elapsedMs` after it was `creditMs`: it grows at FAILURE_BUDGET_MS_PER_DAY and
 * stops at one failed session, so a long outage never saves up a burst of sessions.
 */
export function budgetCredit(modem: BudgetModem, creditMs: number, elapsedMs: number): number {
  return Math.min(failedSessionMs(modem), creditMs + (Math.max(0, elapsedMs) * FAILURE_BUDGET_MS_PER_DAY) / MS_PER_DAY);
}

/**
 * The credit after a session that was on `ms`. A session that registered and then failed may
 * have run longer than a failed search; the debt is bounded to one failed session, so the
 * next search waits at most twice the normal spacing.
 */
export function budgetSpend(modem: BudgetModem, creditMs: number, ms: number): number {
  return Math.max(-failedSessionMs(modem), creditMs - ms);
}

/** Whether the credit lets a session start: only if it covers the session even when it fails. */
export function budgetAllows(modem: BudgetModem, creditMs: number): boolean {
  return creditMs >= failedSessionMs(modem);
}

/** Time until a credit of `creditMs` covers a failed session (0 when it already does). */
export function budgetWaitMs(modem: BudgetModem, creditMs: number): number {
  return Math.max(0, Math.ceil(((failedSessionMs(modem) - creditMs) * MS_PER_DAY) / FAILURE_BUDGET_MS_PER_DAY));
}

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
  /** Reading the SMS store, running the commands and sending the replies (AT+CMGS: up to 120 s each). */
  smsMs: 300 * MS_PER_SECOND,
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

/** The server's certificate did not verify against the stored CA: the CA is wrong, not the link. */
function certificateRejected(error: unknown): boolean {
  return error instanceof Error && error.message.indexOf(TLS_CERTIFICATE_REJECTED) >= 0;
}

/** Retry advice for an error thrown by a step. */
export function adviceFor(error: unknown): RetryAdvice {
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; code?: unknown; kind?: unknown };
    if (e.name === 'ModemError' && typeof e.code === 'string' && MODEM_FAILURES_FOR_A_PERSON.indexOf(e.code) >= 0) return 'schedule';
    if (e.name === 'FtpError' && e.kind === 'reply' && typeof e.code === 'number' && FTP_LOGIN_REFUSED.indexOf(e.code) >= 0) return 'schedule';
    if (e.name === 'MqttError' && e.kind === 'refused' && typeof e.code === 'number' && MQTT_REFUSED_FOR_A_PERSON.indexOf(e.code) >= 0) return 'schedule';
    if (e.name === 'ConfigurationMissing') return 'schedule';
  }
  if (certificateRejected(error)) return 'schedule';
  return 'backoff';
}

/** FTP failures worth a second connection in the same session: the link, not the server, failed. */
export function worthReconnecting(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || certificateRejected(error)) return false;
  const e = error as { name?: unknown; kind?: unknown };
  // A timeout, or a data connection cut short that the server took for a complete file.
  if (e.name === 'StepTimeout' || e.name === 'UploadIncomplete') return true;
  if (e.name === 'MqttError') return e.kind === 'network' || e.kind === 'timeout' || e.kind === 'closed' || e.kind === 'protocol';
  return e.name === 'FtpError' && (e.kind === 'network' || e.kind === 'timeout' || e.kind === 'closed' || e.kind === 'protocol');
}
