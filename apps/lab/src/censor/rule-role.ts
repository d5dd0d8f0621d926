import type { ResolvedRule } from './resolve-rules.ts';

/**
 * What a rule does to the flows it matches. A filter (drop, reset, blockpage, stallAfter, outage,
 * allowlist) decides a flow: the first matching one wins. A line condition that needs a slot of the
 * flow (police, delay) shapes it underneath whatever filter decides, the first matching one wins; so
 * `{ match: {}, action: { loss: 3 } }` never keeps a later SNI drop from a flow. Loss alone takes no
 * slot: every lossy rule drops its share. DNS and lie rules act elsewhere (resolver, agent): null.
 * Both censors follow these roles (compile-kernel-censor.ts, userspace/flow-decision.ts).
 */
export type FlowRole = 'filter' | 'line';

export function flowRoleOf(rule: ResolvedRule): FlowRole | null {
  switch (rule.action.kind) {
    case 'dns':
    case 'lie':
      return null;
    case 'police':
      return 'line';
    case 'netem':
      return rule.action.delayMs > 0 ? 'line' : null;
    default:
      return 'filter';
  }
}
