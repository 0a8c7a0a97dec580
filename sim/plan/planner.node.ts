import { toExtendedJson, type JsonValue } from '../../protocol/bson/ejson';
import type { BsonDocument } from '../../protocol/bson/types';
import type { Config } from '../../protocol/config/types';
import { FTP_UPLOAD_DATA, FTP_UPLOAD_LOG, FTP_UPLOAD_SUPERVISION } from '../../protocol/config/types';
import { runScenarioOnNode } from '../cli/main.node';
import { scheduledDay } from './activity';
import { fitModel, predict, projectedYears, total, type DayActivity, type PlanModel } from './model';
import { TABLE_UPLOADS, TABLE_WINDOW_MINUTES, type Plan, type PlanFigures, type PlanOptions } from './types';
import { ONE_UPLOAD_CRONS, ProbeRecorder, TWO_UPLOAD_CRONS, probeScenario, type ProbeOutcome, type ProbeSite } from './probe';

const SECONDS_PER_MINUTE = 60;
/** The reference window of the probes (the default site's) and the longer one that prices listening. */
const REFERENCE_WINDOW_S = 300;
const LONG_WINDOW_S = 900;
const ALL_UPLOAD_DATA = FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION | FTP_UPLOAD_LOG;

function figures(model: PlanModel, activity: DayActivity): PlanFigures {
  const mAhPerDay = predict(model, activity);
  const t = total(mAhPerDay);
  return { activity, mAhPerDay, totalMahPerDay: t, years: projectedYears(t) };
}

async function runProbe(site: ProbeSite, label: string, windowSeconds: number, crons: readonly string[]): Promise<ProbeOutcome> {
  const recorder = new ProbeRecorder(label);
  await runScenarioOnNode(probeScenario(site, label, windowSeconds, crons), { onDayEnd: recorder.onDayEnd }, () => undefined);
  const outcome = recorder.outcome();
  if (outcome.sessions === 0 || outcome.sessionsOk < outcome.sessions) {
    throw new Error(`planner: probe "${label}": ${outcome.sessionsOk} of ${outcome.sessions} sessions succeeded with this configuration on the simulator's servers`);
  }
  return outcome;
}

/**
 * The battery-life plan of a configuration (`wmbus plan`): three simulator probes of the same box
 * (the configuration's radio, filters, transport and modem; the chosen network and meters), one
 * variable changed at a time, price a listening second, a session and a frame for each
 * component (sim/plan/model.ts); the configuration's own schedule and the manual's table are
 * then computed from those prices.
 */
export async function planConfiguration(doc: BsonDocument, config: Config, options: PlanOptions = {}): Promise<Plan> {
  const json = toExtendedJson(doc) as { config: Record<string, JsonValue> };
  const firstData = config.scheduleFTP[0]?.data;
  const site: ProbeSite = {
    configJson: { config: json.config },
    modes: Array.isArray(config.radio.mode) ? config.radio.mode.length : 1,
    ...(options.network !== undefined ? { network: options.network } : {}),
    meters: options.meters ?? 300,
    uploadData: firstData !== undefined && firstData !== 0 ? firstData : ALL_UPLOAD_DATA,
    design: options.design ?? 'this',
  };
  const reference = await runProbe(site, 'reference', REFERENCE_WINDOW_S, ONE_UPLOAD_CRONS);
  const longWindow = await runProbe(site, 'long window', LONG_WINDOW_S, ONE_UPLOAD_CRONS);
  const twoUploads = await runProbe(site, 'two uploads', REFERENCE_WINDOW_S, TWO_UPLOAD_CRONS);
  const model = fitModel({ reference, longWindow, twoUploads });

  const given = options.framesPerWindow !== undefined;
  const framesPerWindow = options.framesPerWindow ?? reference.framesPerWindow;
  const schedule = scheduledDay(config);
  const configuration = figures(model, {
    listeningSeconds: schedule.listeningSeconds,
    sessions: schedule.uploads,
    frames: framesPerWindow * schedule.windows,
  });
  const table = TABLE_WINDOW_MINUTES.map((windowMinutes) => ({
    windowMinutes,
    cells: TABLE_UPLOADS.map((u) => figures(model, { listeningSeconds: windowMinutes * SECONDS_PER_MINUTE, sessions: u.perDay, frames: framesPerWindow })),
  }));
  return {
    network: options.network ?? config.remote.modem.mode,
    design: site.design,
    meters: site.meters,
    framesPerWindow,
    framesPerWindowGiven: given,
    schedule,
    configuration,
    table,
    probes: [reference, longWindow, twoUploads],
    model,
  };
}
