import { type RunningReflector, startReflector } from '@reachmap/reflector';
import type { Catalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import { LAB_BLOCKPAGE_IP, LAB_SYSTEM_RESOLVER_IP } from '../topology/addressing.ts';
import { LAB_BLOCKPAGE_HTML } from '../topology/censor-daemon.ts';
import type { WorldPlacement } from '../userspace/loopback-addressing.ts';
import { labEndpoints } from '../userspace/user-space-censor.ts';
import { labWebsite } from './lab-website.ts';
import { startQuicResponder } from './quic-responder.ts';
import { startTargetServer } from './target-server.ts';
import type { WorldCertificates } from './world-certificates.ts';
import { startZoneDnsServer } from './zone-dns-server.ts';

export interface WorldServicesOptions {
  catalogue: Catalogue;
  certificates: WorldCertificates;
  /** The lab addresses themselves inside the world namespace (kernel), or loopback twins (user space). */
  placement: WorldPlacement;
  logger: Logger;
}

export interface WorldServices {
  close(): Promise<void>;
}

const DNS_PORT = 53;
/** Generous reflector limits: the lab's own censor, not the reflector's abuse guard, must shape transfers. */
const LAB_REFLECTOR_LIMITS = {
  maxRequestBytes: 64 * 1024 * 1024,
  bytesPerWindow: 1024 ** 4,
  windowSeconds: 60,
  rateBytesPerSecond: 1024 ** 3,
  burstBytes: 1024 ** 3,
  maxConnectionsPerClient: 10_000,
};

/**
 * Everything agents reach beyond their censor: the ISP and control resolvers (UDP, TCP, DoH), a
 * website for every lab target address and port, QUIC responders, the reflector and the blockpage.
 */
export async function startWorldServices(options: WorldServicesOptions): Promise<WorldServices> {
  const { catalogue, certificates, placement, logger } = options;
  const closers: Array<() => Promise<void>> = [];
  try {
    const site = labWebsite(catalogue);
    const reflectorHosts = new Set(catalogue.reflectors.map((reflector) => reflector.host));
    const dnsHosts = new Set([LAB_SYSTEM_RESOLVER_IP]);
    for (const endpoint of labEndpoints(catalogue)) {
      if (endpoint.port === DNS_PORT) dnsHosts.add(endpoint.labIp);
    }
    for (const ip of dnsHosts) {
      const at = placement(ip, DNS_PORT);
      const server = await startZoneDnsServer(at.host, at.port, catalogue.dns_zone);
      closers.push(() => server.close());
    }
    for (const endpoint of labEndpoints(catalogue)) {
      if (endpoint.port === DNS_PORT || reflectorHosts.has(endpoint.labIp)) continue;
      const at = placement(endpoint.labIp, endpoint.port);
      const server =
        endpoint.proto === 'tcp'
          ? await startTargetServer(at.host, at.port, site, certificates.server)
          : await startQuicResponder(at.host, at.port);
      closers.push(() => server.close());
    }
    const blockpage = placement(LAB_BLOCKPAGE_IP, 80);
    const blockpageServer = await startTargetServer(
      blockpage.host,
      blockpage.port,
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LAB_BLOCKPAGE_HTML);
      },
      certificates.server,
    );
    closers.push(() => blockpageServer.close());

    for (const reflector of catalogue.reflectors) {
      const tcp = placement(reflector.host, reflector.port);
      const running: RunningReflector = await startReflector(
        {
          host: tcp.host,
          port: tcp.port,
          quicPort: tcp.port,
          // In memory: a world process is killed, never closed, so key files would outlive every run.
          tls: {
            kind: 'pem',
            chainPem: certificates.server.chainPem,
            privateKeyPem: certificates.server.privateKeyPem,
          },
          limits: LAB_REFLECTOR_LIMITS,
          logLevel: 'warn',
        },
        // Per-request logs of the reflector would drown the lab's own; warnings still show.
        logger.child({ component: 'reflector', reflector: reflector.id }, { level: 'warn' }),
      );
      closers.push(() => running.close(0));
    }
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
  return { close: () => closeAll(closers) };
}

/** Closes everything even past a failure: one server failing to close must not leave the rest, or the key files, behind. */
async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1)
    throw new AggregateError(failures, `${failures.length} world services failed to close`);
}
