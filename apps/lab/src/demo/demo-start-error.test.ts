import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoAddressInUseError, explainDemoStartError } from './demo-start-error.ts';

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

/** Binds a UDP socket as the demo's resolvers do; resolves with the bind error, if any. */
function bind(address: string, port: number): Promise<Error | null> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('error', resolve);
    socket.bind(port, address, () => resolve(null));
  });
}

describe('explainDemoStartError', () => {
  it('names a second demo as the cause when a lab address is already bound', async () => {
    expect(await bind('127.0.0.1', 0)).toBeNull();
    const port = sockets[0]?.address().port ?? 0;
    const taken = await bind('127.0.0.1', port);
    expect(taken).toMatchObject({ code: 'EADDRINUSE' });
    const explained = explainDemoStartError(taken);
    expect(explained).toBeInstanceOf(DemoAddressInUseError);
    expect((explained as Error).message).toContain(`(127.0.0.1:${port})`);
    expect((explained as Error).message).toContain('another reachmap demo is running');
    expect((explained as Error).message).toContain('--no-demo');
    expect((explained as Error).cause).toBe(taken);
  });

  it('leaves any other failure as it was', () => {
    const other = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(explainDemoStartError(other)).toBe(other);
    expect(explainDemoStartError('text')).toBe('text');
  });
});
