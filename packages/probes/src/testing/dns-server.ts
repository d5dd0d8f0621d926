import dgram from 'node:dgram';
import net from 'node:net';
import { answerDnsOverTcp } from '../dns/tcp-framing.ts';
import { answerDnsQuery, type LabDnsZone } from './dns-zone.ts';
import { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';

export interface LabDnsServer {
  /** `127.0.0.1:port`, served over UDP and TCP on the same port number. */
  readonly address: string;
  close(): Promise<void>;
}

function serveTcp(zone: LabDnsZone): net.Server {
  return net.createServer((socket) => answerDnsOverTcp(socket, (query) => answerDnsQuery(query, zone)));
}

async function bindUdp(socket: dgram.Socket, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

// The TCP port is free, but another test may hold the same number over UDP; try a fresh pair then.
const PORT_PAIR_ATTEMPTS = 5;

/**
 * A lying lab resolver over UDP and TCP, answering from a fixed zone. The first `lose` UDP questions
 * go unanswered, as a lossy line loses them.
 */
export async function startLabDnsServer(zone: LabDnsZone, { lose = 0 } = {}): Promise<LabDnsServer> {
  let toLose = lose;
  for (let attempt = 1; ; attempt += 1) {
    const tcp: LoopbackServer = await listenOnLoopback(serveTcp(zone));
    const udp = dgram.createSocket('udp4');
    try {
      await bindUdp(udp, tcp.port);
    } catch (error) {
      udp.close();
      await tcp.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < PORT_PAIR_ATTEMPTS) continue;
      throw error;
    }
    udp.on('message', (query, remote) => {
      if (toLose > 0) {
        toLose -= 1;
        return;
      }
      const reply = answerDnsQuery(query, zone);
      if (reply !== null) udp.send(reply, remote.port, remote.address);
    });
    return {
      address: `127.0.0.1:${tcp.port}`,
      close: async () => {
        udp.close();
        await tcp.close();
      },
    };
  }
}
