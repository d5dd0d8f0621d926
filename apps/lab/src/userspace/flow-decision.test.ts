import { type Catalogue, loadCatalogue } from '@reachmap/targets';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRules } from '../censor/resolve-rules.ts';
import { CensorRule } from '../scenario/censor-rule.ts';
import { ruleForEveryAgent } from './flow-decision.ts';

const TELEGRAM_DC = { labIp: '198.18.2.3', port: 443, proto: 'tcp' } as const;
const AGENTS = 3;

let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue({ kind: 'lab' });
});

function decidingAction(rules: unknown[]): string | null {
  const resolved = resolveRules(
    rules.map((rule) => CensorRule.parse(rule)),
    catalogue,
  );
  return ruleForEveryAgent(resolved, TELEGRAM_DC, AGENTS)?.action.kind ?? null;
}

describe('ruleForEveryAgent', () => {
  it.each([
    { name: 'no rule', rules: [], expected: null },
    {
      name: 'a drop for the target',
      rules: [{ match: { target: 'telegram' }, action: 'drop' }],
      expected: 'drop',
    },
    { name: 'an outage', rules: [{ match: {}, action: 'outage' }], expected: 'outage' },
    {
      name: 'a drop for some agents only',
      rules: [{ match: { target: 'telegram', agents: [0, 1] }, action: 'drop' }],
      expected: null,
    },
    {
      name: 'a drop on a share of flows',
      rules: [{ match: { target: 'telegram', share: 0.5 }, action: 'drop' }],
      expected: null,
    },
    {
      name: 'an SNI rule first (it needs a ClientHello, which never comes)',
      rules: [
        { match: { sni: '*.telegram.org' }, action: 'reset' },
        { match: { target: 'telegram' }, action: 'drop' },
      ],
      expected: 'drop',
    },
    {
      name: 'a rule for one agent ahead of a drop for all',
      rules: [
        { match: { agents: [2] }, action: { police: '128kbit' } },
        { match: { target: 'telegram' }, action: 'drop' },
      ],
      expected: null,
    },
    { name: 'a drop elsewhere', rules: [{ match: { target: 'whatsapp' }, action: 'drop' }], expected: null },
  ])('$name → $expected', ({ rules, expected }) => {
    expect(decidingAction(rules)).toBe(expected);
  });
});
