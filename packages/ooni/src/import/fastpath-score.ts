import type { OoniFlags } from '../ooni-format.ts';
import { WEB_CONNECTIVITY } from '../supported-tests.ts';

/**
 * OONI's verdict on a bare measurement as its fastpath scores it (ooni/backend, `fastpath/fastpath/core.py`,
 * one `score_*` function per test): each test yields a `blocking_general` score and an `accuracy`;
 * the published flags are `anomaly = blocking_general > 0.5`, `failure = accuracy < 0.5`, and
 * `confirmed` = a blockpage fingerprint of OONI's database matched (`process_measurement`). The rules
 * are restated here from that code, each with the function it comes from; no code is copied.
 */

type TestKeys = Record<string, unknown>;

/** What a fastpath scorer returns, reduced to the two numbers the flags are made of. */
interface Score {
  blocking: number;
  accuracy: number;
}

/** The parts of the base measurement the scorers read besides the test keys. */
export interface ScoredMeasurement {
  test_name: string;
  test_version?: string | null | undefined;
  software_name?: string | null | undefined;
  software_version?: string | null | undefined;
  measurement_start_time: string;
  annotations?: unknown;
  test_keys: TestKeys | null;
}

const OK: Score = { blocking: 0, accuracy: 1 };
const DISCARDED: Score = { blocking: 0, accuracy: 0 };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requestsOf(testKeys: TestKeys): Record<string, unknown>[] {
  const list = testKeys.requests;
  return Array.isArray(list) ? list.filter(isObject) : [];
}

function urlOf(request: Record<string, unknown>): string | undefined {
  const inner = request.request;
  return isObject(inner) && typeof inner.url === 'string' ? inner.url : undefined;
}

/** `_detect_unknown_failure`: any `*_failure` test key holding `unknown_failure …` (a probe error). */
function hasUnknownFailure(testKeys: TestKeys): boolean {
  return Object.entries(testKeys).some(
    ([key, value]) =>
      key.endsWith('_failure') && typeof value === 'string' && value.startsWith('unknown_failure'),
  );
}

/** `_extract_tcp_connect`: connects with `status.success` true and false; unknown ones are not counted. */
function tcpCounts(testKeys: TestKeys): { ok: number; failed: number } {
  const list = Array.isArray(testKeys.tcp_connect) ? testKeys.tcp_connect : [];
  let ok = 0;
  let failed = 0;
  for (const entry of list) {
    const success = isObject(entry) && isObject(entry.status) ? entry.status.success : undefined;
    if (success === true) ok += 1;
    else if (success === false) failed += 1;
  }
  return { ok, failed };
}

/**
 * `score_measurement_whatsapp`: an unknown_failure in any `*_failure` key, or the ascii-codec bug of old
 * probes, makes it inaccurate; so does a run without requests or without both the WhatsApp Web and the
 * registration request. Either failing is an anomaly (the `*_status` keys are ignored: probe bug
 * ooni/probe-engine#341). Then no endpoint result at all is inaccurate, none reachable an anomaly.
 */
function scoreWhatsapp(testKeys: TestKeys): Score {
  let accuracy = hasUnknownFailure(testKeys) ? 0 : 1;
  const webFailure = testKeys.whatsapp_web_failure;
  if (typeof webFailure === 'string' && webFailure.includes("unknown_failure 'ascii' co")) return DISCARDED;
  const requests = requestsOf(testKeys);
  if (requests.length === 0) return DISCARDED;
  let web: boolean | null = null;
  let registration: boolean | null = null;
  for (const request of requests) {
    const url = urlOf(request);
    const failure = 'failure' in request ? request.failure : true;
    if (url === 'https://web.whatsapp.com/') web = failure === null || failure === '' || failure === false;
    else if (url === 'https://v.whatsapp.net/v2/register') registration = request.failure == null;
  }
  if (web === null || registration === null) return DISCARDED;
  if (!web || !registration) return { blocking: 1, accuracy };
  const endpoints = tcpCounts(testKeys);
  if (endpoints.ok === 0 && endpoints.failed === 0) accuracy = 0;
  else if (endpoints.ok === 0) return { blocking: 1, accuracy };
  return { blocking: 0, accuracy };
}

const TELEGRAM_WEB = new Set(['https://web.telegram.org/', 'http://web.telegram.org/']);

