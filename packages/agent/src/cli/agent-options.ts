import { readFile } from 'node:fs/promises';
import { DEFAULT_SPOOL_MAX_BYTES } from '../spool/spool.ts';
import { InvalidUpdatePolicyError, parseUpdatePolicy, type UpdatePolicy } from '../update/update-policy.ts';
import { type OptionValues, UsageError } from './cli-command.ts';

/** Options shared by the commands that measure. */
export const MEASURING_OPTIONS = {
  simulated: { type: 'boolean' },
  'ca-file': { type: 'string' },
} as const;

/** `--simulated`: measurements of a lab or demo network, kept apart from real ones downstream. */
export function measurementSource(values: OptionValues): 'agent' | 'simulated' {
  return values.simulated === true ? 'simulated' : 'agent';
}

/** `--ca-file`: extra trust anchors (the lab CA) for the TLS validation recorded in measurements. */
export async function extraTrustAnchors(values: OptionValues): Promise<string[] | undefined> {
  const path = values['ca-file'];
  if (typeof path !== 'string') return undefined;
  try {
    return [await readFile(path, 'utf8')];
  } catch (error) {
    throw new UsageError(`cannot read --ca-file ${path}: ${(error as Error).message}`);
  }
}

/** `--update` or REACHMAP_AGENT_UPDATE: auto (default), off, or a pinned version. */
export function selfUpdatePolicy(values: OptionValues, env: NodeJS.ProcessEnv): UpdatePolicy {
  try {
    return parseUpdatePolicy((values.update as string | undefined) ?? env.REACHMAP_AGENT_UPDATE);
  } catch (error) {
    if (error instanceof InvalidUpdatePolicyError) throw new UsageError(error.message);
    throw error;
  }
}

/** `--spool-max-mb` or REACHMAP_AGENT_SPOOL_MAX_MB, default 100 MB. */
export function spoolMaxBytes(values: OptionValues, env: NodeJS.ProcessEnv): number {
  const text = (values['spool-max-mb'] as string | undefined) ?? env.REACHMAP_AGENT_SPOOL_MAX_MB;
  if (text === undefined || text === '') return DEFAULT_SPOOL_MAX_BYTES;
  const megabytes = Number(text);
  if (!Number.isFinite(megabytes) || megabytes < 1)
    throw new UsageError(`spool size must be at least 1 MB, got "${text}"`);
  return Math.floor(megabytes * 1024 * 1024);
}
