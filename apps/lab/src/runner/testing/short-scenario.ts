import { parseScenario } from '../../scenario/parse-scenario.ts';
import type { Scenario } from '../../scenario/scenario-schema.ts';

/**
 * `sni-reset-whatsapp` shortened for tests: two agents per region (the quorum), no policing (so rounds
 * stay short), the reset lifted at 80 s, meant for 30 s aggregation windows. Limits are generous.
 */
export const SHORT_SNI_RESET_YAML = `
name: short-sni-reset
description: SNI reset for WhatsApp in RU-MOW, lifted at 80 s; DE-BE clean
duration: 210s
interval: 10s
regions:
  - id: RU-MOW
    asn: 64500
    agents: 2
    censor:
      - { match: { sni: "*.whatsapp.net" }, action: reset }
      - { match: { sni: "*.whatsapp.com" }, action: reset }
  - { id: DE-BE, asn: 64501, agents: 2 }
phases:
  - { at: 80s, region: RU-MOW, censor: [] }
expect:
  - { scope: RU-MOW, target: whatsapp, state: blocked, layer: tls, within: 80s }
  - { scope: RU-MOW, target: whatsapp, event: block.ended, after: 80s, within: 130s }
  - { scope: DE-BE, target: whatsapp, state: accessible }
  - { noEvent: block.started, scope: DE-BE }
`;

export function shortSniResetScenario(): Scenario {
  const parsed = parseScenario(SHORT_SNI_RESET_YAML);
  if (!parsed.ok) throw new Error(`test scenario invalid: ${JSON.stringify(parsed.issues)}`);
  return parsed.scenario;
}

/** Window used with the short scenario: long enough for ≥ 4 runs from 2 agents, short enough for CI. */
export const TEST_WINDOW_MS = 30_000;
