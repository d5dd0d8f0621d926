import { type Measurement, TargetId } from '@reachmap/schema';
import { fabricateLie } from './fabricate-lie.ts';
import { LIE_STATUSES, LieStatus } from './lie-status.ts';

/** Target id → the status this agent fabricates for it. */
export type AgentLies = ReadonlyMap<TargetId, LieStatus>;

export class InvalidLieError extends Error {
  override readonly name = 'InvalidLieError';
}

/** Parses `--lie` values (`whatsapp=blocked`, repeatable); throws InvalidLieError naming the bad one. */
export function parseLies(values: readonly string[]): AgentLies {
  const lies = new Map<TargetId, LieStatus>();
  for (const text of values) {
    const [targetText, statusText, ...rest] = text.split('=');
    if (targetText === undefined || statusText === undefined || rest.length > 0) {
      throw new InvalidLieError(`--lie "${text}" must be TARGET=STATUS, such as whatsapp=blocked`);
    }
    const target = TargetId.safeParse(targetText);
    if (!target.success) throw new InvalidLieError(`--lie "${text}": "${targetText}" is not a target id`);
    const status = LieStatus.safeParse(statusText);
    if (!status.success) {
      throw new InvalidLieError(
        `--lie "${text}": the agent can fabricate only ${LIE_STATUSES.join(', ')}, not "${statusText}"`,
      );
    }
    if (lies.has(target.data)) throw new InvalidLieError(`--lie names target "${target.data}" twice`);
    lies.set(target.data, status.data);
  }
  return lies;
}

/**
 * The measurement the agent reports: fabricated when it lies about this service, else the honest one.
 * Controls are never lied about: they judge every service of the round, and a lab lie is about one
 * target's verdict, not about the agent's network.
 */
export function reportedMeasurement(honest: Measurement, lies: AgentLies | undefined): Measurement {
  const status = lies?.get(honest.target.id);
  return status === undefined || honest.target.kind !== 'service' ? honest : fabricateLie(honest, status);
}
