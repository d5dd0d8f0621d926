import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const AGENT_UNIT = fileURLToPath(new URL('../../../../infra/agent/reachmap-agent.service', import.meta.url));

/**
 * The `Environment=` assignments of the agent's systemd unit (NODE_OPTIONS, allocator settings), so
 * the bench measures the agent the way operators run it rather than a copy of its flags that could
 * drift. The state directory comes from `--state-dir`, so the unit's REACHMAP_AGENT_DIR is left out.
 */
export function operatorEnvironment(unitFile: string = AGENT_UNIT): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const line of readFileSync(unitFile, 'utf8').split('\n')) {
    const match = /^Environment=(.*)$/.exec(line.trim());
    if (match?.[1] === undefined) continue;
    // systemd.exec(5): space-separated assignments, each optionally in double quotes.
    for (const word of match[1].matchAll(/"([^"]*)"|(\S+)/g)) {
      const assignment = word[1] ?? word[2] ?? '';
      const equals = assignment.indexOf('=');
      if (equals <= 0) continue;
      const name = assignment.slice(0, equals);
      if (name !== 'REACHMAP_AGENT_DIR') environment[name] = assignment.slice(equals + 1);
    }
  }
  return environment;
}
