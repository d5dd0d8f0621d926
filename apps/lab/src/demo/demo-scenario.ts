import { parseScenario } from '../scenario/parse-scenario.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';

/**
 * The demo network's regions and censors, written as a lab scenario so the same parser validates
 * them (only `regions` is used: the demo has no phases and no end).
 */
const DEMO_SCENARIO_YAML = `
name: demo-network
description: the built-in demo network of reachmap up (simulated agents, user-space censors)
duration: 1h
interval: 20s
regions:
  - id: RU-MOW
    asn: 64500
    agents: 2
    censor:
      - { match: { sni: "*.whatsapp.net" }, action: reset }
      - { match: { sni: "*.whatsapp.com" }, action: reset }
      - { match: { target: telegram, proto: tcp }, action: { police: 128kbit } }
  - { id: RU-SPE, asn: 64502, agents: 2 }
  - id: IR-07
    asn: 64510
    agents: 2
    censor:
      - { match: { target: whatsapp }, action: { dns: { a: 198.18.0.80 } } }
  - { id: DE-BE, asn: 64501, agents: 2 }
  - id: TR-34
    asn: 64520
    agents: 2
    censor:
      - { match: { target: youtube, proto: udp }, action: drop }
expect:
  - { noEvent: block.started, scope: DE-BE }
`;

export function demoScenario(): Scenario {
  const parsed = parseScenario(DEMO_SCENARIO_YAML);
  if (!parsed.ok)
    throw new Error(`the demo network's definition is invalid: ${JSON.stringify(parsed.issues)}`);
  return parsed.scenario;
}
