import { BlockList, isIPv4 } from 'node:net';
import type { Catalogue } from '@reachmap/targets';
import type { ScenarioIssue } from '../scenario/parse-scenario.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { MAX_KERNEL_RULES } from './compile-kernel-censor.ts';
import { type ResolvedRule, RuleResolutionError, resolveRules } from './resolve-rules.ts';
import { flowRoleOf } from './rule-role.ts';

function prefixOf(text: string): [string, number] {
  const [network = '', bits = '32'] = text.split('/');
  return [network, Number(bits)];
}

/** Whether every address of `inner` (an address or CIDR) lies in one of `outer`. */
function within(inner: string, outer: readonly string[]): boolean {
  const [network, bits] = prefixOf(inner);
  const list = new BlockList();
  for (const text of outer) {
    const [outerNetwork, outerBits] = prefixOf(text);
    if (outerBits <= bits) list.addSubnet(outerNetwork, outerBits, 'ipv4');
  }
  return isIPv4(network) && list.check(network, 'ipv4');
}

/**
 * Whether `earlier` takes every flow `later` could act on, in the same role, so that `later` never
 * acts. Only a rule decided at the flow's first packet (no SNI) on every flow (no share) can shadow:
 * an SNI rule may outrank later rules, never earlier ones.
 */
function shadows(earlier: ResolvedRule, later: ResolvedRule): boolean {
  const role = flowRoleOf(earlier);
  if (role === null || role !== flowRoleOf(later)) return false;
  if (earlier.sni !== null || earlier.sharePercent < 100 || earlier.action.kind === 'allowlist') return false;
  const { destinations } = earlier;
  if (destinations !== null) {
    if (later.destinations === null) return false;
    if (!later.destinations.every((destination) => within(destination, destinations))) return false;
  }
  if (earlier.proto !== null && earlier.proto !== later.proto) return false;
  if (earlier.port !== null && earlier.port !== later.port) return false;
  const { agents } = earlier;
  if (agents !== null && (later.agents === null || !later.agents.every((agent) => agents.includes(agent))))
    return false;
  return true;
}

/** Rules (0-based) that can never act on a flow, each with the earlier rule that takes its flows. */
export function unreachableRules(rules: readonly ResolvedRule[]): { index: number; shadowedBy: number }[] {
  const found: { index: number; shadowedBy: number }[] = [];
  rules.forEach((later, index) => {
    const shadowedBy = rules.slice(0, index).findIndex((earlier) => shadows(earlier, later));
    if (shadowedBy !== -1) found.push({ index, shadowedBy });
  });
  return found;
}

/** `rule 2: …` from resolveRules → the YAML path of that rule. */
function resolutionIssue(path: string, error: RuleResolutionError): ScenarioIssue {
  const match = /^rule (\d+): (.*)$/.exec(error.message);
  if (match === null) return { path, message: error.message };
  return { path: `${path}[${Number(match[1]) - 1}]`, message: match[2] ?? error.message };
}

function ruleListIssues(path: string, rules: Scenario['regions'][number]['censor'], catalogue: Catalogue) {
  if (rules.length > MAX_KERNEL_RULES) {
    return [{ path, message: `at most ${MAX_KERNEL_RULES} rules per region` }];
  }
  let resolved: ResolvedRule[];
  try {
    resolved = resolveRules(rules, catalogue);
  } catch (error) {
    if (error instanceof RuleResolutionError) return [resolutionIssue(path, error)];
    throw error;
  }
  return unreachableRules(resolved).map(({ index, shadowedBy }) => ({
    path: `${path}[${index}]`,
    message: `unreachable: ${path}[${shadowedBy}] already takes every flow this rule matches (line conditions such as loss, delay and police do not shadow filters)`,
  }));
}

/**
 * What a scenario's rules mean in the lab catalogue: rules that select nothing, and rules no flow can
 * ever reach, for every region and phase, as issues naming the rule's YAML path.
 */
export function scenarioRuleIssues(scenario: Scenario, catalogue: Catalogue): ScenarioIssue[] {
  return [
    ...scenario.regions.flatMap((region, r) =>
      ruleListIssues(`regions[${r}].censor`, region.censor, catalogue),
    ),
    ...scenario.phases.flatMap((phase, p) => ruleListIssues(`phases[${p}].censor`, phase.censor, catalogue)),
  ];
}
