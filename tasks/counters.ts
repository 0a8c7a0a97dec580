import type { Settings } from '../drivers/settings/types';
import { KEY } from './settings-keys';

/** Supervision counters of the radio path (primary spec §5.7 "WmBus"). */
export interface RadioCounters {
  windows: number;
  listeningSeconds: number;
  preambles: number;
  syncs: number;
  frames: number;
  crcErrors: number;
  decodeErrors: number;
  lengthErrors: number;
  overruns: number;
  timeouts: number;
  filtered: number;
  duplicates: number;
  recorded: number;
  /** Of `recorded`: frames stored raw under their DLL identity because an upper header (ELL, AFL, TPL) is cut short. */
  headerErrors: number;
  overwritten: number;
  /** Of `overwritten`, frames the full store dropped before they were uploaded: lost for the server. */
  overwrittenPending: number;
}

/** Modem session counters (§5.7 "modem" / "counters"). */
export interface ModemCounters {
  sessions: number;
  sessionsOk: number;
  sessionsFailed: number;
  /** Seconds the modem was powered. */
  onSeconds: number;
  bytesSent: number;
  bytesReceived: number;
  filesUploaded: number;
  framesUploaded: number;
  /** Frames published again over MQTT because no PUBACK of an earlier publish reached the box: a head-end may see them twice. */
  framesResent: number;
  /** UTC seconds of the last successful / failed connection; 0 = never. */
  lastCnxOk: number;
  lastCnxKo: number;
  /** Files (log, supervision, ACK, alarm, configuration copy) that could not be written to the FileStore and were not sent. */
  filesDropped: number;
}

/** Wake-ups by cause (§5.7 "counters"). */
export interface WakeCounters {
  wakeup: number;
  magnetWakeup: number;
  bleWakeup: number;
  ftp: number;
  alarms: number;
  radio: number;
  usb: number;
  wd: number;
  fault: number;
}

/** Seconds in each state (§5.7 "uptime"). */
export interface UptimeCounters {
  run: number;
  radio: number;
  modem: number;
  lowPower: number;
}

export interface CounterSet {
  radio: RadioCounters;
  modem: ModemCounters;
  wake: WakeCounters;
  uptime: UptimeCounters;
  /** Monitoring readings per §5.7 temperature bin. */
  histogram: number[];
  /** UTC seconds of the last power-on, configuration change and firmware update; 0 = never. */
  lastPowerOn: number;
  lastConfig: number;
  lastUpdate: number;
  /** UTC seconds of the boot that found a trial image abandoned by the bootloader; 0 = never. */
  lastRollback: number;
  /** UTC seconds the box went into deep sleep; 0 while awake. */
  sleepSince: number;
  /**
   * Frame-store serial just past the last frame `radio.recorded` counts, saved with it: frames
   * stored after it were recorded in a window a reset cut short (tasks/app.ts). −1: not known yet.
   */
  recordedUpTo: number;
}

function zeroRadio(): RadioCounters {
  return {
    windows: 0, listeningSeconds: 0, preambles: 0, syncs: 0, frames: 0, crcErrors: 0, decodeErrors: 0,
    lengthErrors: 0, overruns: 0, timeouts: 0, filtered: 0, duplicates: 0, recorded: 0, headerErrors: 0, overwritten: 0,
    overwrittenPending: 0,
  };
}

function zeroModem(): ModemCounters {
  return {
    sessions: 0, sessionsOk: 0, sessionsFailed: 0, onSeconds: 0, bytesSent: 0, bytesReceived: 0,
    filesUploaded: 0, framesUploaded: 0, framesResent: 0, lastCnxOk: 0, lastCnxKo: 0, filesDropped: 0,
  };
}

function zeroWake(): WakeCounters {
  return { wakeup: 0, magnetWakeup: 0, bleWakeup: 0, ftp: 0, alarms: 0, radio: 0, usb: 0, wd: 0, fault: 0 };
}

function zeroUptime(): UptimeCounters {
  return { run: 0, radio: 0, modem: 0, lowPower: 0 };
}

/** Number of §5.7 temperature histogram bins. */
export const HISTOGRAM_BINS = 7;

export function zeroCounters(): CounterSet {
  return {
    radio: zeroRadio(),
    modem: zeroModem(),
    wake: zeroWake(),
    uptime: zeroUptime(),
    histogram: new Array<number>(HISTOGRAM_BINS).fill(0),
    lastPowerOn: 0,
    lastConfig: 0,
    lastUpdate: 0,
    lastRollback: 0,
    sleepSince: 0,
    recordedUpTo: -1,
  };
}

/** Counters kept in the settings store; unknown or corrupt contents start again from zero. */
export class Counters {
  readonly value: CounterSet;

  constructor(private readonly settings: Settings) {
    this.value = zeroCounters();
    const raw = settings.get(KEY.counters);
    if (typeof raw !== 'string') return;
    try {
      const saved = JSON.parse(raw) as Partial<CounterSet>;
      const v = this.value;
      Object.assign(v.radio, saved.radio);
      Object.assign(v.modem, saved.modem);
      Object.assign(v.wake, saved.wake);
      Object.assign(v.uptime, saved.uptime);
      if (Array.isArray(saved.histogram) && saved.histogram.length === HISTOGRAM_BINS) v.histogram = saved.histogram.slice();
      v.lastPowerOn = saved.lastPowerOn ?? 0;
      v.lastConfig = saved.lastConfig ?? 0;
      v.lastUpdate = saved.lastUpdate ?? 0;
      v.lastRollback = saved.lastRollback ?? 0;
      v.sleepSince = saved.sleepSince ?? 0;
      v.recordedUpTo = saved.recordedUpTo ?? -1;
    } catch {
      // A torn or foreign value: counting restarts, nothing else depends on it.
    }
  }

  save(): void {
    this.settings.set(KEY.counters, JSON.stringify(this.value));
  }

  /** supervisionClean (§5.6.10). */
  reset(): void {
    const keep = this.value;
    const fresh = zeroCounters();
    Object.assign(keep.radio, fresh.radio);
    Object.assign(keep.modem, { ...fresh.modem, lastCnxOk: keep.modem.lastCnxOk, lastCnxKo: keep.modem.lastCnxKo });
    Object.assign(keep.wake, fresh.wake);
    Object.assign(keep.uptime, fresh.uptime);
    keep.histogram = fresh.histogram;
    this.save();
  }
}
