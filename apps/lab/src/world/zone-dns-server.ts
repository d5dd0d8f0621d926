import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { answerDnsOverTcp } from '@reachmap/probes';
import type { ZoneRecord } from '@reachmap/targets';
import { replyToQuery } from '../censor/lying-resolver.ts';

export interface ZoneDnsServer {
  close(): Promise<void>;
}

const NO_AGENT = () => null;

/**
 * An honest resolver for the lab zone on UDP and TCP (RFC 7766 length-prefixed) at `host:port`: the
 * "recursive" resolvers of the world (the ISP's in the kernel lab, the control resolvers everywhere).
 */
export async function startZoneDnsServer(
  host: string,
  port: number,
  zone: readonly ZoneRecord[],
): Promise<ZoneDnsServer> {
  const options = { host, port, rules: [], zone, agentIndexOf: NO_AGENT };
  const udp = createSocket('udp4');
  udp.on('message', (message, remote) => {
    const reply = replyToQuery(message, remote.address, options);
    if (reply !== null) udp.send(reply, remote.port, remote.address);
  });
  const connections = new Set<Socket>();
  const tcp = createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    answerDnsOverTcp(socket, (query) => replyToQuery(query, socket.remoteAddress ?? '', options));
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => resolve());
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => resolve());
  });
  return {
    async close() {
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
