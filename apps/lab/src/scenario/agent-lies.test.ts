import { type Catalogue, loadCatalogue } from '@reachmap/targets';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileKernelCensor } from '../censor/compile-kernel-censor.ts';
import { resolveRules } from '../censor/resolve-rules.ts';
import { ruleAtOpen } from '../userspace/flow-decision.ts';
import { agentLies, lieArguments, sameLies } from './agent-lies.ts';
import { CensorRule } from './censor-rule.ts';

const rules = (...raw: unknown[]) => raw.map((rule) => CensorRule.parse(rule));

const LIE_WHATSAPP_AGENT_0 = { match: { target: 'whatsapp', agents: [0] }, action: { lie: 'blocked' } };
const LIE_YOUTUBE_ALL = { match: { target: 'youtube' }, action: { lie: 'throttled' } };
const RESET_WHATSAPP = { match: { target: 'whatsapp' }, action: 'reset' };

describe('agentLies → --lie arguments per agent index', () => {
  it.each([
    ['no rules', [], 0, []],
    ['only network rules', [RESET_WHATSAPP], 0, []],
    ['a lie for agent 0, agent 0', [LIE_WHATSAPP_AGENT_0], 0, ['--lie', 'whatsapp=blocked']],
    ['a lie for agent 0, agent 1', [LIE_WHATSAPP_AGENT_0], 1, []],
    ['a lie for every agent, agent 2', [LIE_YOUTUBE_ALL], 2, ['--lie', 'youtube=throttled']],
    [
      'two targets, network rules between them',
      [LIE_WHATSAPP_AGENT_0, RESET_WHATSAPP, LIE_YOUTUBE_ALL],
      0,
      ['--lie', 'whatsapp=blocked', '--lie', 'youtube=throttled'],
    ],
    [
      'two lies about one target: the first that selects the agent wins',
      [LIE_WHATSAPP_AGENT_0, { match: { target: 'whatsapp' }, action: { lie: 'stalled' } }],
      1,
      ['--lie', 'whatsapp=stalled'],
    ],
    [
      'two lies about one target, agent 0',
      [LIE_WHATSAPP_AGENT_0, { match: { target: 'whatsapp' }, action: { lie: 'stalled' } }],
      0,
      ['--lie', 'whatsapp=blocked'],
    ],
  ])('%s', (_name, raw, agent, args) => {
    expect(lieArguments(agentLies(rules(...raw), agent))).toEqual(args);
  });

  it('sameLies compares what each agent is told, not the rule order', () => {
    const region = rules(LIE_WHATSAPP_AGENT_0, LIE_YOUTUBE_ALL, RESET_WHATSAPP);
    expect(sameLies(region, rules(LIE_YOUTUBE_ALL, LIE_WHATSAPP_AGENT_0), 3)).toBe(true);
    expect(sameLies(region, rules(LIE_YOUTUBE_ALL), 3)).toBe(false);
    expect(sameLies(rules(RESET_WHATSAPP), [], 3)).toBe(true);
  });
});

describe('lie rules have no network effect', () => {
  let catalogue: Catalogue;
  beforeAll(async () => {
    catalogue = await loadCatalogue({ kind: 'lab' });
  });

  it('the user-space censor lets a later rule decide the lied-about flows', () => {
    const resolved = resolveRules(
      rules({ match: { target: 'whatsapp' }, action: { lie: 'blocked' } }, RESET_WHATSAPP),
      catalogue,
    );
    const labIp = resolved[1]?.destinations?.[0] ?? '';
    const decided = ruleAtOpen(resolved, { labIp, port: 443, proto: 'tcp', agentIndex: 0 }, () => 0);
    expect(decided?.id).toBe(2);
  });

  it('the kernel censor claims no flow for a lie and still applies the later rule', () => {
    const context = {
      table: 'reachmap_r0',
      generation: 2,
      agentIps: ['198.19.0.2'],
      exemptPrefixes: [],
      systemResolverIp: '198.18.0.2',
      censorDaemonIp: '198.19.252.2',
      interfaces: ['up0'],
      netem: true,
    };
    const withLie = compileKernelCensor(
      resolveRules(rules(LIE_WHATSAPP_AGENT_0, RESET_WHATSAPP), catalogue),
      context,
    );
    expect(withLie.nftScript).not.toContain('ct mark set ct mark or 0x00000001');
    expect(withLie.nftScript).toContain(
      'ct mark and 0xffff00ff 0x00020002 meta l4proto tcp reject with tcp reset',
    );
    expect(withLie.needsDaemon).toBe(false);
  });
});
