import { importPublicKey, verifyMeasurementSignature } from '@reachmap/agent-auth';
import { CLASSIFIER_VERSION, classifyMeasurement, TargetExpectations } from '@reachmap/classifier';
import {
  type EventType,
  EvidenceBundle,
  type Measurement,
  MeasurementV1,
  type VerdictStatus,
} from '@reachmap/schema';

/** One finding of a verification, about one measurement or about the event as a whole. */
export interface Check {
  ok: boolean;
  /** The measurement id the check is about, or null for the event. */
  measurement: string | null;
  what: string;
}

export interface VerificationReport {
  ok: boolean;
  checks: Check[];
  /** Differences that do not make the bundle false but that a reader should know (versions). */
  notes: string[];
}

/** The verdict status each event type's witnesses must carry. */
const WITNESS_STATUS: Record<EventType, VerdictStatus> = {
  'block.started': 'blocked',
  'throttle.started': 'throttled',
  'stall.started': 'stalled',
  'outage.started': 'down',
  'block.ended': 'ok',
  'throttle.ended': 'ok',
  'stall.ended': 'ok',
  'outage.ended': 'ok',
};

function idOf(record: Record<string, unknown>): string {
  return typeof record.id === 'string' ? record.id : '(no id)';
}

function agentIdOf(record: Record<string, unknown>): string | null {
  const agent = record.agent as { id?: unknown } | undefined;
  return typeof agent?.id === 'string' ? agent.id : null;
}

/**
 * Checks an evidence bundle offline: every witness and control is signed by its agent's enrolled key
 * over exactly the bytes' values in the bundle, the classifier of this build reproduces each witness's
 * recorded verdict from the witness and its round's controls, and the witnesses support the event.
 * Reads nothing but its argument: no Redis, no network.
 */
export function verifyBundle(input: unknown): VerificationReport {
  const checks: Check[] = [];
  const notes: string[] = [];
  const parsed = EvidenceBundle.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const what = `not an evidence bundle: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
    return { ok: false, checks: [{ ok: false, measurement: null, what }], notes };
  }
  const bundle = parsed.data;
  const keys = new Map<string, (typeof bundle.agents)[number]>(
    bundle.agents.map((agent) => [agent.agent_id, agent]),
  );

  const checkSignature = (record: { measurement: Record<string, unknown>; signature: string | null }) => {
    const id = idOf(record.measurement);
    const agentId = agentIdOf(record.measurement);
    const agent = agentId === null ? undefined : keys.get(agentId);
    if (agent === undefined) {
      checks.push({ ok: false, measurement: id, what: `no public key in the bundle for agent ${agentId}` });
      return false;
    }
    if (record.signature === null) {
      checks.push({ ok: false, measurement: id, what: 'not signed by its agent' });
      return false;
    }
    let valid = false;
    try {
      valid = verifyMeasurementSignature(
        record.measurement,
        record.signature,
        importPublicKey(agent.public_key),
      );
    } catch (error) {
      checks.push({
        ok: false,
        measurement: id,
        what: `agent ${agent.agent_id}: ${(error as Error).message}`,
      });
      return false;
    }
    checks.push({
      ok: valid,
      measurement: id,
      what: valid
        ? `signature by ${agent.agent_id} is valid`
        : `signature by ${agent.agent_id} does not match: the measurement was changed or not signed by this agent`,
    });
    return valid;
  };

  const controls = new Map<string, Measurement>();
  for (const record of bundle.controls) {
    if (!checkSignature(record)) continue;
    const control = MeasurementV1.safeParse(record.measurement);
    if (control.success) controls.set(control.data.id, control.data);
    else checks.push({ ok: false, measurement: idOf(record.measurement), what: 'not a valid measurement' });
  }

  if (bundle.classifier_version !== CLASSIFIER_VERSION)
    notes.push(
      `the verdicts were decided by classifier ${bundle.classifier_version}; this build re-runs ${CLASSIFIER_VERSION}`,
    );
  const expected = WITNESS_STATUS[bundle.event.type];
  const supporting = new Set<string>();
  for (const record of bundle.witnesses) {
    const id = idOf(record.measurement);
    if (!bundle.event.witnesses.includes(id))
      checks.push({ ok: false, measurement: id, what: `not a witness of event ${bundle.event.id}` });
    if (!checkSignature(record)) continue;
    const witness = MeasurementV1.safeParse(record.measurement);
    if (!witness.success) {
      checks.push({ ok: false, measurement: id, what: 'not a valid measurement' });
      continue;
    }
    const measurement = witness.data;
    if (measurement.target.catalogue_version !== bundle.catalogue.version)
      notes.push(`${id} was measured with catalogue ${measurement.target.catalogue_version}`);
    const missing = measurement.round.controls.filter((control) => !controls.has(control));
    if (missing.length > 0)
      checks.push({
        ok: false,
        measurement: id,
        what: `round controls missing or unverified: ${missing.join(', ')}`,
      });
    const expectations = TargetExpectations.safeParse(
      // An own property only: the bundle is untrusted, and `constructor` would answer from the prototype.
      Object.hasOwn(bundle.catalogue.expectations, measurement.target.id)
        ? bundle.catalogue.expectations[measurement.target.id]
        : {},
    );
    const verdict = classifyMeasurement({
      measurement,
      controls: measurement.round.controls.flatMap((control) => controls.get(control) ?? []),
      ...(expectations.success ? { expectations: expectations.data } : {}),
    });
    const recorded = record.verdict;
    const same = verdict.status === recorded.status && verdict.method === recorded.method;
    checks.push({
      ok: same,
      measurement: id,
      what: same
        ? `verdict reproduced: ${verdict.status}${verdict.method === null ? '' : ` by ${verdict.method}`}`
        : `verdict not reproduced: recorded ${recorded.status}/${recorded.method}, re-run gives ${verdict.status}/${verdict.method}`,
    });
    if (same && verdict.status === expected) supporting.add(measurement.agent.id);
    else if (same)
      checks.push({
        ok: false,
        measurement: id,
        what: `a ${verdict.status} verdict does not witness ${bundle.event.type}`,
      });
  }

  const listed = bundle.event.witnesses.filter(
    (id) => !bundle.witnesses.some((r) => idOf(r.measurement) === id),
  );
  if (listed.length > 0)
    notes.push(
      `${listed.length} of the event's witnesses are not in the bundle (older than the evidence store keeps)`,
    );
  checks.push({
    ok: supporting.size > 0,
    measurement: null,
    what: `${bundle.event.type} in ${bundle.event.scope}: ${supporting.size} distinct agent(s) reproduce ${expected} (the event counted ${bundle.event.agents})`,
  });
  return { ok: checks.every((check) => check.ok), checks, notes };
}
