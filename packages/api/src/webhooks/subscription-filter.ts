import { type ScopeEvent, scopeLevelOf } from '@reachmap/schema';
import type { StoredWebhook } from './webhook-schema.ts';

/**
 * Whether an event reaches a subscription. Scope filters are alternatives (an event passes when its
 * scope matches any of `countries`, `regions` or `asns`; all empty passes every scope); a country
 * covers its regions. Outage events have no target and pass any target filter: an outage affects all.
 */
export function subscriptionMatches(webhook: StoredWebhook, event: ScopeEvent): boolean {
  const { filters } = webhook;
  if (!webhook.enabled || !webhook.event_types.includes(event.type)) return false;
  if (event.simulated && !filters.include_simulated) return false;
  if (event.confidence < filters.min_confidence) return false;
  if (event.target !== null && filters.targets.length > 0 && !filters.targets.includes(event.target))
    return false;
  const anyScopeFilter = filters.countries.length + filters.regions.length + filters.asns.length > 0;
  if (!anyScopeFilter) return true;
  const level = scopeLevelOf(event.scope);
  if (level === 'asn') return filters.asns.includes(Number(event.scope.slice(2)));
  if (filters.countries.includes(event.scope.slice(0, 2))) return true;
  return level === 'region' && filters.regions.includes(event.scope);
}
