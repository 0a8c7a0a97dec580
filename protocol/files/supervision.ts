import type { BsonDocument, BsonValue } from '../bson/types';
import { FileHeader, headerFields, secondsValue } from './header';
import { freezeTable } from '../freeze';

/**
 * §5.7 supervision file. Section and field names are the file's keys. Where the parameter table and
 * the JSON example disagree the example wins, being a file as the hub writes it:
 *  - modem `rssi` (table: `rsi`), quality `rssi` (table: `rsqi`), WmBus `CPtRxFrames` (table: `CPTrxFrames`),
 *    histogram labels with `°C` (table: `°c`);
 *  - `nwinfo` and `iccid` follow the table (the example line is garbled and lacks iccid).
 * Every number is an integer (int32; timestamps int64 after 2038).
 */

export interface SupervisionIdentity {
  readonly uid: string;
  /** Hub name from the configuration; null when unnamed. */
  readonly name: string | null;
  readonly SN: string;
}

export interface SupervisionVersion {
  /** Hardware version, a number in the example (`11`). */
  readonly hw: number;
  readonly sw: string;
  readonly swBle: string;
  readonly swModem: string;
}

/** Seconds spent in each state since the counters were last cleaned. */
export interface SupervisionUptime {
  readonly run: number;
  readonly radio: number;
  readonly modem: number;
  readonly lowPower: number;
}

export interface SupervisionMeasures {
  /** Supply voltage, mV. */
  readonly vAlim: number;
  /** Hub temperature, °C. */
  readonly temperature: number;
  /** Counts per TEMPERATURE_BINS entry, same order and length. */
  readonly histogram: readonly number[];
}

/** Modem signal report; null where the radio technology does not give it (rsrp/rsrq/sinr on 2G). */
export interface SupervisionQuality {
  readonly rssi: number | null;
  readonly rsrp: number | null;
  readonly rsrq: number | null;
  readonly sinr: number | null;
}

export interface SupervisionModem {
  /** RSSI of the last connection, dBm; null before any connection. */
  readonly rssi: number | null;
  readonly quality: SupervisionQuality;
  /** Technology, operator, band and channel as the modem reports them (`"eMTC","20801","LTE BAND 20",6400`). */
  readonly nwinfo: string;
  readonly imei: string;
  readonly iccid: string;
  /** SIM phone number; often '' (§5.7 note). */
  readonly num: string;
  readonly operator: string;
  /** `2G`, `LTEM` or `auto`. */
  readonly mode: string;
  /**
   * Product extension, not in §5.7: the ICCID of the SIM that refused its configured PIN, which the
   * box will not send again, so it stays silent, until a local configuration of `cpin`, a new
   * `cpin`, `operatorInit` or a factory reset clears the record. Written after `mode`, and only
   * while set: the §5.7 fields are unchanged.
   */
  readonly pinRefused?: string;
  /**
   * Product extension, not in §5.7: the server host of the last TLS session (FTPS, MQTTS) when it
   * ran without verifying the server (no CA stored, or `security.tlsVerify` off). Written after
   * `pinRefused`, and only while set.
   */
  readonly tlsUnverified?: string;
}

export interface SupervisionCounters {
  readonly wakeup: number;
  readonly magnetWakeup: number;
  readonly bleWakeup: number;
  readonly ftp: number;
  readonly alarms: number;
  readonly radio: number;
  readonly usb: number;
  readonly wd: number;
  readonly fault: number;
  /**
   * Product extensions, not in §5.7, named like its counters and written after `fault` when given:
   * frames the full frame store overwrote before they were uploaded, and files (log, supervision,
   * ACK, alarm, configuration copy) the file partition had no room for. Each is something the
   * server will never get.
   */
  readonly framesLost?: number;
  readonly filesDropped?: number;
}

/** Seconds since 1970-01-01 UTC; each is optional (§5.7) and left out when undefined. */
export interface SupervisionDates {
  readonly lastConfig?: number;
  readonly lastUpdate?: number;
  readonly lastPowerOn?: number;
  readonly lastCnxOk?: number;
  readonly lastCnxKo?: number;
  /** Product extension, after the §5.7 dates: the last rollback of a firmware update (tasks/firmware/updater.ts). */
  readonly lastRollback?: number;
}

export interface SupervisionBattery {
  /** Months left; null until a month of use allows an estimate. */
  readonly remainTime: number | null;
  readonly capaPrcent: number;
  readonly capamAh: number;
}

export interface SupervisionWmBus {
  readonly CptRxPreamb: number;
  readonly CptRxSync: number;
  readonly CPtRxFrames: number;
  readonly CptRxFramesCrcKo: number;
  readonly CptRxFramesDecodeKo: number;
  readonly CptRxFramesLenKo: number;
  readonly CptRxOverrun: number;
  readonly CptRxTimeOut: number;
  readonly CptRecFrames: number;
  /**
   * Product extension, named as the §5.7 counters: of CptRecFrames, the frames recorded raw under
   * their DLL identity because an upper header (ELL, AFL, TPL) is malformed. Written after
   * CptRecFrames when given, so a file without it is the manual's.
   */
  readonly CptRecFramesHeaderKo?: number;
}

