import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type SignedAgentBundle, sha256Hex, signAgentBundle } from '@reachmap/agent-auth';
import { z } from 'zod';
import type { CollectorSigningKey } from '../signing/collector-key.ts';

/** The agent's build output a collector serves (the agent's scripts/agent-bundle.ts writes it). */
const FILES = {
  bundle: 'reachmap-agent.mjs',
  program: 'reachmap-agent.json',
  unit: 'reachmap-agent.service',
  installer: 'install.sh',
} as const;

const Program = z.object({ name: z.literal('reachmap-agent'), version: z.string().regex(/^\d+\.\d+\.\d+$/) });

/** What `GET /agent/*` answers, read and signed once at start. */
export interface AgentFiles {
  version: string;
  bundle: Buffer;
  signed: SignedAgentBundle;
  /** `sha256sum -c` input. */
  sha256Line: string;
  unit: string;
  /** The installer with the placeholders left for `installerFor`. */
  installerTemplate: string;
  collectorKey: string;
}

export class AgentFilesError extends Error {
  override readonly name = 'AgentFilesError';
}

/** Reads the agent build from `dir` and signs the bundle with the collector's key. */
export function loadAgentFiles(dir: string, key: CollectorSigningKey): AgentFiles {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name));
    } catch (error) {
      throw new AgentFilesError(
        `cannot read the agent's ${name} in ${dir} (build it: pnpm --filter @reachmap/agent build): ${(error as Error).message}`,
      );
    }
  };
  const bundle = read(FILES.bundle);
  let program: ReturnType<typeof Program.safeParse>;
  try {
    program = Program.safeParse(JSON.parse(read(FILES.program).toString('utf8')));
  } catch (error) {
    if (error instanceof AgentFilesError) throw error;
    throw new AgentFilesError(`${join(dir, FILES.program)} is not JSON: ${(error as Error).message}`);
  }
  if (!program.success)
    throw new AgentFilesError(`${join(dir, FILES.program)}: ${z.prettifyError(program.error)}`);
  return {
    version: program.data.version,
    bundle,
    signed: signAgentBundle(bundle, { ...program.data, file: FILES.bundle }, key.privateKey),
    sha256Line: `${sha256Hex(bundle)}  ${FILES.bundle}\n`,
    unit: read(FILES.unit).toString('utf8'),
    installerTemplate: read(FILES.installer).toString('utf8'),
    collectorKey: key.publicKeyBase64url,
  };
}

/** The installer as served: it downloads from, verifies with and enrols at this collector. */
export function installerFor(files: AgentFiles, collectorUrl: string): string {
  return files.installerTemplate
    .replace("COLLECTOR_URL='@REACHMAP_COLLECTOR_URL@'", `COLLECTOR_URL='${collectorUrl.replace(/'/g, '')}'`)
    .replace("COLLECTOR_KEY='@REACHMAP_COLLECTOR_KEY@'", `COLLECTOR_KEY='${files.collectorKey}'`);
}

/**
 * Where the agent's build is when AGENT_DIST_DIR is unset: `apps/agent/dist` of the workspace this
 * collector runs from (found upwards from this file, so it holds wherever the collector's code sits),
 * if the agent was built; otherwise the collector serves no agent.
 */
export function defaultAgentDistDir(from: string = import.meta.dirname): string | null {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (!existsSync(join(dir, 'pnpm-workspace.yaml'))) continue;
    const dist = join(dir, 'apps', 'agent', 'dist');
    return existsSync(join(dist, FILES.program)) ? dist : null;
  }
  return null;
}
