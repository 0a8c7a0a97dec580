import type { Scenario } from '../scenario';
import { createRandom, deriveSeed } from '../world/random';
import { createPopulation, type Population } from './population';

/** The population's random stream label among a run's streams (sim/run.ts derives the others). */
export const POPULATION_STREAM = 1;

/** The population a run of `scenario` puts on the air: its seed's population stream, epoch at the run's start. */
export function sitePopulation(scenario: Scenario): Population {
  return createPopulation({ ...scenario.meters, epochMs: Date.parse(scenario.start) }, createRandom(deriveSeed(scenario.seed, POPULATION_STREAM)));
}
