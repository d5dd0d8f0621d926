import type { EventType, ScopeEvent } from '@reachmap/schema';
import { fetchLatestEvents, fetchOpenStates } from './api-client.ts';
import type { OpenState } from './api-types.ts';
import { bundleLink } from './bundle-link.ts';
import { element } from './element.ts';
import { formatConfidence, formatTime } from './format.ts';
import { groupOpenStates, type OpenEntry } from './open-groups.ts';
import { stateNoteElement } from './state-note.ts';

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

function openItem(state: OpenState, actions: FeedActions): HTMLLIElement {
  const witness = state.witnesses[0];
  return element(
    'li',
    { class: 'open-item', 'data-scope': state.scope, 'data-state': state.state },
    element(
      'button',
      { type: 'button', class: 'link', onclick: () => actions.openScope(state.scope, state.target) },
      state.scope,
    ),
    ` ${state.state}`,
    state.target === '' ? '' : ` for ${state.target}`,
    state.method === null ? '' : ` by ${state.method}`,
    ' since ',
    element('time', { datetime: state.since }, formatTime(state.since)),
    ` (${state.agents} agents)`,
    state.simulated ? element('span', { class: 'badge simulated-badge' }, 'simulated') : null,
    stateNoteElement(state),
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

/** The first few scope names, then how many more: the folded list's handle says where before it opens. */
function scopeNames(scopes: string[], shown = 4): string {
  const more = scopes.length - shown;
  return more <= 1 ? scopes.join(', ') : `${scopes.slice(0, shown).join(', ')} and ${more} more`;
}

/** A condition open in many scopes: one line saying where, and each scope's own line folded beneath. */
function openGroupItem(group: Extract<OpenEntry, { kind: 'group' }>, actions: FeedActions): HTMLLIElement {
  const { countries } = group;
  const where = `${group.members.length} scopes${countries === 0 ? '' : ` (${countries === 1 ? '1 country' : `${countries} countries`})`}`;
  const [first] = group.members;
  return element(
    'li',
    { class: 'open-item open-group', 'data-target': group.target, 'data-state': group.state },
    element('strong', {}, group.target === '' ? 'every target' : group.target),
    ` ${group.state}`,
    group.method === null || group.method === group.state ? '' : ` by ${group.method}`,
    ` in ${where} since `,
    element('time', { datetime: group.since }, formatTime(group.since)),
    first === undefined ? null : stateNoteElement(first),
    element(
      'details',
      {},
      element('summary', {}, scopeNames(group.members.map((member) => member.scope))),
      element('ul', { class: 'open-states' }, ...group.members.map((member) => openItem(member, actions))),
    ),
  );
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
    ' ',
    bundleLink(event.id),
  );
}

/**
 * The side panel: what is open now (`GET /v1/events/open`), then the latest events
 * (`GET /v1/events/latest`), then every new event as it streams (`GET /v1/stream`, server-sent
 * events). EventSource reconnects by itself and sends `Last-Event-ID`, so the API resumes where the
 * feed left off without gaps or repeats. The initial lists are fetched once the stream is open, so an
 * event appended meanwhile arrives on the stream, and ids already shown are skipped.
 */
export function startEventFeed(container: HTMLElement, actions: FeedActions): () => void {
  const status = element('p', { class: 'feed-status', role: 'status' }, 'connecting…');
  const openList = element('ul', { class: 'open-states', 'aria-label': 'Open now' });
  const list = element('ol', { class: 'feed', 'aria-live': 'polite', 'aria-label': 'Latest events' });
  container.replaceChildren(
    status,
    element('h3', {}, 'Open now'),
    openList,
    element('h3', {}, 'Latest events'),
    list,
  );
  const seen = new Set<string>();

  const showOpen = async () => {
    const { open } = await fetchOpenStates();
    openList.replaceChildren(
      ...(open.length === 0
        ? [element('li', { class: 'muted' }, 'No interference open now.')]
        : groupOpenStates(open).map((entry) =>
            entry.kind === 'group' ? openGroupItem(entry, actions) : openItem(entry.state, actions),
          )),
    );
  };
  const showLatest = async () => {
    const { events } = await fetchLatestEvents(FEED_LIMIT);
    // Newest first, below anything the stream has already prepended.
    for (const event of events) {
      if (seen.has(event.id) || list.children.length >= FEED_LIMIT) continue;
      seen.add(event.id);
      list.append(feedItem(event, actions));
    }
  };
  const failed = (error: unknown) => {
    status.textContent = `could not load the current events: ${error instanceof Error ? error.message : error}`;
  };

  const source = new EventSource('/v1/stream');
  const onEvent = (message: MessageEvent<string>) => {
    const event = JSON.parse(message.data) as ScopeEvent;
    if (seen.has(event.id)) return;
    seen.add(event.id);
    list.prepend(feedItem(event, actions));
    while (list.children.length > FEED_LIMIT) list.lastElementChild?.remove();
    showOpen().catch(failed);
    actions.onEvent(event);
  };
  for (const name of Object.keys(LISTENED)) source.addEventListener(name, onEvent);
  let loaded = false;
  source.addEventListener('open', () => {
    status.textContent = 'live';
    if (loaded) return;
    loaded = true;
    Promise.all([showOpen(), showLatest()]).catch(failed);
  });
  source.addEventListener('error', () => {
    status.textContent = source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…';
  });
  return () => source.close();
}
