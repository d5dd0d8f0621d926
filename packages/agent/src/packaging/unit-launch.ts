import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const INFRA = new URL('../../../../infra/agent/', import.meta.url);
export const AGENT_UNIT_FILE = fileURLToPath(new URL('reachmap-agent.service', INFRA));
export const AGENT_DOCKERFILE = fileURLToPath(new URL('Dockerfile', INFRA));
const BUNDLE_NAME = 'reachmap-agent.mjs';

/**
 * How operators start the agent, read from the shipped systemd unit: Node's own flags (between
 * `node` and the bundle on `ExecStart=`) and the `Environment=` assignments. The bench and the
 * packaging tests start the bundle this way, so what they measure and prove is what a deployed agent
 * does, not a copy of its settings that could drift. REACHMAP_AGENT_DIR is left out: callers choose
 * the state directory.
 */
export interface UnitLaunch {
  nodeArgs: string[];
  environment: Record<string, string>;
}

export function unitLaunch(unitFile: string = AGENT_UNIT_FILE): UnitLaunch {
  const environment: Record<string, string> = {};
  let nodeArgs: string[] | undefined;
  for (const line of readFileSync(unitFile, 'utf8').split('\n')) {
    const [, key, value] = /^(ExecStart|Environment)=(.*)$/.exec(line.trim()) ?? [];
    if (key === undefined || value === undefined) continue;
    const words = systemdWords(value);
    if (key === 'ExecStart') {
      nodeArgs = nodeArgsBeforeBundle(words, `${unitFile}: ExecStart`);
      continue;
    }
    for (const assignment of words) {
      const equals = assignment.indexOf('=');
      if (equals <= 0) continue;
      const name = assignment.slice(0, equals);
      if (name !== 'REACHMAP_AGENT_DIR') environment[name] = assignment.slice(equals + 1);
    }
  }
  if (nodeArgs === undefined) throw new Error(`${unitFile} has no ExecStart= line`);
  return { nodeArgs, environment };
}

/** Node's flags in the image's `ENTRYPOINT ["node", ..., "/opt/reachmap-agent/reachmap-agent.mjs"]`. */
export function dockerfileNodeArgs(dockerfile: string = AGENT_DOCKERFILE): string[] {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(dockerfile, 'utf8'))?.[1];
  if (entrypoint === undefined) throw new Error(`${dockerfile} has no ENTRYPOINT in exec form`);
  return nodeArgsBeforeBundle(JSON.parse(entrypoint) as string[], `${dockerfile}: ENTRYPOINT`);
}

/** systemd.exec(5): space-separated words, each optionally in double quotes. */
function systemdWords(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((word) => word[1] ?? word[2] ?? '');
}

function nodeArgsBeforeBundle(words: string[], where: string): string[] {
  const bundle = words.findIndex((word) => word.endsWith(`/${BUNDLE_NAME}`));
  if (!/(^|\/)node$/.test(words[0] ?? '') || bundle < 1) {
    throw new Error(`${where} must start the bundle with node: node [flags] …/${BUNDLE_NAME}`);
  }
  return words.slice(1, bundle);
}
