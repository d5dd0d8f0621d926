import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidScenarioError, parseScenario } from './parse-scenario.ts';
import type { Scenario } from './scenario-schema.ts';

/** Where the shipped scenarios live: infra/lab/scenarios/<name>.yaml. */
export const SCENARIO_DIR = fileURLToPath(new URL('../../../../infra/lab/scenarios/', import.meta.url));

export function listScenarioFiles(dir: string = SCENARIO_DIR): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => `${dir}${file}`);
}

/** Reads and validates one scenario file (a path, or a name from the shipped catalogue). */
export function loadScenario(pathOrName: string): Scenario {
  const path = pathOrName.endsWith('.yaml') ? pathOrName : `${SCENARIO_DIR}${pathOrName}.yaml`;
  const result = parseScenario(readFileSync(path, 'utf8'));
  if (!result.ok) throw new InvalidScenarioError(path, result.issues);
  return result.scenario;
}
