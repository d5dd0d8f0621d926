import { readFile } from 'node:fs/promises';
import { UsageError } from './cli-command.ts';

/** The options of the commands that measure (`run`, `once`). */
interface MeasuringOptions {
  simulated?: true;
  caFile?: string;
}

/** `--simulated`: measurements of a lab or demo network, kept apart from real ones downstream. */
export function measurementSource(values: MeasuringOptions): 'agent' | 'simulated' {
  return values.simulated === true ? 'simulated' : 'agent';
}

/** `--ca-file`: extra trust anchors (the lab CA) for the TLS validation recorded in measurements. */
export async function extraTrustAnchors(values: MeasuringOptions): Promise<string[] | undefined> {
  const path = values.caFile;
  if (path === undefined) return undefined;
  try {
    return [await readFile(path, 'utf8')];
  } catch (error) {
    throw new UsageError(`cannot read --ca-file ${path}: ${(error as Error).message}`);
  }
}
