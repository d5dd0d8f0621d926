import { z } from 'zod';
import { ScopeEvent } from './event.ts';
import { AgentId } from './ids.ts';
import { AgentNetwork } from './network.ts';
import { Verdict } from './verdict.ts';

/**
 * What a third party needs to check one event without trusting the server (docs/methodology.md,
 * "Verifiable evidence"; `reachmap verify`). Measurements are kept as the plain JSON their agents
 * signed: the verifier checks the signature on exactly that, before reading it as a Measurement.
 */
export const EVIDENCE_BUNDLE_FORMAT = 'reachmap-evidence-bundle/1';

const SignedMeasurementRecord = z.object({
  measurement: z.record(z.string(), z.unknown()),
  /**
   * Base64url Ed25519 signature by the measuring agent (`@reachmap/agent-auth`); null if never signed,
   * or if the one kept does not verify with the agent's key (the API checks each as it makes a bundle).
   */
  signature: z.string().max(200).nullable(),
});

export const EvidenceBundle = z.object({
  format: z.literal(EVIDENCE_BUNDLE_FORMAT),
  generated_at: z.iso.datetime(),
  event: ScopeEvent,
  /** The classifier version that decided the verdicts, and the catalogue the targets came from. */
  classifier_version: z.string().max(64),
  catalogue: z.object({
    version: z.string().max(64),
    /** The catalogue's expectations per target id the classifier judged with. */
    expectations: z.record(z.string(), z.unknown()),
  }),
  /** The event's witnesses, each with the verdict the server recorded for it. */
  witnesses: z.array(SignedMeasurementRecord.extend({ verdict: Verdict })).max(100),
  /** The control measurements of the witnesses' rounds, which the classifier judges them against. */
  controls: z.array(SignedMeasurementRecord).max(500),
  /** The measuring agents: public key and enrolment facts, never labels or addresses. */
  agents: z
    .array(
      z.object({
        agent_id: AgentId,
        public_key: z.string().max(100),
        enrolled_at: z.iso.datetime().nullable(),
        revoked_at: z.iso.datetime().nullable(),
        network: AgentNetwork,
      }),
    )
    .max(100),
});
export type EvidenceBundle = z.infer<typeof EvidenceBundle>;
