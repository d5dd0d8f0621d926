import { scopeLevelOf } from '@reachmap/schema';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { sameLies } from './agent-lies.ts';
import { type Scenario, ScenarioShape } from './scenario-schema.ts';

/** One problem in a scenario file, at a YAML path such as `regions[0].censor[1].action`. */
export interface ScenarioIssue {
  path: string;
  message: string;
}

export type ParseScenarioResult = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

export class InvalidScenarioError extends Error {
  override readonly name = 'InvalidScenarioError';
  readonly issues: ScenarioIssue[];

  constructor(source: string, issues: ScenarioIssue[]) {
    super(`${source}: ${issues.map(formatScenarioIssue).join('; ')}`);
    this.issues = issues;
  }
}

export function formatScenarioIssue(issue: ScenarioIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

/** `['regions', 0, 'censor', 1, 'action']` → `regions[0].censor[1].action`. */
export function yamlPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** The country of an ISO 3166-2 region: `RU-MOW` → `RU`. */
export function countryOfRegion(regionId: string): string {
  return regionId.slice(0, 2);
}

/** References inside a scenario that a schema cannot express: scopes, phases and agent indices. */
function crossReferenceIssues(scenario: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const scopes = new Set<string>();
  const seen = new Set<string>();
  scenario.regions.forEach((region, r) => {
    const key = `${region.id}/AS${region.asn}`;
    if (seen.has(key))
      issues.push({ path: `regions[${r}]`, message: `duplicate region ${region.id} with ASN ${region.asn}` });
    seen.add(key);
    scopes.add(region.id).add(countryOfRegion(region.id)).add(`AS${region.asn}`);
    region.censor.forEach((rule, c) => {
      for (const agent of rule.match.agents ?? []) {
        if (agent >= region.agents) {
          issues.push({
            path: `regions[${r}].censor[${c}].match.agents`,
            message: `agent ${agent} does not exist: the region has ${region.agents} agents (0-based)`,
          });
        }
      }
    });
  });
  if (scenario.interval >= scenario.duration) {
    issues.push({ path: 'interval', message: 'must be shorter than duration' });
  }
  scenario.phases.forEach((phase, p) => {
    if (phase.at >= scenario.duration)
      issues.push({ path: `phases[${p}].at`, message: 'must be before the end' });
    const regions = scenario.regions.filter(
      (region) => region.id === phase.region && (phase.asn === undefined || region.asn === phase.asn),
    );
    if (regions.length === 0) {
      issues.push({ path: `phases[${p}].region`, message: `no region ${phase.region} in this scenario` });
    }
    // Agents are started with their lies (`--lie`) and keep them: a phase replaces network rules only.
    const changed = regions.find((region) => !sameLies(region.censor, phase.censor, region.agents));
    if (changed !== undefined) {
      issues.push({
        path: `phases[${p}].censor`,
        message: `a phase cannot change lie rules: agents lie from their start to the end; repeat region ${changed.id}'s lie rules unchanged`,
      });
    }
    phase.censor.forEach((rule, c) => {
      const agents = Math.min(...regions.map((region) => region.agents));
      for (const agent of rule.match.agents ?? []) {
        if (agent >= agents) {
          issues.push({
            path: `phases[${p}].censor[${c}].match.agents`,
            message: `agent ${agent} does not exist`,
          });
        }
      }
    });
  });
  scenario.expect.forEach((expectation, e) => {
    if (!scopes.has(expectation.scope)) {
      issues.push({
        path: `expect[${e}].scope`,
        message: `no ${scopeLevelOf(expectation.scope)} ${expectation.scope} in this scenario's regions`,
      });
    }
    if ('after' in expectation && (expectation.after ?? 0) >= scenario.duration) {
      issues.push({ path: `expect[${e}].after`, message: 'must be before the end' });
    }
  });
  return issues;
}

function zodIssues(error: z.ZodError): ScenarioIssue[] {
  return error.issues.map((issue) => ({ path: yamlPath(issue.path), message: issue.message }));
}

/** Parses and validates scenario YAML; errors are values naming the YAML path. */
export function parseScenario(yamlText: string): ParseScenarioResult {
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (error) {
    if (error instanceof YAMLParseError) return { ok: false, issues: [{ path: '', message: error.message }] };
    throw error;
  }
  const parsed = ScenarioShape.safeParse(document);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const issues = crossReferenceIssues(parsed.data);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, scenario: parsed.data };
}
