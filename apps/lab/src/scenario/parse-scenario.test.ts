import { basename } from 'node:path';
import { loadCatalogue } from '@reachmap/targets';
import { describe, expect, it } from 'vitest';
import { resolveRules } from '../censor/resolve-rules.ts';
import { formatScenarioIssue, parseScenario } from './parse-scenario.ts';
import { listScenarioFiles, loadScenario } from './scenario-files.ts';

const BRIEF_EXAMPLE = `
name: sni-reset-whatsapp
description: TSPU-style SNI reset for WhatsApp in one region
duration: 240s
interval: 15s
regions:
  - id: RU-MOW
    asn: 64500
    agents: 3
    censor:
      - { match: { sni: "*.whatsapp.net" }, action: reset }
      - { match: { target: telegram, proto: tcp }, action: { police: 128kbit } }
  - id: DE-BE
    asn: 64501
    agents: 2
phases:
  - { at: 120s, region: RU-MOW, censor: [] }
expect:
  - { scope: RU-MOW, target: whatsapp, state: blocked, layer: tls, within: 90s }
  - { scope: RU-MOW, target: telegram, state: throttled, within: 120s }
  - { scope: DE-BE, target: whatsapp, state: accessible }
  - { scope: RU-MOW, target: whatsapp, event: block.ended, after: 120s, within: 90s }
  - { noEvent: block.started, scope: DE-BE }
`;

function issuesOf(yaml: string): string[] {
  const result = parseScenario(yaml);
  return result.ok ? [] : result.issues.map(formatScenarioIssue);
}

