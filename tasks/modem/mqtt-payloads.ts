import type { Clock } from '../../protocol/ports/clock';
import { encodeFrameJson, frameTopic, isoTime } from '../../protocol/mqtt/json-frame';
import type { ModemInfo } from '../../drivers/modem/types';
import { encodeContainer, encodeReady, encodeStatus, gatewaySerial, type LansenStatus } from '../../protocol/mqtt/lansen';
import type { MqttRoutes } from '../../protocol/mqtt/routes';
import { utf8Encode } from '../../protocol/text/utf8';
import type { MqttPayloads } from './mqtt-phase';

const MS_PER_SECOND = 1000;

/** The box's figures at the start of a connection, for the status message. */
export interface DeviceStatus {
  /** Frames delivered since the counters were last cleaned (the box deep-sleeps: RAM does not outlive a window). */
  readonly framesDelivered: number;
  /** Seconds awake (RUN, radio and modem) since the counters were last cleaned. */
  readonly uptimeSec: number;
  /** Of which the radio listened and the modem was on. */
  readonly radioSec: number;
  readonly modemSec: number;
  /** Meters in the white list. */
  readonly whitelistSize: number;
  /** Battery, % of the pack; null when the gauge has no reading. */
  readonly batteryPercent: number | null;
  readonly batteryMv: number | null;
  readonly temperatureC: number | null;
  /** Application version, `MM.mm` (supervision `version.sw`). */
  readonly firmware: string;
}

export type StatusSource = () => DeviceStatus;

/**
 * What each payload format (configuration `remote.mqtt.format`, docs/mqtt.md) makes of frames,
 * status and the ready signal: Lansen containers and packets (seed 002), one JSON object per frame
 * on its meter's topic, or BSON data files (frames then travel in the outbox's data files).
 */
export function mqttPayloads(routes: MqttRoutes, uid: string, clock: Clock, status: StatusSource | undefined, modem: () => ModemInfo | undefined): MqttPayloads {
  const nowSec = (): number => Math.floor(clock.now() / MS_PER_SECOND);
  if (routes.format === 'lansen') {
    const serial = gatewaySerial(uid);
    return {
      frame: (f) => ({ topic: routes.data, payload: encodeContainer(f, serial) }),
      ...(status !== undefined ? { status: () => encodeStatus(lansenStatus(status(), modem(), nowSec()), serial) } : {}),
      ready: () => encodeReady(serial),
    };
  }
  const json = (value: unknown): Uint8Array => utf8Encode(JSON.stringify(value));
  const statusJson = status === undefined ? undefined : (): Uint8Array => json({ uid, time: isoTime(nowSec()), ...status() });
  const ready = (): Uint8Array => json({ uid, time: isoTime(nowSec()), ready: true });
  if (routes.format === 'json') {
    return {
      frame: (f) => ({ topic: frameTopic(routes.prefix, f), payload: encodeFrameJson(f, { uid }) }),
      ...(statusJson !== undefined ? { status: statusJson } : {}),
      ready,
    };
  }
  return { ...(statusJson !== undefined ? { status: statusJson } : {}), ready };
}

const SECONDS_PER_DAY = 86_400;
const VERSION_PART = 256;

/** `MM.mm` as the 16-bit number of the status packet's DR3 (major in the high byte). */
function versionNumber(text: string): number {
  const dot = text.indexOf('.');
  const major = Number(dot < 0 ? text : text.slice(0, dot));
  const minor = dot < 0 ? 0 : Number(text.slice(dot + 1));
  if (!Number.isInteger(major) || !Number.isInteger(minor)) return 0;
  return (major % VERSION_PART) * VERSION_PART + (minor % VERSION_PART);
}

/**
 * The Lansen status records this box can fill (protocol/mqtt/lansen.ts lists those it leaves
 * out). The radio never listens during a session (they share the RF slot).
 */
function lansenStatus(s: DeviceStatus, info: ModemInfo | undefined, timeSec: number): LansenStatus {
  return {
    packetsSent: s.framesDelivered,
    whitelistSize: s.whitelistSize,
    firmwareVersion: versionNumber(s.firmware),
    listening: false,
    time: timeSec,
    batteryMv: s.batteryMv ?? 0,
    ...(info?.imei !== undefined ? { imei: info.imei } : {}),
    ...(info?.iccid !== undefined ? { iccid: info.iccid } : {}),
    ...(info?.rssi !== undefined ? { modemRssi: info.rssi } : {}),
    uptimeDays: Math.floor(s.uptimeSec / SECONDS_PER_DAY),
    modemOnSeconds: s.modemSec,
    radioListenSeconds: s.radioSec,
  };
}
