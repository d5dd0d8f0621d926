import { type Catalogue, loadCatalogue } from '@reachmap/targets';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRules } from '../censor/resolve-rules.ts';
import { CensorRule } from '../scenario/censor-rule.ts';
import { lossPercentOf, ruleAfterClientHello, ruleAtOpen, ruleForEveryAgent } from './flow-decision.ts';

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
      name: 'a filter for one agent ahead of a drop for all',
      rules: [
        { match: { agents: [2] }, action: 'reset' },
        { match: { target: 'telegram' }, action: 'drop' },
      ],
      expected: null,
    },
    {
      name: 'a line condition for one agent ahead of a drop for all (it shapes underneath, the drop decides)',
      rules: [
        { match: { agents: [2] }, action: { police: '128kbit' } },
        { match: { target: 'telegram' }, action: 'drop' },
      ],
      expected: 'drop',
    },
    { name: 'a drop elsewhere', rules: [{ match: { target: 'whatsapp' }, action: 'drop' }], expected: null },
  ])('$name → $expected', ({ rules, expected }) => {
    expect(decidingAction(rules)).toBe(expected);
  });
});

describe('line conditions under filters', () => {
  const SIGNAL = { labIp: '198.18.3.1', port: 443, proto: 'tcp', agentIndex: 0 } as const;
  const resolve = (rules: unknown[]) =>
    resolveRules(
      rules.map((rule) => CensorRule.parse(rule)),
      catalogue,
    );

  it('a loss for every flow does not swallow a later SNI drop', () => {
    const rules = resolve([
      { match: {}, action: { loss: 3 } },
      { match: { sni: '*.signal.org' }, action: 'drop' },
    ]);
    const atOpen = ruleAtOpen(rules, SIGNAL, () => 0);
    expect(atOpen).toBeNull();
    expect(ruleAfterClientHello(rules, SIGNAL, 'chat.signal.org.lab', atOpen, () => 0)?.action.kind).toBe(
      'drop',
    );
    expect(lossPercentOf(rules, { ...SIGNAL, proto: 'udp' }, null)).toBeCloseTo(3);
  });

  it('a policer and a later stall both act on the same flow', () => {
    const rules = resolve([
      { match: { target: 'signal' }, action: { police: '1mbit' } },
      { match: { target: 'signal' }, action: { stallAfter: 16384 } },
    ]);
    expect(ruleAtOpen(rules, SIGNAL, () => 0)?.action.kind).toBe('stallAfter');
    expect(ruleAtOpen(rules, SIGNAL, () => 0, 'line')?.action.kind).toBe('police');
  });

  it('losses of several rules stack', () => {
    const rules = resolve([
      { match: {}, action: { loss: 10 } },
      { match: { target: 'signal' }, action: { loss: 10, delay: 5 } },
    ]);
    expect(lossPercentOf(rules, { ...SIGNAL, proto: 'udp' }, null)).toBeCloseTo(19);
  });
});
