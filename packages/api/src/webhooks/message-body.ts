import type { ScopeEvent } from '@reachmap/schema';
import type { WebhookFormat } from './webhook-schema.ts';

/** What one delivery carries; `data` is a ScopeEvent for real events. */
export interface WebhookMessage {
  id: string;
  type: string;
  timestamp: string;
  data: unknown;
}

export function messageOfEvent(event: ScopeEvent): WebhookMessage {
  return { id: event.id, type: event.type, timestamp: event.at, data: event };
}

function summaryOf(message: WebhookMessage): string {
  const event = message.data as Partial<ScopeEvent>;
  if (event.scope === undefined) return `reachmap ${message.type}: ${JSON.stringify(message.data)}`;
  const what = event.target === null || event.target === undefined ? 'the network' : event.target;
  const method = event.method === null || event.method === undefined ? '' : ` via ${event.method}`;
  const lab = event.simulated === true ? ' [simulated]' : '';
  const confidence = Math.round((event.confidence ?? 0) * 100);
  return (
    `reachmap ${message.type}${lab}: ${what} in ${event.scope}${method}, ` +
    `${confidence}% of valid runs from ${event.agents ?? 0} agents, since ${event.since}`
  );
}

/**
 * The request body. `standard` is the Standard Webhooks payload shape (`type`, `timestamp`, `data`);
 * `slack` and `discord` are those services' incoming-webhook bodies (`text`, `content`) so a channel
 * can subscribe directly. Every format is signed the same way.
 */
export function renderBody(message: WebhookMessage, format: WebhookFormat): string {
  switch (format) {
    case 'standard':
      return JSON.stringify({ type: message.type, timestamp: message.timestamp, data: message.data });
    case 'slack':
      return JSON.stringify({ text: summaryOf(message) });
    case 'discord':
      return JSON.stringify({ content: summaryOf(message) });
  }
}
