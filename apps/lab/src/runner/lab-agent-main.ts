import type { ProbeNetwork } from '@reachmap/probes';
import { runLabAgentCli } from '../lies/lab-agent-cli.ts';
import { LAB_SYSTEM_RESOLVER_IP } from '../topology/addressing.ts';
import { agentSourceAddress, regionDial } from '../userspace/loopback-addressing.ts';
import { exitWithParent } from './exit-with-parent.ts';

/**
 * The process of every lab agent: the agent library's own command line (`run --simulated …`) with
 * the lab injected from outside the reachmap-agent binary: the scenario's `--lie` rules, and in user
 * space (REACHMAP_LAB_AGENT set) a probe network that dials through the region's censor and asks the
 * region's resolver, while the measurements record the lab's 198.18 addresses.
 */
const placement = process.env.REACHMAP_LAB_AGENT;
let probeNetwork: ProbeNetwork | undefined;
if (placement !== undefined) {
  const { region, agent } = JSON.parse(placement) as { region: number; agent: number };
  probeNetwork = {
    dialRewrite: (ip, port) => regionDial(region, ip, port),
    systemResolver: `${LAB_SYSTEM_RESOLVER_IP}:53`,
    localAddress: agentSourceAddress(region, agent),
  };
}
// The lab owns this process through a pipe on stdin (user space and, through `ip netns exec`, the
// kernel lab): when the lab exits, even by SIGKILL, the agent shuts down as on SIGTERM.
exitWithParent(() => process.kill(process.pid, 'SIGTERM'));

process.exitCode = await runLabAgentCli(
  process.argv.slice(2),
  {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  },
  probeNetwork,
);
