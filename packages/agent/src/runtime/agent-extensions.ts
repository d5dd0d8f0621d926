import type { ProbeNetwork } from '@reachmap/probes';
import type { Measurement } from '@reachmap/schema';

/**
 * What a program embedding the agent may inject: the censorship lab's agent entry (apps/lab) routes
 * probes through its user-space censors and replaces a lying agent's measurements. The reachmap-agent
 * binary injects nothing, and no command-line option reaches these.
 */
export interface AgentExtensions {
  /** How probes reach the network; unset: directly. */
  probeNetwork?: ProbeNetwork;
  /** Sees each complete measurement before it is spooled and returns the one to report. */
  reportMeasurement?: (honest: Measurement) => Measurement;
}
