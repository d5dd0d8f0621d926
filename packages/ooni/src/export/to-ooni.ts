import { createHash } from 'node:crypto';
import {
  type Measurement,
  OBSERVATION_KEYS,
  type ObservationKey,
  type Observations,
  type Verdict,
} from '@reachmap/schema';
import { OONI_LAYERS } from '../ooni-layers.ts';
import { formatOoniTime } from '../ooni-time.ts';
import { type ReachmapExtension, X_REACHMAP } from '../reachmap-extension.ts';
import { isSupportedTest, MESSENGER_TARGETS, WEB_CONNECTIVITY } from '../supported-tests.ts';
import { summaryKeys } from './summary-keys.ts';

export const SOFTWARE_NAME = 'reachmap-agent';
export const DATA_FORMAT_VERSION = '0.2.0';

/** The OONI test our measurement corresponds to; null when none does (a TCP-only control, say). */
export function ooniTestName(measurement: Measurement): string | null {
  if (isSupportedTest(measurement.test.name)) return measurement.test.name;
  const byTarget = [...MESSENGER_TARGETS].find(([, target]) => target === measurement.target.id);
  if (byTarget !== undefined) return byTarget[0];
  const input = measurement.target.input;
  return input !== null && /^https?:\/\//i.test(input) && URL.canParse(input) ? WEB_CONNECTIVITY : null;
}

/**
 * OONI report ids read `<start>Z_<test>_<CC>_<ASN>_n1_<random>`; one round of one agent is our
 * closest thing to a report, so its id hashes the round id. Imported OONI measurements keep theirs.
 */
function reportId(measurement: Measurement, testName: string, startMillis: number): string {
  if (measurement.source.ooni !== null) return measurement.source.ooni.report_id;
  const stamp = new Date(startMillis).toISOString().slice(0, 19).replace(/[-:]/g, '');
  const random = createHash('sha256').update(measurement.round.id).digest('hex').slice(0, 16);
  return `${stamp}Z_${testName.replace(/_/g, '')}_${measurement.network.country}_${measurement.network.asn}_n1_${random}`;
}

function extensionOf(measurement: Measurement, verdict: Verdict | null): ReachmapExtension {
  return {
    measurement_id: measurement.id,
    agent_id: measurement.agent.id,
    round: measurement.round,
    target: {
      id: measurement.target.id,
      kind: measurement.target.kind,
      control: measurement.target.control,
      catalogue_version: measurement.target.catalogue_version,
    },
    network: { region: measurement.network.region, network_type: measurement.network.network_type },
    test_name: measurement.test.name,
    verdict:
      verdict === null
        ? null
        : {
            status: verdict.status,
            layer: verdict.layer,
            method: verdict.method,
            confidence: verdict.confidence,
            classifier_version: verdict.classifier_version,
          },
  };
}

export type OoniExport = { ok: true; ooni: Record<string, unknown> } | { ok: false; reason: string };

/** A v1 measurement (and our verdict, if classified) as an OONI df-000 measurement. Pure. */
export function toOoniMeasurement(measurement: Measurement, verdict: Verdict | null): OoniExport {
  const testName = ooniTestName(measurement);
  if (testName === null) {
    return {
      ok: false,
      reason: `no OONI test expresses test "${measurement.test.name}" on ${measurement.target.id}`,
    };
  }
  const startMillis = Date.parse(measurement.start_time);
  const start = formatOoniTime(startMillis);
  const { observations } = measurement;
  return {
    ok: true,
    ooni: {
      annotations: { engine_name: SOFTWARE_NAME, network_type: measurement.network.network_type },
      data_format_version: DATA_FORMAT_VERSION,
      input: measurement.target.input,
      measurement_start_time: start,
      probe_asn: `AS${measurement.network.asn}`,
      probe_cc: measurement.network.country,
      // OONI never publishes the probe's address; 127.0.0.1 is its redaction.
      probe_ip: '127.0.0.1',
      probe_network_name: '',
      report_id: reportId(measurement, testName, startMillis),
      software_name: SOFTWARE_NAME,
      software_version: measurement.agent.software.version,
      test_name: testName,
      test_runtime: (Date.parse(measurement.end_time) - startMillis) / 1000,
      test_start_time: start,
      test_version: measurement.test.version,
      test_keys: {
        ...observationKeys(observations),
        ...summaryKeys(testName, measurement, verdict),
      },
      [X_REACHMAP]: extensionOf(measurement, verdict),
    },
  };
}

/** Every observation key's test key, in registry order; an empty extension key is left out. */
function observationKeys(observations: Observations): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const key of OBSERVATION_KEYS) {
    const value = toOoni(key, observations);
    if (value !== undefined) keys[OONI_LAYERS[key].testKey] = value;
  }
  return keys;
}

function toOoni<K extends ObservationKey>(key: K, observations: Observations): unknown {
  return OONI_LAYERS[key].toOoni(observations[key]);
}
