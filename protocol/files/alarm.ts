import type { BsonDocument } from '../bson/types';
import { FileHeader, headerFields } from './header';

/** §5.4: what crossed its threshold (§4.2.4): temperature, battery level, or clock drift against NTP. */
export type AlarmType = 'temperature' | 'battery' | 'ntp';

export interface Alarm {
  readonly type: AlarmType;
  /** The measured value that triggered it: °C, % of battery, or seconds of drift. */
  readonly value: number;
  /**
   * Product extension (docs/alarms.md): the alarm went back past its threshold and margin. §5.4
   * has no way to say an alarm ended; its file is the same document with `alarm.cleared: true`.
   */
  readonly cleared?: boolean;
}

/** Key of the product extension in `alarm` (written on cleared reports only). */
export const ALARM_CLEARED_KEY = 'cleared';

/**
 * §5.4: `{ uid, source, TS, alarm: { type, value } }`. The manual's example also carries
 * `frameCount: 2`, which the parameter table does not list (copied from the data example), so it
 * is not written. A cleared report adds `cleared: true` after `value` (product extension, see
 * `Alarm.cleared`); an alarm that becomes active is written exactly as §5.4 has it, so a head-end
 * that knows only §5.4 reads those unchanged.
 */
export function buildAlarmDocument(header: FileHeader, alarm: Alarm): BsonDocument {
  const body: BsonDocument = { type: alarm.type, value: alarm.value };
  if (alarm.cleared === true) body[ALARM_CLEARED_KEY] = true;
  return { ...headerFields(header), alarm: body };
}
