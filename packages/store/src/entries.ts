import type { WindowRun } from '@reachmap/rollup';
import type { AgentId, MeasurementId, Method, RoundId, ScopeKey, VerdictStatus } from '@reachmap/schema';

/**
 * Members of the time-scored sorted sets the evaluation windows are read from. Fields are joined by
 * `|`, which no id, status or method contains; the measurement id first keeps members unique.
 */

export function encodeWindowRun(run: WindowRun): string {
  const { measurement_id, status, method } = run.verdict;
  return [
    measurement_id,
    run.agent_id,
    status,
    method ?? '-',
    run.controls_healthy ? '1' : '0',
    run.simulated ? '1' : '0',
    // The run's other scope: a region run's ASN, an ASN run's region (members written before the
    // field existed have six fields).
    ...(run.asn === undefined ? [] : [run.asn]),
    ...(run.region === undefined ? [] : [run.region]),
  ].join('|');
}

export function decodeWindowRun(member: string): WindowRun {
  const [measurementId, agentId, status, method, healthy, simulated, other] = member.split('|');
  const otherScope =
    other === undefined || other === ''
      ? {}
      : other.startsWith('AS')
        ? { asn: other as ScopeKey }
        : { region: other as ScopeKey };
  return {
    ...otherScope,
    agent_id: agentId as AgentId,
    verdict: {
      measurement_id: measurementId as MeasurementId,
      status: status as VerdictStatus,
      method: method === '-' || method === undefined ? null : (method as Method),
    },
    controls_healthy: healthy === '1',
    simulated: simulated === '1',
  };
}

/** One control measurement of a scope: did the control get through? */
export interface ControlEntry {
  measurementId: MeasurementId;
  agentId: AgentId;
  roundId: RoundId;
  worked: boolean;
  simulated: boolean;
}

export function encodeControlEntry(entry: ControlEntry): string {
  return [
    entry.measurementId,
    entry.agentId,
    entry.roundId,
    entry.worked ? '1' : '0',
    entry.simulated ? '1' : '0',
  ].join('|');
}

export function decodeControlEntry(member: string): ControlEntry {
  const [measurementId, agentId, roundId, worked, simulated] = member.split('|');
  return {
    measurementId: measurementId as MeasurementId,
    agentId: agentId as AgentId,
    roundId: roundId as RoundId,
    worked: worked === '1',
    simulated: simulated === '1',
  };
}

const MINUTE_MS = 60_000;

/** One member per agent and minute: the window's distinct agents without one entry per measurement. */
export function encodeHeartbeat(agentId: AgentId, epochMs: number): string {
  return `${agentId}|${Math.floor(epochMs / MINUTE_MS)}`;
}

export function heartbeatAgent(member: string): string {
  return member.split('|')[0] ?? member;
}
