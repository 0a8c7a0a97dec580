import type { ModemTechnology } from '../../drivers/modem/types';
import type { PowerDesign } from '../power/reference-design';
import type { ScheduledDay } from './activity';
import type { DayActivity, PlanModel } from './model';
import type { ProbeOutcome } from './probe';

/** Rows of the manual's battery table (§1.6.4): listening window, minutes. */
export const TABLE_WINDOW_MINUTES: readonly number[] = [2, 4, 5, 6, 8, 10, 12, 15, 20, 30];
/** Its columns: uploads a day. */
export const TABLE_UPLOADS: readonly { readonly label: string; readonly perDay: number }[] = [
  { label: '2 uploads/day', perDay: 2 },
  { label: '1 upload/day', perDay: 1 },
  { label: '1 upload/week', perDay: 1 / 7 },
];

export interface PlanOptions {
  readonly network?: ModemTechnology;
  /** Whose power design the probes charge (sim/power/reference-design.ts); default this product's. */
  readonly design?: PowerDesign;
  readonly meters?: number;
  readonly framesPerWindow?: number;
}

export interface PlanFigures {
  readonly activity: DayActivity;
  readonly mAhPerDay: Readonly<Record<string, number>>;
  readonly totalMahPerDay: number;
  readonly years: number;
}

export interface Plan {
  /** The technology the probes used: forced, or the configuration's mode. */
  readonly network: string;
  readonly design: PowerDesign;
  readonly meters: number;
  /** Frames recorded a window in the table (and the configuration): given, or the reference probe's. */
  readonly framesPerWindow: number;
  readonly framesPerWindowGiven: boolean;
  readonly schedule: ScheduledDay;
  readonly configuration: PlanFigures;
  readonly table: readonly { readonly windowMinutes: number; readonly cells: readonly PlanFigures[] }[];
  readonly probes: readonly ProbeOutcome[];
  readonly model: PlanModel;
}

