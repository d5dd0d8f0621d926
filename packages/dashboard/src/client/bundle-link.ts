import { element } from './element.ts';

/** The event's evidence bundle as a file, for checking offline with `reachmap verify`. */
export function bundleLink(eventId: string): HTMLAnchorElement {
  return element(
    'a',
    {
      class: 'bundle-link',
      href: `/v1/events/${encodeURIComponent(eventId)}/evidence`,
      download: `reachmap-evidence-${eventId}.json`,
      title: 'Download the evidence bundle (check it offline with reachmap verify)',
    },
    'bundle',
  );
}
