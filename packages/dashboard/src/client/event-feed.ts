import type { EventType, ScopeEvent } from '@reachmap/schema';
import { element } from './element.ts';
import { formatConfidence, formatTime } from './format.ts';

/**
 * The API names each SSE message after the event's type (`event: block.started`), so the feed
 * listens to each. A record rather than a list: adding an EventType to the schema fails typecheck here
 * until the feed listens to it too.
 */
const LISTENED: Record<EventType, true> = {
  'block.started': true,
  'block.ended': true,
  'throttle.started': true,
  'throttle.ended': true,
  'stall.started': true,
  'stall.ended': true,
  'outage.started': true,
  'outage.ended': true,
};

// The feed is a glance at what is happening now; older events are on the timelines.
const FEED_LIMIT = 100;

export interface FeedActions {
  openScope(scope: string, target: string | null): void;
  openMeasurement(id: string): void;
  /** Called after each new event is shown, e.g. to refresh the map. */
  onEvent(event: ScopeEvent): void;
}

function feedItem(event: ScopeEvent, actions: FeedActions): HTMLLIElement {
  const witness = event.witnesses[0];
  return element(
    'li',
    {
      class: `feed-item ${event.type.endsWith('.started') ? 'started' : 'ended'}`,
      'data-event-id': event.id,
    },
    element('time', { datetime: event.at }, formatTime(event.at)),
    ' ',
    element('strong', {}, event.type),
    ' in ',
    element(
      'button',
      { type: 'button', class: 'link', onclick: () => actions.openScope(event.scope, event.target) },
      event.scope,
    ),
    event.target === null ? '' : ` for ${event.target}`,
    event.method === null ? '' : ` by ${event.method}`,
    ` (${event.agents} agents, confidence ${formatConfidence(event.confidence)})`,
    event.simulated ? element('span', { class: 'badge simulated-badge' }, 'simulated') : null,
    ' ',
    witness === undefined
      ? null
      : element(
          'button',
          { type: 'button', class: 'link', onclick: () => actions.openMeasurement(witness) },
          'evidence',
        ),
  );
}

/**
 * Subscribes to `GET /v1/stream` (server-sent events). EventSource reconnects by itself and sends
 * `Last-Event-ID`, so the API resumes where the feed left off without gaps or repeats.
 */
export function startEventFeed(container: HTMLElement, actions: FeedActions): () => void {
  const status = element('p', { class: 'feed-status', role: 'status' }, 'connecting…');
  const list = element('ol', { class: 'feed', 'aria-live': 'polite', 'aria-label': 'Live events' });
  container.replaceChildren(status, list);
  const seen = new Set<string>();

  const source = new EventSource('/v1/stream');
  const onEvent = (message: MessageEvent<string>) => {
    const event = JSON.parse(message.data) as ScopeEvent;
    if (seen.has(event.id)) return;
    seen.add(event.id);
    list.prepend(feedItem(event, actions));
    while (list.children.length > FEED_LIMIT) list.lastElementChild?.remove();
    actions.onEvent(event);
  };
  for (const name of Object.keys(LISTENED)) source.addEventListener(name, onEvent);
  source.addEventListener('open', () => {
    status.textContent = 'live';
  });
  source.addEventListener('error', () => {
    status.textContent = source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…';
  });
  return () => source.close();
}
