import { describe, expect, it } from 'vitest';
import { signAgentConfig, verifyAgentConfig } from './config-signature.ts';
import { generateAgentKeyPair } from './keys.ts';

const collector = generateAgentKeyPair();
const config = { agent_id: 'agt_0123456789abcdef', schedule: { interval_s: 300, jitter_s: 30 } };

describe('agent configuration signatures', () => {
  it('verifies whatever the key order after a JSON round trip', () => {
    const signed = signAgentConfig(config, collector.privateKey);
    const reordered = {
      ...signed,
      config: { schedule: { jitter_s: 30, interval_s: 300 }, agent_id: config.agent_id },
    };
    expect(verifyAgentConfig(JSON.parse(JSON.stringify(reordered)), collector.publicKey)).toBe(true);
  });

  it('fails when a value was changed or another key signed', () => {
    const signed = signAgentConfig(config, collector.privateKey);
    const tampered = { ...signed, config: { ...config, schedule: { interval_s: 5, jitter_s: 30 } } };
    expect(verifyAgentConfig(tampered, collector.publicKey)).toBe(false);
    expect(verifyAgentConfig(signed, generateAgentKeyPair().publicKey)).toBe(false);
  });
});
