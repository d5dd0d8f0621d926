import { type CliIo, runCli } from '@reachmap/agent/cli';
import type { ProbeNetwork } from '@reachmap/probes';
import { type AgentLies, InvalidLieError, parseLies, reportedMeasurement } from './agent-lies.ts';

const USAGE_EXIT = 2;

/**
 * The lab's agent command line: `reachmap-agent`'s own commands, plus `--lie TARGET=STATUS`
 * (repeatable), which only this lab entry knows. The lies and the lab's probe network are injected
 * into the agent library; the reachmap-agent binary has neither. Lies need `--simulated`: simulated
 * measurements are kept apart downstream, and a real agent's feed public maps.
 */
export async function runLabAgentCli(
  args: readonly string[],
  io: CliIo,
  probeNetwork?: ProbeNetwork,
): Promise<number> {
  const { lieTexts, agentArgs } = splitLieOptions(args);
  let lies: AgentLies = new Map();
  if (lieTexts.length > 0) {
    if (!agentArgs.includes('--simulated')) {
      io.err('--lie is for the censorship lab and needs --simulated: a real agent never fabricates results');
      return USAGE_EXIT;
    }
    try {
      lies = parseLies(lieTexts);
    } catch (error) {
      if (!(error instanceof InvalidLieError)) throw error;
      io.err(error.message);
      return USAGE_EXIT;
    }
  }
  for (const [target, status] of lies) {
    io.err(`warning: lab agent lying (--lie): ${target} is reported as ${status}, fabricated`);
  }
  return runCli(agentArgs, {
    ...io,
    extensions: {
      ...(probeNetwork === undefined ? {} : { probeNetwork }),
      ...(lies.size === 0 ? {} : { reportMeasurement: (honest) => reportedMeasurement(honest, lies) }),
    },
  });
}

/** Takes the `--lie X` / `--lie=X` options out of the agent's arguments. */
function splitLieOptions(args: readonly string[]): { lieTexts: string[]; agentArgs: string[] } {
  const lieTexts: string[] = [];
  const agentArgs: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--lie') {
      lieTexts.push(args[i + 1] ?? '');
      i += 1;
    } else if (arg.startsWith('--lie=')) {
      lieTexts.push(arg.slice('--lie='.length));
    } else {
      agentArgs.push(arg);
    }
  }
  return { lieTexts, agentArgs };
}
