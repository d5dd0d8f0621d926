import type { HttpExchange } from '@reachmap/schema';
import { describeHttp, describeTcp, describeTls } from '../evidence.ts';
import type { ExpectedHttp } from '../expectations.ts';
import { chainAnswered, type HttpChain, httpChains } from '../outcome.ts';
import { HTTP_BODY_RATIO_MIN } from '../thresholds.ts';
import type { Rule } from './rule.ts';

/**
 * HTTP blockpage: the probe matched a response against a national blockpage fingerprint
 * (`@reachmap/probes` data/blockpages.json). A known fingerprint is a reference in itself, so no control is needed.
 */
export const blockpageRule: Rule = ({ measurement }) => {
  const { http } = measurement.observations;
  const matched = http.filter((exchange) => exchange.response?.blockpage != null);
  if (matched.length === 0) return null;
  return {
    status: 'blocked',
    layer: 'http',
    method: 'blockpage',
    evidence: matched.map(
      (exchange) => `${describeHttp(exchange)}: blockpage fingerprint ${exchange.response?.blockpage}`,
    ),
    support: { agreeing: matched.length, considered: httpChains(http).length, corroborating: 1 },
  };
};

function sameUrl(a: string, b: string): boolean {
  return URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href;
}

function normalTitle(title: string | null): string {
  return (title ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** OONI web_connectivity's body_proportion: shorter over longer, 1 when both are empty. */
function bodyRatio(actual: number, expected: number): number {
  const longer = Math.max(actual, expected);
  return longer === 0 ? 1 : Math.min(actual, expected) / longer;
}

interface PageDifference {
  exchange: HttpExchange;
  expected: ExpectedHttp;
  ratio: number;
}

/**
 * A page that differs from the target's: OONI web_connectivity's rule, body length ratio below 0.7
 * together with a different title. Either alone is common on a healthy site (dynamic pages, A/B
 * titles). The expected page comes from the catalogue: round controls fetch other sites.
 */
function pageDifference(exchange: HttpExchange, expected: ExpectedHttp): PageDifference | null {
  const { response } = exchange;
  if (response === null || expected.body_length === undefined || expected.title === undefined) return null;
  // A body cut short by the probe's cap is no evidence of a shorter page.
  if (response.body_truncated && response.body_length < expected.body_length) return null;
  const ratio = bodyRatio(response.body_length, expected.body_length);
  const titleDiffers = normalTitle(response.title) !== normalTitle(expected.title);
  return ratio < HTTP_BODY_RATIO_MIN && titleDiffers ? { exchange, expected, ratio } : null;
}

function describeDifference({ exchange, expected, ratio }: PageDifference): string {
  const status =
    expected.status !== undefined && expected.status !== exchange.response?.status
      ? `status ${expected.status}, `
      : '';
  return (
    `${describeHttp(exchange)}; expected ${status}title "${expected.title}", ` +
    `${expected.body_length} bytes (body ratio ${ratio.toFixed(2)})`
  );
}

export const httpDiffRule: Rule = ({ measurement, expectations }) => {
  const expectedPages = expectations.expected_http ?? [];
  const compared = httpChains(measurement.observations.http).flatMap((chain) => {
    const expected = expectedPages.find((page) => sameUrl(page.url, chain.url));
    return expected === undefined || !chainAnswered(chain) ? [] : [{ final: chain.final, expected }];
  });
  const differences = compared.flatMap(({ final, expected }) => pageDifference(final, expected) ?? []);
  if (differences.length === 0) return null;
  return {
    status: 'blocked',
    layer: 'http',
    method: 'http-diff',
    evidence: differences.map(describeDifference),
    support: { agreeing: differences.length, considered: compared.length, corroborating: differences.length },
  };
};

/** The expected pages whose outside fetch failed too, one per chain that has one. */
function failedFromOutside(chains: readonly HttpChain[], expectedPages: readonly ExpectedHttp[]) {
  return chains.flatMap((chain) => {
    const page = expectedPages.find((expected) => sameUrl(expected.url, chain.url));
    return page?.failure === undefined ? [] : [page];
  });
}

/**
 * A request whose own name lookup failed never reached a server: nothing above the handshake was
 * tried. Names are the DNS rule's to judge; on a lossy line a lone lookup fails now and then (fuzz
 * world 41204033: a `dns_temporary_failure` after 8.5 s, read as an HTTP block with confidence 0.99).
 */
function lookupFailed(chain: HttpChain): boolean {
  return chain.final.failure?.startsWith('dns_') === true;
}

/**
 * HTTP failure: every request went unanswered (reset, timeout, EOF) although TCP, and TLS with the
 * target's SNI when tried, worked in the same measurement: the interference sits above the handshake.
 */
export const httpFailureRule: Rule = ({ measurement, expectations }) => {
  const { tcp, tls, http } = measurement.observations;
  const all = httpChains(http);
  if (all.some(chainAnswered)) return null;
  const chains = all.filter((chain) => !lookupFailed(chain));
  if (chains.length === 0) return null;
  const targetTls = tls.filter((handshake) => handshake.sni_role === 'target');
  const workingTcp = tcp.filter((connect) => connect.failure === null);
  const workingTls = targetTls.filter((handshake) => handshake.failure === null);
  if (workingTcp.length === 0 || (targetTls.length > 0 && workingTls.length === 0)) return null;
  const failedOutside = failedFromOutside(chains, expectations.expected_http ?? []);
  if (failedOutside.length === chains.length) {
    // OONI web_connectivity: probe and control both failing is "website down", not blocking.
    return {
      status: 'down',
      layer: null,
      method: 'outage',
      evidence: [
        ...chains.slice(0, 5).map((chain) => describeHttp(chain.final)),
        ...[...new Set(failedOutside)]
          .slice(0, 5)
          .map((page) => `fetched from outside: ${page.url} → ${page.failure}`),
        'The same URL failed from outside the network too: the site is down, not censored',
      ],
      support: { agreeing: chains.length, considered: chains.length, corroborating: failedOutside.length },
    };
  }
  return {
    status: 'blocked',
    layer: 'http',
    method: 'http-failure',
    evidence: [
      ...chains.slice(0, 5).map((chain) => describeHttp(chain.final)),
      ...workingTls.slice(0, 2).map(describeTls),
      ...workingTcp.slice(0, 2).map(describeTcp),
    ],
    support: {
      agreeing: chains.length,
      considered: chains.length,
      corroborating: workingTcp.length + workingTls.length,
    },
  };
};
