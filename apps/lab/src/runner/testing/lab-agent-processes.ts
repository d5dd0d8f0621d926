import { readdirSync, readFileSync } from 'node:fs';

export interface LabAgentProcess {
  pid: number;
  argv: string[];
  /** `NAME=value` entries, as the process was started. */
  environment: string[];
}

/**
 * The lab agents (entry lab-agent-main.ts) that `parent` started, read from /proc. Only its own: other
 * test files run at the same time and start lab agents of their own (the demo's, for one).
 */
export function labAgentProcesses(parent: number): LabAgentProcess[] {
  const found: LabAgentProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.some((word) => word.endsWith('lab-agent-main.ts'))) continue;
      const environment = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      found.push({ pid: Number(entry), argv, environment });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
