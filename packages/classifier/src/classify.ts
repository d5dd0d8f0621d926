import type { Measurement, Verdict } from '@reachmap/schema';
import { confidenceOf } from './confidence.ts';
import type { TargetExpectations } from './expectations.ts';
import { dnsRule } from './rules/dns.ts';
import { blockpageRule, httpDiffRule, httpFailureRule } from './rules/http.ts';
import { okFinding } from './rules/ok.ts';
import { outageOrAllowlist } from './rules/outage.ts';
import { judgeOwnObservations } from './rules/own-observations.ts';
import { quicRule } from './rules/quic.ts';
import { assessControls } from './rules/round-controls.ts';
import type { Finding, Rule, RuleContext } from './rules/rule.ts';
import { stallRule } from './rules/stall.ts';
import { tcpRule } from './rules/tcp.ts';
import { throttleRule } from './rules/throttle.ts';
import { tlsRule } from './rules/tls.ts';
import { unexplainedFailureRule } from './rules/unexplained.ts';
import { incompleteMeasurement, unusableMeasurement } from './rules/unusable.ts';
import { CLASSIFIER_VERSION } from './version.ts';

export interface ClassifierInput {
  measurement: Measurement;
  /** The control measurements of the same round (`target.kind === 'control'`); others are ignored. */
  controls: readonly Measurement[];
  /** What the catalogue knows about the target; validated by the caller against TargetExpectations. */
  expectations?: TargetExpectations;
}

/** docs/techniques.md's "Starting thresholds": first match wins. docs/methodology.md explains each rule. */
const SERVICE_RULES: readonly Rule[] = [
  outageOrAllowlist,
  dnsRule,
  tcpRule,
  tlsRule,
  blockpageRule,
  httpDiffRule,
  httpFailureRule,
  quicRule,
  stallRule,
  throttleRule,
  unexplainedFailureRule,
];

// Limits of the Verdict schema.
const MAX_EVIDENCE = 20;
const MAX_EVIDENCE_LENGTH = 500;

function judgeService(context: RuleContext): Finding {
  const unusable = unusableMeasurement(context.measurement);
  if (unusable !== null) return unusable;
  for (const rule of SERVICE_RULES) {
    const finding = rule(context);
    if (finding !== null) return finding;
  }
  return incompleteMeasurement(context.measurement) ?? okFinding(context);
}

function truncate(sentence: string): string {
  return sentence.length <= MAX_EVIDENCE_LENGTH ? sentence : `${sentence.slice(0, MAX_EVIDENCE_LENGTH - 1)}…`;
}

/**
 * Judges one measurement against the controls of its round. A control measurement is judged on its
 * own observations (ok, down or error), so that control health can be counted.
 */
export function classifyMeasurement(input: ClassifierInput): Verdict {
  const { measurement } = input;
  const finding =
    measurement.target.kind === 'control'
      ? judgeOwnObservations(measurement)
      : judgeService({
          measurement,
          controls: assessControls(input.controls),
          expectations: input.expectations ?? {},
        });
  return {
    measurement_id: measurement.id,
    status: finding.status,
    layer: finding.layer,
    method: finding.method,
    confidence: finding.support === null ? 0 : confidenceOf(finding.support),
    evidence: finding.evidence.slice(0, MAX_EVIDENCE).map(truncate),
    classifier_version: CLASSIFIER_VERSION,
  };
}
