import type { Target } from '@reachmap/targets';

/** OONI's own tests for these services (ooni/probe-cli experiments); every other service is a web_connectivity input. */
const OONI_SERVICE_TESTS = new Set(['whatsapp', 'telegram', 'signal', 'facebook_messenger']);

export interface OoniView {
  test_name: string;
  /** The hostname OONI would list the target under; null for the messenger tests (OONI has none). */
  domain: string | null;
  input: string | null;
}

/** How a catalogue service shows up in OONI's vocabulary; controls have no OONI counterpart (null). */
export function ooniViewOf(target: Target): OoniView | null {
  if (target.kind === 'control') return null;
  if (OONI_SERVICE_TESTS.has(target.id)) return { test_name: target.id, domain: null, input: null };
  const url = target.suite.http[0]?.url ?? null;
  const domain =
    url === null
      ? (target.suite.tls[0]?.sni ?? target.suite.dns?.hostnames[0] ?? null)
      : new URL(url).hostname;
  return { test_name: 'web_connectivity', domain, input: url };
}
