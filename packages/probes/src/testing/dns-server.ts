import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { answerDnsQuery, type LabDnsZone } from './dns-zone.ts';
import { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';

export interface LabDnsServer {
  /** `127.0.0.1:port`, served over UDP and TCP on the same port number. */
  readonly address: string;
  close(): Promise<void>;
}

function serveTcp(zone: LabDnsZone): net.Server {
  return net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const query = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + query.length);
        const reply = answerDnsQuery(query, zone);
        if (reply === null) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([prefix, reply]));
      }
    });
  });
}

/** A lying lab resolver over UDP and TCP, answering from a fixed zone. */
export async function startLabDnsServer(zone: LabDnsZone): Promise<LabDnsServer> {
  const tcp: LoopbackServer = await listenOnLoopback(serveTcp(zone));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (query, remote) => {
    const reply = answerDnsQuery(query, zone);
    if (reply !== null) udp.send(reply, remote.port, remote.address);
  });
  udp.bind(tcp.port, '127.0.0.1');
  await once(udp, 'listening');
  return {
    address: `127.0.0.1:${tcp.port}`,
    close: async () => {
      udp.close();
      await tcp.close();
    },
  };
}
