import type { Identity } from '../board';
import type { BatteryReading } from '../../drivers/gauge/types';
import type { ModemInfo } from '../../drivers/modem/types';
import type { Config, ModemMode } from '../../protocol/config/types';
import type { Supervision, SupervisionDates } from '../../protocol/files/supervision';
import type { CounterSet } from '../counters';
import { estimateBattery } from '../battery-estimate';

const DECI = 10;

/** What the last connection told about the modem, kept across deep sleeps for §5.7 files. */
export interface ModemSummary {
  readonly rssi: number | null;
  readonly quality: { readonly rssi: number | null; readonly rsrp: number | null; readonly rsrq: number | null; readonly sinr: number | null };
  readonly nwinfo: string;
  readonly imei: string;
  readonly iccid: string;
  readonly num: string;
  readonly operator: string;
  readonly firmware: string;
  /** ICCID whose refused PIN stopped the last session (ModemInfo.pinRefused); absent otherwise. */
  readonly pinRefused?: string;
  /** Server host of the last TLS session when it ran without verifying the server (ModemInfo.tlsUnverified); absent otherwise. */
  readonly tlsUnverified?: string;
}

export function summarizeModem(info: ModemInfo): ModemSummary {
  const q = info.quality;
  return {
    rssi: info.rssi ?? null,
    quality: { rssi: q.rssi ?? null, rsrp: q.rsrp ?? null, rsrq: q.rsrq ?? null, sinr: q.sinr ?? null },
    nwinfo: info.nwinfo ?? '',
    imei: info.imei ?? '',
    iccid: info.iccid ?? '',
    num: info.num ?? '',
    operator: info.operator ?? '',
    firmware: info.firmware ?? '',
    ...(info.pinRefused !== undefined ? { pinRefused: info.pinRefused } : {}),
    ...(info.tlsUnverified !== undefined ? { tlsUnverified: info.tlsUnverified } : {}),
  };
}

/** §5.7 `modem.mode` writes LTE-M as `LTEM` (as its example shows). */
function supervisionMode(mode: ModemMode): string {
  return mode === 'LTE-M' ? 'LTEM' : mode;
}

export interface SupervisionSources {
  readonly identity: Identity;
  readonly config: Config;
  readonly counters: CounterSet;
  readonly modem: ModemSummary | undefined;
  readonly reading: BatteryReading;
  readonly capacityMah: number;
  /** Application and BLE module versions (`version.sw`, `version.swBle`). */
  readonly sw: string;
  readonly swBle: string;
  /** Now, UTC seconds (the battery estimate needs the time since power-on). */
  readonly nowSec: number;
}

function dateOf(seconds: number): number | undefined {
  return seconds > 0 ? seconds : undefined;
}

/** The §5.7 supervision content from the counters, the battery gauge and the last connection. */
export function buildSupervision(s: SupervisionSources): Supervision {
  const c = s.counters;
  const m = s.modem;
  const r = c.radio;
  const hw = parseInt(s.identity.hardwareVersion, 10);
  const dates: SupervisionDates = {
    ...(dateOf(c.lastConfig) !== undefined ? { lastConfig: c.lastConfig } : {}),
    ...(dateOf(c.lastUpdate) !== undefined ? { lastUpdate: c.lastUpdate } : {}),
    ...(dateOf(c.lastPowerOn) !== undefined ? { lastPowerOn: c.lastPowerOn } : {}),
    ...(dateOf(c.modem.lastCnxOk) !== undefined ? { lastCnxOk: c.modem.lastCnxOk } : {}),
    ...(dateOf(c.modem.lastCnxKo) !== undefined ? { lastCnxKo: c.modem.lastCnxKo } : {}),
    ...(dateOf(c.lastRollback) !== undefined ? { lastRollback: c.lastRollback } : {}),
  };
  return {
    identity: { uid: s.identity.uid, name: s.config.name, SN: s.identity.sn },
    version: { hw: Number.isFinite(hw) ? hw : 0, sw: s.sw, swBle: s.swBle, swModem: m?.firmware ?? '' },
    uptime: { run: c.uptime.run, radio: c.uptime.radio, modem: c.uptime.modem, lowPower: c.uptime.lowPower },
    measures: { vAlim: s.reading.voltageMv, temperature: Math.round(s.reading.temperatureDeciC / DECI), histogram: c.histogram },
    modem: {
      rssi: m?.rssi ?? null,
      quality: m?.quality ?? { rssi: null, rsrp: null, rsrq: null, sinr: null },
      nwinfo: m?.nwinfo ?? '',
      imei: m?.imei ?? '',
      iccid: m?.iccid ?? '',
      num: m?.num ?? '',
      operator: m?.operator ?? '',
      mode: supervisionMode(s.config.remote.modem.mode),
      ...(m?.pinRefused !== undefined ? { pinRefused: m.pinRefused } : {}),
      ...(m?.tlsUnverified !== undefined ? { tlsUnverified: m.tlsUnverified } : {}),
    },
    counters: { ...c.wake, framesLost: r.overwrittenPending, filesDropped: c.modem.filesDropped },
    dates,
    battery: estimateBattery({ usedMah: s.reading.chargeUsedMah, capacityMah: s.capacityMah, powerOnSec: c.lastPowerOn, nowSec: s.nowSec }),
    WmBus: {
      CptRxPreamb: r.preambles,
      CptRxSync: r.syncs,
      CPtRxFrames: r.frames,
      CptRxFramesCrcKo: r.crcErrors,
      CptRxFramesDecodeKo: r.decodeErrors,
      CptRxFramesLenKo: r.lengthErrors,
      CptRxOverrun: r.overruns,
      CptRxTimeOut: r.timeouts,
      CptRecFrames: r.recorded,
      CptRecFramesHeaderKo: r.headerErrors,
    },
  };
}
