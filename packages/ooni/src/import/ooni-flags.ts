import type { OoniFlags, OoniMeasurementMeta } from '../ooni-format.ts';
import { WEB_CONNECTIVITY } from '../supported-tests.ts';

type TestKeys = Record<string, unknown>;

function anyTrue(values: readonly unknown[]): boolean | null {
  const known = values.filter((value) => value !== undefined && value !== null);
  return known.length === 0 ? null : known.some((value) => value === true);
}

const blocked = (testKeys: TestKeys, key: string) =>
  testKeys[key] === undefined || testKeys[key] === null ? undefined : testKeys[key] === 'blocked';

/**
 * OONI's per-test summary rules (probe-cli's `summary.go` of each experiment, and the fastpath's
 * scoring): each messenger test records its verdict in test keys, which we read rather than recompute.
 */
const MESSENGER_ANOMALY: Readonly<Record<string, (testKeys: TestKeys) => boolean | null>> = {
  whatsapp: (k) =>
    anyTrue([
      blocked(k, 'registration_server_status'),
      blocked(k, 'whatsapp_web_status'),
      blocked(k, 'whatsapp_endpoints_status'),
    ]),
  telegram: (k) =>
    anyTrue([k.telegram_tcp_blocking, k.telegram_http_blocking, blocked(k, 'telegram_web_status')]),
  signal: (k) => anyTrue([blocked(k, 'signal_backend_status')]),
  facebook_messenger: (k) => anyTrue([k.facebook_tcp_blocking, k.facebook_dns_blocking]),
};

/**
 * OONI's verdict for a bare measurement (no API envelope). web_connectivity: `blocking` names the
 * layer (dns, tcp_ip, http-failure, http-diff) or is false; null means the control failed, which OONI
 * counts as a failure, not a verdict. `confirmed` needs OONI's blockpage fingerprints, which only its
 * pipeline applies: unknown (null) for web_connectivity, false for messenger tests (never confirmed).
 */
export function deriveOoniFlags(testName: string, testKeys: TestKeys): OoniFlags {
  if (testName === WEB_CONNECTIVITY) {
    const { blocking } = testKeys;
    if (blocking === null || blocking === undefined) return { anomaly: null, confirmed: null, failure: true };
    return { anomaly: typeof blocking === 'string', confirmed: null, failure: false };
  }
  const failed = testKeys.failure !== undefined && testKeys.failure !== null;
  return { anomaly: MESSENGER_ANOMALY[testName]?.(testKeys) ?? null, confirmed: false, failure: failed };
}

/** The API's measurement_meta carries OONI's published verdict, which wins over our derivation. */
export function ooniFlags(testName: string, testKeys: TestKeys, meta: OoniMeasurementMeta | null): OoniFlags {
  if (meta === null) return deriveOoniFlags(testName, testKeys);
  return { anomaly: meta.anomaly ?? null, confirmed: meta.confirmed ?? null, failure: meta.failure ?? null };
}