/**
 * `score_measurement_telegram`: the probe's own tcp/http blocking flags are ignored. Score = share of
 * failed DC connects (0.5 without any) + share of failed DC HTTP requests (0.5 without any) + 1 when
 * `telegram_web_status` is blocked. A request without a URL (client bug) is inaccurate.
 */
function scoreTelegram(testKeys: TestKeys): Score {
  let httpOk = 0;
  let httpFailed = 0;
  for (const request of requestsOf(testKeys)) {
    const url = urlOf(request);
    if (url === undefined) return DISCARDED;
    if (TELEGRAM_WEB.has(url)) continue;
    if (request.failure == null) httpOk += 1;
    else httpFailed += 1;
  }
  const tcp = tcpCounts(testKeys);
  let score = tcp.ok + tcp.failed > 0 ? tcp.failed / (tcp.ok + tcp.failed) : 0.5;
  score += httpOk + httpFailed > 0 ? httpFailed / (httpOk + httpFailed) : 0.5;
  if (testKeys.telegram_web_status === 'blocked') score += 1;
  return { blocking: score, accuracy: 1 };
}

/** Compares dotted versions numerically ("0.2.10" > "0.2.9"); missing parts count as 0. */
function compareVersions(a: string, b: string): number | null {
  const parse = (text: string) => (/^\d+(\.\d+)*$/.test(text) ? text.split('.').map(Number) : null);
  const left = parse(a);
  const right = parse(b);
  if (left === null || right === null) return null;
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const utc = (text: string) => Date.parse(`${text}T00:00:00Z`);

/**
 * `score_signal`: inaccurate when `failed_operation` or `failure` is set or absent; test version 0.2.4
 * (ooni/probe#2636), ≤ 0.2.3 from 2023-11-07 (ooni/probe#2627), < 0.2.2 from 2022-10-19, and engines
 * before 3.17.2 from 2023-05-02 (ooni/backend#679) are discarded; then `signal_backend_status` blocked
 * is an anomaly, ok is fine, anything else inaccurate.
 */
function scoreSignal(measurement: ScoredMeasurement, testKeys: TestKeys): Score {
  const unset = (key: string) => !(key in testKeys) || Boolean(testKeys[key]);
  let accuracy = unset('failed_operation') || unset('failure') ? 0 : 1;
  const start = Date.parse(`${measurement.measurement_start_time.replace(' ', 'T')}Z`);
  const version = measurement.test_version ?? '0.0.0';
  const annotations = isObject(measurement.annotations) ? measurement.annotations : {};
  const engine = typeof annotations.engine_version === 'string' ? annotations.engine_version : '0.0.0';
  const versionVsOld = compareVersions(version, '0.2.3');
  const versionVsNew = compareVersions(version, '0.2.2');
  const engineVs = compareVersions(engine, '3.17.2');
  if (Number.isNaN(start) || versionVsOld === null || versionVsNew === null || engineVs === null)
    return DISCARDED;
  if (version === '0.2.4') return DISCARDED;
  if (versionVsOld <= 0 && start >= utc('2023-11-07')) return DISCARDED;
  if (versionVsNew < 0 && start >= utc('2022-10-19')) return DISCARDED;
  if (engineVs < 0 && start >= utc('2023-05-02')) return DISCARDED;
  const status = testKeys.signal_backend_status;
  if (status === 'blocked') return { blocking: 1, accuracy };
  if (status !== 'ok') accuracy = 0;
  return { blocking: 0, accuracy };
}

const FACEBOOK_CONSISTENCY_KEYS = [
  'facebook_b_api_dns_consistent',
  'facebook_b_api_reachable',
  'facebook_b_graph_dns_consistent',
  'facebook_b_graph_reachable',
  'facebook_edge_dns_consistent',
  'facebook_edge_reachable',
  'facebook_external_cdn_dns_consistent',
  'facebook_external_cdn_reachable',
  'facebook_scontent_cdn_dns_consistent',
  'facebook_scontent_cdn_reachable',
  'facebook_star_dns_consistent',
  'facebook_star_reachable',
  'facebook_stun_dns_consistent',
];
/** All of these true with tcp blocking false is a known probe bug (dns_blocking wrongly true): ok. */
const FACEBOOK_ALL_TRUE_WORKAROUND = [
  'facebook_b_api_dns_consistent',
  'facebook_b_api_reachable',
  'facebook_b_graph_dns_consistent',
  'facebook_b_graph_reachable',
  'facebook_dns_blocking',
  'facebook_edge_dns_consistent',
  'facebook_edge_reachable',
  'facebook_star_dns_consistent',
  'facebook_star_reachable',
  'facebook_stun_dns_consistent',
];

/**
 * `score_measurement_facebook_messenger`: 0.5 per consistency/reachability key that is false and per
 * `facebook_tcp_blocking`/`facebook_dns_blocking` that is true, so a single bad key (0.5) is not yet an
 * anomaly; the all-true probe bug scores 0.
 */
function scoreFacebookMessenger(testKeys: TestKeys): Score {
  if (
    FACEBOOK_ALL_TRUE_WORKAROUND.every((key) => testKeys[key] === true) &&
    testKeys.facebook_tcp_blocking === false
  )
    return OK;
  let score = 0;
  for (const key of FACEBOOK_CONSISTENCY_KEYS) if (testKeys[key] === false) score += 0.5;
  for (const key of ['facebook_tcp_blocking', 'facebook_dns_blocking'])
    if (testKeys[key] === true) score += 0.5;
  return { blocking: score, accuracy: 1 };
}

const WEB_BLOCKING_TYPES = new Set(['tcp_ip', 'dns', 'http-diff', 'http-failure']);

/** Whether any response body is base64 that does not decode (fastpath then drops its fingerprint scan). */
function hasUndecodableBody(testKeys: TestKeys): boolean {
  return requestsOf(testKeys).some((request) => {
    const response = request.response;
    if (!isObject(response) || !isObject(response.body) || response.body.format !== 'base64') return false;
    const data = response.body.data;
    // Python's b64decode refuses a length that is not a multiple of 4 ("Incorrect padding").
    return typeof data !== 'string' || data.replace(/\s/g, '').length % 4 !== 0;
  });
}

/**
 * `score_web_connectivity` (no fingerprint match assumed: OONI's database is not ours): `blocking` one
 * of tcp_ip/dns/http-diff/http-failure is an anomaly, false fine, null or anything else inaccurate
 * (ooni/backend#610), as are an unknown_failure in any `*_failure` key, `accessible: null`, a
 * `title_match` that is not a boolean, and a base64 body that does not decode (`score_web_connectivity_full`).
 */
function scoreWebConnectivity(testKeys: TestKeys): Score {
  const titleMatch = testKeys.title_match;
  if (titleMatch !== undefined && titleMatch !== null && typeof titleMatch !== 'boolean') return DISCARDED;
  let blocking = 0;
  let accuracy = 1;
  const probeBlocking = testKeys.blocking;
  if (typeof probeBlocking === 'string' && WEB_BLOCKING_TYPES.has(probeBlocking)) blocking = 1;
  else if (probeBlocking !== false) accuracy = 0;
  if (hasUnknownFailure(testKeys)) accuracy = 0;
  if ('accessible' in testKeys && testKeys.accessible === null) accuracy = 0;
  if (hasUndecodableBody(testKeys)) accuracy = 0;
  return { blocking, accuracy };
}

function scoreOf(measurement: ScoredMeasurement): Score | null {
  const testKeys = measurement.test_keys;
  if (testKeys === null) return DISCARDED; // `score_web_connectivity`: test_keys None
  switch (measurement.test_name) {
    case 'whatsapp':
      return scoreWhatsapp(testKeys);
    case 'telegram':
      return scoreTelegram(testKeys);
    case 'signal':
      return scoreSignal(measurement, testKeys);
    case 'facebook_messenger':
      return scoreFacebookMessenger(testKeys);
    case WEB_CONNECTIVITY:
      return scoreWebConnectivity(testKeys);
    default:
      return null;
  }
}

/**
 * OONI's flags for a bare measurement. `confirmed` is false for tests fastpath never confirms and
 * null (unknown) for web_connectivity, which needs OONI's fingerprint database. A failed measurement
 * carries no anomaly in OONI's counts, but fastpath computes both flags independently, so both are kept.
 */
export function fastpathFlags(measurement: ScoredMeasurement): OoniFlags {
  const score = scoreOf(measurement);
  if (score === null) return { anomaly: null, confirmed: null, failure: null };
  return {
    anomaly: score.blocking > 0.5,
    confirmed: measurement.test_name === WEB_CONNECTIVITY ? null : false,
    failure: score.accuracy < 0.5,
  };
}
