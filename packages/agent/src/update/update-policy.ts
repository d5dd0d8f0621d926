/**
 * What the operator allows (`--update` or REACHMAP_AGENT_UPDATE): `auto` installs any newer signed
 * version the collector serves, `off` none, and a version number pins the agent to exactly that one.
 */
export type UpdatePolicy = { mode: 'auto' } | { mode: 'off' } | { mode: 'pin'; version: string };

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

export class InvalidUpdatePolicyError extends Error {
  override readonly name = 'InvalidUpdatePolicyError';
}

export function parseUpdatePolicy(text: string | undefined): UpdatePolicy {
  if (text === undefined || text === '' || text === 'auto') return { mode: 'auto' };
  if (text === 'off') return { mode: 'off' };
  if (VERSION.test(text)) return { mode: 'pin', version: text };
  throw new InvalidUpdatePolicyError(
    `update policy must be auto, off or a version such as 0.2.0, got "${text}"`,
  );
}

/** Negative, zero or positive as `a` is older, the same or newer; null when either is no X.Y.Z. */
export function compareVersions(a: string, b: string): number | null {
  const left = VERSION.exec(a);
  const right = VERSION.exec(b);
  if (left === null || right === null) return null;
  for (let part = 1; part <= 3; part++) {
    const difference = Number(left[part]) - Number(right[part]);
    if (difference !== 0) return difference;
  }
  return 0;
}

export type UpdateDecision = 'install' | 'current' | 'pinned' | 'off';

/**
 * Whether to install the version the collector serves. Without a pin only a strictly newer one, so a
 * replayed old (validly signed) program cannot take an agent back; a pin is the operator's explicit
 * choice and may go back.
 */
export function decideUpdate(served: string, running: string, policy: UpdatePolicy): UpdateDecision {
  if (policy.mode === 'off') return 'off';
  if (served === running) return 'current';
  if (policy.mode === 'pin') return served === policy.version ? 'install' : 'pinned';
  return (compareVersions(served, running) ?? 0) > 0 ? 'install' : 'current';
}
