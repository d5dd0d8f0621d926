import type { Failure, HttpExchange, Measurement, Verdict } from '@reachmap/schema';

type Keys = Record<string, unknown>;

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : '';
}

interface Chain {
  first: HttpExchange;
  last: HttpExchange;
}

/** Requests and the redirects followed from them: a new chain starts at every hop 0. */
function chainsOf(exchanges: readonly HttpExchange[]): Chain[] {
  const chains: Chain[] = [];
  for (const exchange of exchanges) {
    const current = chains.at(-1);
    if (exchange.hop === 0 || current === undefined) chains.push({ first: exchange, last: exchange });
    else current.last = exchange;
  }
  return chains;
}

/** "blocked" with the first failure when some fetch of `host` got no response; null when none was made. */
function fetchStatus(
  measurement: Measurement,
  host: string,
): { status: string | null; failure: Failure | null } {
  const chains = chainsOf(measurement.observations.http).filter(
    (chain) => hostOf(chain.first.request.url) === host,
  );
  if (chains.length === 0) return { status: null, failure: null };
  const failed = chains.find((chain) => chain.last.response === null);
  return failed === undefined
    ? { status: 'ok', failure: null }
    : { status: 'blocked', failure: failed.last.failure };
}

function allConnectsFailed(measurement: Measurement): boolean {
  const { tcp } = measurement.observations;
  return tcp.length > 0 && tcp.every((connect) => connect.failure !== null);
}

function failedEndpoints(measurement: Measurement): string[] {
  return measurement.observations.tcp
    .filter((connect) => connect.failure !== null)
    .map((connect) => `${connect.ip}:${connect.port}`);
}

/**
 * The per-test summary keys OONI's tools read, computed from our observations with the rules of each
 * OONI experiment (probe-cli `internal/experiment/<name>`), so the export reads like OONI's output.
 */
const MESSENGER_KEYS: ReadonlyMap<string, (measurement: Measurement) => Keys> = new Map(
  Object.entries({
    whatsapp: (m) => {
      const registration = fetchStatus(m, 'v.whatsapp.net');
      const web = fetchStatus(m, 'web.whatsapp.com');
      const endpointsBlocked = allConnectsFailed(m);
      return {
        registration_server_status: registration.status,
        registration_server_failure: registration.failure,
        whatsapp_web_status: web.status,
        whatsapp_web_failure: web.failure,
        whatsapp_endpoints_status:
          m.observations.tcp.length === 0 ? null : endpointsBlocked ? 'blocked' : 'ok',
        whatsapp_endpoints_blocked: endpointsBlocked ? failedEndpoints(m) : [],
        whatsapp_endpoints_dns_inconsistent: [],
      };
    },
    telegram: (m) => {
      const web = fetchStatus(m, 'web.telegram.org');
      const datacenterPosts = chainsOf(m.observations.http).filter(
        (chain) => chain.first.request.method === 'POST',
      );
      return {
        telegram_tcp_blocking: allConnectsFailed(m),
        telegram_http_blocking:
          datacenterPosts.length > 0 && datacenterPosts.every((chain) => chain.last.response === null),
        telegram_web_status: web.status,
        telegram_web_failure: web.failure,
      };
    },
    signal: (m) => {
      const failed = chainsOf(m.observations.http).find((chain) => chain.last.response === null);
      return {
        signal_backend_status:
          m.observations.http.length === 0 ? null : failed === undefined ? 'ok' : 'blocked',
        signal_backend_failure: failed?.last.failure ?? null,
      };
    },
    facebook_messenger: (m) => ({
      facebook_tcp_blocking: allConnectsFailed(m),
      facebook_dns_blocking: m.observations.dns.some(
        (query) => query.resolver.kind === 'system' && query.failure !== null,
      ),
    }),
  }),
);

/** web_connectivity's `blocking` names the layer: dns, tcp_ip, http-failure or http-diff. */
function webConnectivityKeys(measurement: Measurement, verdict: Verdict | null): Keys {
  const status = verdict?.status ?? null;
  const blocking =
    status === 'ok' || status === 'down'
      ? false
      : status === 'blocked' || status === 'throttled' || status === 'stalled'
        ? verdict?.layer === 'dns'
          ? 'dns'
          : verdict?.layer === 'tcp'
            ? 'tcp_ip'
            : verdict?.method === 'http-diff' || verdict?.method === 'blockpage'
              ? 'http-diff'
              : 'http-failure'
        : null;
  const system = measurement.observations.dns.find((query) => query.resolver.kind === 'system');
  const firstRequest = measurement.observations.http[0];
  return {
    blocking,
    accessible: blocking === null ? null : blocking === false,
    dns_experiment_failure: system?.failure ?? null,
    http_experiment_failure: firstRequest?.failure ?? null,
  };
}

export function summaryKeys(testName: string, measurement: Measurement, verdict: Verdict | null): Keys {
  const messenger = MESSENGER_KEYS.get(testName);
  return messenger === undefined ? webConnectivityKeys(measurement, verdict) : messenger(measurement);
}
