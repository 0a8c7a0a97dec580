import * as fs from 'node:fs';
import { ScenarioError, checkScenario, parseScenarioText } from './scenario-check';

/**
 * `--scenario FILE`: the file's JSON, checked (scenario-check.ts). Throws a ScenarioError with a
 * message for the user when it is missing, unreadable, not JSON or not a scenario.
 */
export function readScenarioFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ScenarioError(`scenario file ${file} not found`);
    if (code === 'EISDIR') throw new ScenarioError(`scenario file ${file} is a directory`);
    throw new ScenarioError(`cannot read scenario file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const json = parseScenarioText(text, file);
  checkScenario(json, file);
  return json;
}
