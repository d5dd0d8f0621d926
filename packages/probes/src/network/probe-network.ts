/** Where a socket really goes for a logical destination; the observation keeps the logical one. */
export type DialRewrite = (ip: string, port: number) => { ip: string; port: number };

/**
 * How probes reach the network, for hosts that must interpose without root (the censorship lab's
 * user-space mode): every address a probe records stays the logical one (198.18.0.0/15 in the lab),
 * only the socket's connect/send goes elsewhere. Real agents leave it unset.
 */
export interface ProbeNetwork {
  /** Applied at every TCP connect and UDP send (TCP, TLS, HTTP, throughput, QUIC, DNS, DoH). */
  dialRewrite?: DialRewrite;
  /**
   * Answers `{ kind: 'system' }` questions (and HTTP's own name resolution) with one UDP query to this
   * logical `ip:port` instead of getaddrinfo, which cannot be redirected without root. Recorded as
   * the system resolver.
   */
  systemResolver?: string;
  /** Local address every socket binds to (the lab tells a region's agents apart by it). */
  localAddress?: string;
}

/** No interposition: sockets go where the observation says. */
const DIRECT: ProbeNetwork = {};

/** The context's network; a probe without one dials directly (real agents). */
export function probeNetworkOf(context: { network?: ProbeNetwork }): ProbeNetwork {
  return context.network ?? DIRECT;
}

export function dialTarget(network: ProbeNetwork, ip: string, port: number): { ip: string; port: number } {
  return network.dialRewrite === undefined ? { ip, port } : network.dialRewrite(ip, port);
}
