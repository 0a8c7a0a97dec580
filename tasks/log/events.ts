import { freezeTable } from '../../protocol/freeze';

/** §4.2.1 `logLevel`: an event is kept when its level is at most the configured one. */
export type EventLevel = 0 | 1 | 2 | 3;

export const LEVEL_ERROR: EventLevel = 0;
export const LEVEL_WARNING: EventLevel = 1;
export const LEVEL_INFO: EventLevel = 2;
export const LEVEL_DEBUG: EventLevel = 3;

/** §4.2.1: info by default. */
export const DEFAULT_LOG_LEVEL: EventLevel = LEVEL_INFO;

export interface EventDef {
  /** `C` in the log file (§5.8). */
  readonly code: number;
  readonly level: EventLevel;
}

/** First code of the project's own range; everything below is reserved for the manual's codes. */
export const PROJECT_EVENT_BASE = 0x7f000000;

/**
 * Event codes. The manual's event list (its Appendix B) is not part of our copy, so only the two
 * codes its §5.8 example shows are taken from it:
 *  - 33554432 (0x02000000) on application trace lines (mode entered, window length, frames counted);
 *  - 3 on task start lines (radio task, periodic task, white-list filter set-up), the chattiest, so debug.
 * The project's events use PROJECT_EVENT_BASE + n (positive int32, far from the manual's values);
 * `D` carries the details named in each comment.
 */
export const EVENTS = freezeTable({
  trace: { code: 0x02000000, level: LEVEL_INFO },
  taskStart: { code: 3, level: LEVEL_DEBUG },

  /** D: wake cause. */
  boot: { code: PROJECT_EVENT_BASE + 0x01, level: LEVEL_INFO },
  /** The previous run ended in a watchdog reset. */
  watchdogReset: { code: PROJECT_EVENT_BASE + 0x02, level: LEVEL_ERROR },

  /** D: file name. */
  configApplied: { code: PROJECT_EVENT_BASE + 0x10, level: LEVEL_INFO },
  /** D: file name and reason. */
  configRejected: { code: PROJECT_EVENT_BASE + 0x11, level: LEVEL_WARNING },
  /** D: file name. */
  whiteListApplied: { code: PROJECT_EVENT_BASE + 0x12, level: LEVEL_INFO },
  /** D: what reset the configuration to the factory one (`magnet and RESET`, `command`). */
  factoryReset: { code: PROJECT_EVENT_BASE + 0x13, level: LEVEL_WARNING },

  /** D: type and cid. */
  commandDone: { code: PROJECT_EVENT_BASE + 0x20, level: LEVEL_INFO },
  /** D: type, cid and reason. */
  commandFailed: { code: PROJECT_EVENT_BASE + 0x21, level: LEVEL_ERROR },
  /** D: type and cid of a command left unrun after an earlier failure or a pending restart. */
  commandNotRun: { code: PROJECT_EVENT_BASE + 0x22, level: LEVEL_WARNING },
  /** D: file name and why it could not be read. */
  inboxFileRejected: { code: PROJECT_EVENT_BASE + 0x23, level: LEVEL_ERROR },
  /** D: the sender and why its SMS was not run (a number local.whiteList does not list, not a command). */
  smsRefused: { code: PROJECT_EVENT_BASE + 0x24, level: LEVEL_WARNING },

  /** D: new version. */
  firmwareInstalled: { code: PROJECT_EVENT_BASE + 0x30, level: LEVEL_INFO },
  /** D: reason. */
  firmwareRejected: { code: PROJECT_EVENT_BASE + 0x31, level: LEVEL_ERROR },
  /** D: running version. */
  firmwareConfirmed: { code: PROJECT_EVENT_BASE + 0x32, level: LEVEL_INFO },
  /** D: why the trial image was abandoned. */
  firmwareRollback: { code: PROJECT_EVENT_BASE + 0x33, level: LEVEL_ERROR },

  /** D: certificate name. */
  certificateStored: { code: PROJECT_EVENT_BASE + 0x40, level: LEVEL_INFO },
  certificatesCleared: { code: PROJECT_EVENT_BASE + 0x41, level: LEVEL_INFO },

  logCleaned: { code: PROJECT_EVENT_BASE + 0x50, level: LEVEL_INFO },
  supervisionCleaned: { code: PROJECT_EVENT_BASE + 0x51, level: LEVEL_INFO },

  ftpSessionOk: { code: PROJECT_EVENT_BASE + 0x60, level: LEVEL_INFO },
  /** D: step that failed. */
  ftpSessionFailed: { code: PROJECT_EVENT_BASE + 0x61, level: LEVEL_WARNING },
  /** D: correction in seconds. */
  clockSynchronised: { code: PROJECT_EVENT_BASE + 0x62, level: LEVEL_INFO },

  /** D: alarm type and value. */
  alarmRaised: { code: PROJECT_EVENT_BASE + 0x70, level: LEVEL_WARNING },

  /** D: mode, seconds, frames heard and recorded. */
  radioWindow: { code: PROJECT_EVENT_BASE + 0x80, level: LEVEL_INFO },
  /** D: records dropped from the full frame store, and how many of them were not uploaded. */
  framesOverwritten: { code: PROJECT_EVENT_BASE + 0x81, level: LEVEL_WARNING },

  /** D: why the refused-PIN record was cleared (local cpin, new cpin, operatorInit, factory reset) and the SIMs it held. */
  pinRecordCleared: { code: PROJECT_EVENT_BASE + 0x63, level: LEVEL_INFO },
  /** D: the modem's failure budget entered (failures, seconds a day), spent for the day (sessions skipped), or left (why). */
  modemBudget: { code: PROJECT_EVENT_BASE + 0x66, level: LEVEL_WARNING },
  /** D: alarm type and the value that cleared it (back past threshold and margin, docs/alarms.md). */
  alarmCleared: { code: PROJECT_EVENT_BASE + 0x71, level: LEVEL_INFO },
  /** D: the server host of an FTPS or MQTTS connection that does not verify the server, and why (no CA stored, security.tlsVerify off). */
  tlsUnverified: { code: PROJECT_EVENT_BASE + 0x67, level: LEVEL_WARNING },
  /** D: the file (log, supervision, ACK, alarm, configuration copy) the file partition had no room for, and why. */
  fileDropped: { code: PROJECT_EVENT_BASE + 0x82, level: LEVEL_ERROR },
} as const satisfies Record<string, EventDef>);

export type EventName = keyof typeof EVENTS;

/** Where tasks report events; the EventLog implements it, tests can substitute a list. */
export interface EventRecorder {
  /** Returns whether the event was kept (false when filtered by level or not stored). */
  record(event: EventDef, data?: string): boolean;
}
