import { readFile } from 'node:fs/promises';
import type { Command, OptionValues } from '@reachmap/command-line';
import { UsageError } from './cli-command.ts';

/** Adds the options of the commands that measure (`run`, `once`) to `command`. */
export function withMeasuringOptions<Options extends OptionValues>(command: Command<[], Options>) {
  return command
    .option('--simulated', 'mark measurements as simulated (lab and demo networks)')
    .option('--ca-file <path>', 'extra trust anchors in PEM for TLS validation (the lab CA)');
}

/** What `withMeasuringOptions` adds to a command's parsed options. */
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
