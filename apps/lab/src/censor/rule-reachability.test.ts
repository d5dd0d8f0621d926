import { type Catalogue, loadCatalogue } from '@reachmap/targets';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parse-scenario.ts';
import { listScenarioFiles, loadScenario } from '../scenario/scenario-files.ts';
import { scenarioRuleIssues } from './rule-reachability.ts';

let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue({ kind: 'lab' });
});

function issuesOf(rules: string[]): string[] {
  const yaml = [
    'name: reach',
    'description: rule reachability',
    'duration: 120s',
    'interval: 15s',
    'regions:',
    '  - id: RU-MOW',
    '    asn: 64500',
    '    agents: 2',
    '    censor:',
    ...rules.map((rule) => `      - ${rule}`),
    'expect: [{ noEvent: block.started, scope: RU-MOW }]',
  ].join('\n');
  const parsed = parseScenario(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return scenarioRuleIssues(parsed.scenario, catalogue).map((issue) => `${issue.path}: ${issue.message}`);
}

describe('scenarioRuleIssues', () => {
  it.each([
    [
      'a loss on everything above an SNI drop (line conditions stack under filters)',
      ['{ match: {}, action: { loss: 3 } }', '{ match: { sni: "*.signal.org" }, action: drop }'],
      [],
    ],
    [
      'a policer above a stall for the same target',
      [
        '{ match: { target: whatsapp }, action: { police: 1mbit } }',
        '{ match: { target: whatsapp }, action: { stallAfter: 16KiB } }',
      ],
      [],
    ],
    [
      'a share leaves flows for later rules',
      ['{ match: { share: 0.5 }, action: drop }', '{ match: {}, action: reset }'],
      [],
    ],
    [
      'an SNI rule only outranks later rules',
      ['{ match: { sni: "*.signal.org" }, action: reset }', '{ match: { target: signal }, action: drop }'],
      [],
    ],
    [
      'a drop for some agents leaves the others',
      ['{ match: { agents: [0] }, action: drop }', '{ match: { target: signal }, action: drop }'],
      [],
    ],
  ])('%s: reachable', (_name, rules, expected) => {
    expect(issuesOf(rules)).toEqual(expected);
  });

  it.each([
    [
      'a drop of everything above an SNI reset',
      ['{ match: {}, action: drop }', '{ match: { sni: "*.whatsapp.net" }, action: reset }'],
      'regions[0].censor[1]: unreachable: regions[0].censor[0] already takes',
    ],
    [
      'a target drop above a drop of one of its addresses',
      ['{ match: { target: telegram }, action: drop }', '{ match: { ip: 198.18.2.3 }, action: reset }'],
      'regions[0].censor[1]: unreachable: regions[0].censor[0]',
    ],
    [
      'two policers for the same flows',
      [
        '{ match: { target: telegram }, action: { police: 1mbit } }',
        '{ match: { target: telegram, proto: tcp }, action: { police: 128kbit } }',
      ],
      'regions[0].censor[1]: unreachable',
    ],
    [
      'a rule that selects no lab address',
      ['{ match: { host: nothing.example }, action: drop }'],
      'regions[0].censor[0]: its match selects no lab address',
    ],
  ])('%s: an issue naming the rule', (_name, rules, expected) => {
    const issues = issuesOf(rules);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(expected);
  });

  it('finds nothing wrong with the shipped scenarios', () => {
    for (const file of listScenarioFiles()) {
      expect({ file, issues: scenarioRuleIssues(loadScenario(file), catalogue) }).toEqual({
        file,
        issues: [],
      });
    }
  });
});
