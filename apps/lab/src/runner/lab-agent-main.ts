import { setProcessProbeNetwork } from '@reachmap/probes';
import { LAB_SYSTEM_RESOLVER_IP } from '../topology/addressing.ts';
import { agentSourceAddress, regionDial } from '../userspace/loopback-addressing.ts';

/**
 * Loaded with `node --import` into a user-space lab agent (the real `reachmap-agent run`): every probe
 * of the process dials through its region's censor and asks the region's resolver, while recording the
 * lab's 198.18 addresses. The agent itself is unmodified.
 */
const placement = process.env.REACHMAP_LAB_AGENT;
if (placement !== undefined) {
  const { region, agent } = JSON.parse(placement) as { region: number; agent: number };
  setProcessProbeNetwork({
    dialRewrite: (ip, port) => regionDial(region, ip, port),
    systemResolver: `${LAB_SYSTEM_RESOLVER_IP}:53`,
    localAddress: agentSourceAddress(region, agent),
  });
}

// The lab owns this process through a pipe on stdin: when the lab exits, even by SIGKILL, the pipe
// closes and the agent shuts down as on SIGTERM (Node has no PR_SET_PDEATHSIG).
process.stdin.resume();
process.stdin.once('end', () => process.kill(process.pid, 'SIGTERM'));
