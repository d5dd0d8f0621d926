import { readFile } from 'node:fs/promises';
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
