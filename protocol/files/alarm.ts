import type { BsonDocument } from '../bson/types';
import { FileHeader, headerFields } from './header';

/** §5.4: what crossed its threshold (§4.2.4): temperature, battery level, or clock drift against NTP. */
export type AlarmType = 'temperature' | 'battery' | 'ntp';

export interface Alarm {
  readonly type: AlarmType;
  /** The measured value that triggered it: °C, % of battery, or seconds of drift. */
  readonly value: number;
}

/**
 * §5.4: `{ uid, source, TS, alarm: { type, value } }`. The manual's example also carries
 * `frameCount: 2`, which the parameter table does not list (copied from the data example), so it
 * is not written.
 */
export function buildAlarmDocument(header: FileHeader, alarm: Alarm): BsonDocument {
  return { ...headerFields(header), alarm: { type: alarm.type, value: alarm.value } };
}