describe('parseScenario', () => {
  it('parses the documented example into milliseconds, bits per second and normalised actions', () => {
    const result = parseScenario(BRIEF_EXAMPLE);
    if (!result.ok) throw new Error(result.issues.map(formatScenarioIssue).join('; '));
    const { scenario } = result;
    expect(scenario.duration).toBe(240_000);
    expect(scenario.regions[0]?.censor[1]?.action).toEqual({ kind: 'police', rateBps: 128_000 });
    expect(scenario.regions[0]?.censor[0]?.action).toEqual({ kind: 'reset' });
    expect(scenario.regions[1]?.censor).toEqual([]);
    expect(scenario.phases[0]).toMatchObject({ at: 120_000, region: 'RU-MOW', censor: [] });
    expect(scenario.expect[3]).toMatchObject({ event: 'block.ended', after: 120_000, within: 90_000 });
  });

  it.each([
    [
      'an unknown action',
      'action: reset }',
      'action: zap }',
      'regions[0].censor[0].action: unknown action "zap"',
    ],
    [
      'an unknown object action',
      'action: reset }',
      'action: { zap: 1 } }',
      'regions[0].censor[0].action: unknown action "zap"',
    ],
    [
      'an action named after an inherited property',
      'action: reset }',
      'action: { constructor: 1 } }',
      'regions[0].censor[0].action: unknown action "constructor"',
    ],
    ['a bad rate', 'police: 128kbit', 'police: fast', 'regions[0].censor[1].action.police: expected a rate'],
    ['a bad duration', 'duration: 240s', 'duration: soon', 'duration: expected a duration'],
    ['an unknown match key', 'sni: "*.whatsapp.net"', 'snii: "*.whatsapp.net"', 'regions[0].censor[0].match'],
    [
      'a scope not in the scenario',
      'scope: DE-BE, target: whatsapp',
      'scope: FR-75C, target: whatsapp',
      'expect[2].scope: no region FR-75C',
    ],
    [
      'a phase for a missing region',
      'region: RU-MOW, censor: []',
      'region: RU-SPE, censor: []',
      'phases[0].region: no region RU-SPE',
    ],
    ['a bad event type', 'event: block.ended', 'event: block.finished', 'expect[3].event'],
  ])('points at the YAML path for %s', (_name, from, to, message) => {
    const issues = issuesOf(BRIEF_EXAMPLE.replace(from, to));
    expect(issues.join('\n')).toContain(message);
  });

  it('rejects agent indices beyond the region', () => {
    const yaml = BRIEF_EXAMPLE.replace('{ sni: "*.whatsapp.net" }', '{ sni: "*.whatsapp.net", agents: [3] }');
    expect(issuesOf(yaml).join()).toContain('regions[0].censor[0].match.agents: agent 3 does not exist');
  });

  it.each([
    [
      'a status the agent cannot fabricate',
      '{ match: { target: whatsapp }, action: { lie: ok } }',
      'regions[0].censor[0].action.lie: the agent can fabricate only blocked, throttled, stalled, not "ok"',
    ],
    [
      'a lie without a target',
      '{ match: { agents: [0] }, action: { lie: blocked } }',
      'regions[0].censor[0].match.target: a lie rule needs a target',
    ],
    [
      'a lie that selects flows',
      '{ match: { target: whatsapp, sni: "*.whatsapp.net" }, action: { lie: blocked } }',
      'regions[0].censor[0].match.sni: a lie rule matches only target and agents',
    ],
    [
      'a lie drawn per flow',
      '{ match: { target: whatsapp, share: 0.5 }, action: { lie: stalled } }',
      'regions[0].censor[0].match.share: a lie rule matches only target and agents',
    ],
  ])('refuses %s', (_name, rule, message) => {
    const yaml = BRIEF_EXAMPLE.replace('{ match: { sni: "*.whatsapp.net" }, action: reset }', rule);
    expect(issuesOf(yaml).join('\n')).toContain(message);
  });

  const LYING = BRIEF_EXAMPLE.replace(
    '{ match: { sni: "*.whatsapp.net" }, action: reset }',
    '{ match: { target: whatsapp, agents: [0] }, action: { lie: blocked } }',
  );

  it('refuses a phase that drops or changes lie rules: agents lie from their start', () => {
    expect(issuesOf(LYING).join()).toContain(
      "phases[0].censor: a phase cannot change lie rules: agents lie from their start to the end; repeat region RU-MOW's lie rules unchanged",
    );
    const changed = LYING.replace(
      'region: RU-MOW, censor: []',
      'region: RU-MOW, censor: [{ match: { target: whatsapp, agents: [1] }, action: { lie: blocked } }]',
    );
    expect(issuesOf(changed).join()).toContain('phases[0].censor: a phase cannot change lie rules');
  });

  it('accepts a phase that keeps the lie rules and changes the network rules', () => {
    const kept = LYING.replace(
      'region: RU-MOW, censor: []',
      'region: RU-MOW, censor: [{ match: { target: telegram }, action: drop }, { match: { target: whatsapp, agents: [0] }, action: { lie: blocked } }]',
    );
    expect(issuesOf(kept)).toEqual([]);
  });

  it('reports YAML syntax errors as issues', () => {
    expect(issuesOf('name: [unclosed')).toHaveLength(1);
  });

  it('accepts every lie status the agent can fabricate', () => {
    for (const status of ['blocked', 'throttled', 'stalled']) {
      const rule = `{ match: { target: whatsapp, agents: [0] }, action: { lie: ${status} } }`;
      const yaml = BRIEF_EXAMPLE.replace('{ match: { sni: "*.whatsapp.net" }, action: reset }', rule).replace(
        'region: RU-MOW, censor: []',
        `region: RU-MOW, censor: [${rule}]`,
      );
      expect(issuesOf(yaml), status).toEqual([]);
    }
  });

  it('accepts every action form of the format', () => {
    const actions = [
      'drop',
      'reset',
      'blockpage',
      'outage',
      '{ dns: nxdomain }',
      '{ dns: servfail }',
      '{ dns: { a: 198.18.0.80 } }',
      '{ police: 2mbit }',
      '{ stallAfter: 16384 }',
      '{ stallAfter: 16KiB }',
      '{ loss: 5%, delay: 80ms }',
      '{ loss: 5 }',
      '{ allowlist: [198.18.6.0/24] }',
    ];
    for (const action of actions) {
      expect(issuesOf(BRIEF_EXAMPLE.replace('action: reset', `action: ${action}`)), action).toEqual([]);
    }
  });
});

describe('shipped scenarios (infra/lab/scenarios)', () => {
  const files = listScenarioFiles();

  it('has the scenario catalogue of docs/lab.md', () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it.each(files.map((file) => [basename(file), file]))(
    '%s parses and its rules resolve in the lab catalogue',
    async (name, file) => {
      const scenario = loadScenario(file);
      expect(`${scenario.name}.yaml`).toBe(name);
      const catalogue = await loadCatalogue({ kind: 'lab' });
      const targetIds = new Set(catalogue.targets.map((target) => target.id));
      for (const region of scenario.regions)
        expect(() => resolveRules(region.censor, catalogue)).not.toThrow();
      for (const phase of scenario.phases) expect(() => resolveRules(phase.censor, catalogue)).not.toThrow();
      for (const expectation of scenario.expect) {
        if (expectation.target !== undefined) expect(targetIds).toContain(expectation.target);
      }
    },
  );
});
