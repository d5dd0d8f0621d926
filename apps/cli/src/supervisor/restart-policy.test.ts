import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, decideRestart } from './restart-policy.ts';

const policy = { ...DEFAULT_RESTART_POLICY, initialDelayMs: 100, maxDelayMs: 1_000, maxQuickFailures: 5 };

describe('decideRestart', () => {
  it('backs off exponentially up to the cap while failures come quickly', () => {
    const delays: number[] = [];
    let failures = 0;
    for (let i = 0; i < 5; i++) {
      const decision = decideRestart(policy, failures, 10);
      if (decision.kind !== 'restart') throw new Error('gave up too early');
      delays.push(decision.delayMs);
      failures = decision.quickFailures;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('gives up after maxQuickFailures quick failures in a row', () => {
    expect(decideRestart(policy, 5, 10)).toEqual({ kind: 'give-up', quickFailures: 6 });
  });

  it('forgives earlier failures after a healthy run', () => {
    expect(decideRestart(policy, 5, policy.healthyAfterMs)).toEqual({
      kind: 'restart',
      delayMs: 100,
      quickFailures: 1,
    });
  });
});
