import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';

/** Accepts every connection and answers with a TCP RST (what an IP block "with reset" looks like). */
export function startResettingTcpServer(): Promise<LoopbackServer> {
  return listenOnLoopback(net.createServer((socket) => socket.resetAndDestroy()));
}

/** Accepts every connection, reads whatever arrives and never writes a byte. */
export function startSilentTcpServer(): Promise<LoopbackServer> {
  return listenOnLoopback(net.createServer((socket) => socket.resume()));
}

/** Accepts every connection and closes it at once with a FIN. */
export function startClosingTcpServer(): Promise<LoopbackServer> {
  return listenOnLoopback(net.createServer((socket) => socket.end()));
}

const STOPPED_LISTENER_SCRIPT = `
const server = require('node:net').createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => console.log(server.address().port));
`;

/**
 * A SYN blackhole on loopback without root: a child process listens with a backlog of 1 and is then
 * frozen with SIGSTOP, so it never accepts. Once the kernel's accept queue is full, Linux drops further
 * SYNs (net/ipv4/tcp_input.c, `sk_acceptq_is_full`), and a new connect hangs in SYN retransmission
 * exactly like against a DROP rule.
 */
export async function startBlackholeListener(): Promise<LoopbackServer> {
  const child = spawn(process.execPath, ['-e', STOPPED_LISTENER_SCRIPT], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [firstLine] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number.parseInt(firstLine.toString(), 10);
  child.kill('SIGSTOP');
  // Fill the accept queue; these sockets stay open until close() so the queue stays full.
  const fillers = Array.from({ length: 4 }, () =>
    net.connect({ host: '127.0.0.1', port }).on('error', () => {}),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    port,
    close: async () => {
      for (const filler of fillers) filler.destroy();
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}