export interface Supervision {
  readonly identity: SupervisionIdentity;
  readonly version: SupervisionVersion;
  readonly uptime: SupervisionUptime;
  readonly measures: SupervisionMeasures;
  readonly modem: SupervisionModem;
  readonly counters: SupervisionCounters;
  readonly dates: SupervisionDates;
  readonly battery: SupervisionBattery;
  readonly WmBus: SupervisionWmBus;
}

/**
 * §5.7 temperature histogram bins, in file order. A reading goes to the first bin whose `below`
 * exceeds it: each bin holds [previous bound, `below`), so 0 °C counts in "0°C to 10°C" and
 * 40 °C in "above 40°C".
 */
export const TEMPERATURE_BINS: readonly { readonly label: string; readonly below: number }[] = freezeTable([
  { label: 'below -10°C', below: -10 },
  { label: '-10°C to 0°C', below: 0 },
  { label: '0°C to 10°C', below: 10 },
  { label: '10°C to 20°C', below: 20 },
  { label: '20°C to 30°C', below: 30 },
  { label: '30°C to 40°C', below: 40 },
  { label: 'above 40°C', below: Infinity },
]);

/** Index in TEMPERATURE_BINS of a reading in °C. */
export function temperatureBin(celsius: number): number {
  for (let i = 0; i < TEMPERATURE_BINS.length - 1; i++) if (celsius < TEMPERATURE_BINS[i].below) return i;
  return TEMPERATURE_BINS.length - 1;
}

function histogramDocument(counts: readonly number[]): BsonDocument {
  const doc: BsonDocument = {};
  for (let i = 0; i < TEMPERATURE_BINS.length; i++) doc[TEMPERATURE_BINS[i].label] = i < counts.length ? counts[i] : 0;
  return doc;
}

const DATE_KEYS: readonly (keyof SupervisionDates)[] = freezeTable(['lastConfig', 'lastUpdate', 'lastPowerOn', 'lastCnxOk', 'lastCnxKo', 'lastRollback']);

function datesDocument(dates: SupervisionDates): BsonDocument {
  const doc: BsonDocument = {};
  for (const key of DATE_KEYS) {
    const t = dates[key];
    if (t !== undefined) doc[key] = secondsValue(t);
  }
  return doc;
}

/** The `supervision` section, keys in the order of §5.7. */
export function supervisionSection(s: Supervision): BsonDocument {
  const { identity, version, uptime, measures, modem, counters, battery, WmBus } = s;
  const q = modem.quality;
  const section: Record<string, BsonValue> = {
    identity: { uid: identity.uid, name: identity.name, SN: identity.SN },
    version: { hw: version.hw, sw: version.sw, swBle: version.swBle, swModem: version.swModem },
    uptime: { run: uptime.run, radio: uptime.radio, modem: uptime.modem, lowPower: uptime.lowPower },
    measures: { vAlim: measures.vAlim, temperature: measures.temperature, histogram: histogramDocument(measures.histogram) },
    modem: {
      rssi: modem.rssi,
      quality: { rssi: q.rssi, rsrp: q.rsrp, rsrq: q.rsrq, sinr: q.sinr },
      nwinfo: modem.nwinfo,
      imei: modem.imei,
      iccid: modem.iccid,
      num: modem.num,
      operator: modem.operator,
      mode: modem.mode,
      ...(modem.pinRefused !== undefined ? { pinRefused: modem.pinRefused } : {}),
      ...(modem.tlsUnverified !== undefined ? { tlsUnverified: modem.tlsUnverified } : {}),
    },
    counters: {
      wakeup: counters.wakeup,
      magnetWakeup: counters.magnetWakeup,
      bleWakeup: counters.bleWakeup,
      ftp: counters.ftp,
      alarms: counters.alarms,
      radio: counters.radio,
      usb: counters.usb,
      wd: counters.wd,
      fault: counters.fault,
      ...(counters.framesLost !== undefined ? { framesLost: counters.framesLost } : {}),
      ...(counters.filesDropped !== undefined ? { filesDropped: counters.filesDropped } : {}),
    },
    dates: datesDocument(s.dates),
    battery: { remainTime: battery.remainTime, capaPrcent: battery.capaPrcent, capamAh: battery.capamAh },
    WmBus: {
      CptRxPreamb: WmBus.CptRxPreamb,
      CptRxSync: WmBus.CptRxSync,
      CPtRxFrames: WmBus.CPtRxFrames,
      CptRxFramesCrcKo: WmBus.CptRxFramesCrcKo,
      CptRxFramesDecodeKo: WmBus.CptRxFramesDecodeKo,
      CptRxFramesLenKo: WmBus.CptRxFramesLenKo,
      CptRxOverrun: WmBus.CptRxOverrun,
      CptRxTimeOut: WmBus.CptRxTimeOut,
      CptRecFrames: WmBus.CptRecFrames,
      ...(WmBus.CptRecFramesHeaderKo !== undefined ? { CptRecFramesHeaderKo: WmBus.CptRecFramesHeaderKo } : {}),
    },
  };
  return section;
}

/** §5.7: `{ uid, source, TS, supervision: {…} }` (the codec appends `crc`). */
export function buildSupervisionDocument(header: FileHeader, supervision: Supervision): BsonDocument {
  return { ...headerFields(header), supervision: supervisionSection(supervision) };
}
