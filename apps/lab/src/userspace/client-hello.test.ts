import { once } from 'node:events';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { clientHelloServerName } from './client-hello.ts';

/** Captures the first bytes a real Node TLS client sends. */
async function capturedClientHello(servername: string): Promise<Buffer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const [socket] = await Promise.all([
    once(server, 'connection').then(([accepted]) => accepted as import('node:net').Socket),
    Promise.resolve(connect({ host: '127.0.0.1', port, servername }).on('error', () => {})),
  ]);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  server.close();
  return chunk;
}

describe('clientHelloServerName', () => {
  it('reads the SNI of a real ClientHello', async () => {
    expect(clientHelloServerName(await capturedClientHello('e1.whatsapp.net.lab'))).toBe(
      'e1.whatsapp.net.lab',
    );
  });

  it('returns null for data that is not a ClientHello', () => {
    expect(clientHelloServerName(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBeNull();
    expect(clientHelloServerName(Buffer.from([0x16, 0x03, 0x01]))).toBeNull();
  });
});
