import { connect, type Server, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface Listener {
  host: string;
  port: number;
}

/** Listeners that drop every new SYN, as a kernel `drop` rule does; `close()` frees their ports. */
export interface SynBlackhole {
  close(): Promise<void>;
}

export class SynBlackholeError extends Error {
  override readonly name = 'SynBlackholeError';
}

/** Linux queues backlog + 1 handshakes a listener has not accepted, then drops further SYNs. */
const BACKLOG = 1;
/** A connect that has not completed by then met a full queue: loopback handshakes take microseconds. */
const FULL_QUEUE_PROBE_MS = 250;
const MAX_FILLERS = 8;
/** Port handover between a relay and the blackhole's worker: closing frees a port a moment later. */
const BIND_ATTEMPTS = 50;
const BIND_RETRY_MS = 10;

// CommonJS for `eval`. The worker listens, reports, then blocks in Atomics.wait: its event loop never
// runs again, so nothing ever accepts. A port the relay just closed may take a moment to free.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:net');
const listen = ({ host, port }, attempt) =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => {
      if (error.code !== 'EADDRINUSE' || attempt >= workerData.attempts) return reject(error);
      setTimeout(() => listen({ host, port }, attempt + 1).then(resolve, reject), workerData.retryMs);
    });
    server.listen({ host, port, backlog: workerData.backlog }, resolve);
  });
Promise.all(workerData.listeners.map((listener) => listen(listener, 1))).then(
  () => {
    parentPort.postMessage({ ok: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  },
  (error) => parentPort.postMessage({ ok: false, message: error.message }),
);
`;

/** Resolves with the socket once connected, or null when the connect did not complete in time. */
function connectWithin(listener: Listener, ms: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: listener.host, port: listener.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

/** Fills the listener's accept queue with our own connections until a further connect hangs. */
async function fillQueue(listener: Listener, fillers: Socket[]): Promise<void> {
  for (let count = 0; count < MAX_FILLERS; count++) {
    const socket = await connectWithin(listener, FULL_QUEUE_PROBE_MS);
    if (socket === null) return;
    fillers.push(socket);
  }
  throw new SynBlackholeError(
    `${listener.host}:${listener.port} still completes handshakes after ${MAX_FILLERS} unaccepted ones; this kernel does not drop SYNs at a full accept queue`,
  );
}

/**
 * Without root a relay cannot drop a SYN: the kernel completes the handshake before Node sees the
 * connection, so a "dropped" connect would succeed. A listener that never accepts can: once its accept
 * queue is full, Linux drops further SYNs and the client's connect times out as behind a kernel drop.
 */
export async function startSynBlackhole(listeners: readonly Listener[]): Promise<SynBlackhole> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { listeners, backlog: BACKLOG, attempts: BIND_ATTEMPTS, retryMs: BIND_RETRY_MS },
  });
  const fillers: Socket[] = [];
  const close = async () => {
    await worker.terminate();
    for (const socket of fillers) socket.destroy();
  };
  try {
    const reply = await new Promise<{ ok: boolean; message?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!reply.ok) throw new SynBlackholeError(`blackhole listener failed: ${reply.message}`);
    await Promise.all(listeners.map((listener) => fillQueue(listener, fillers)));
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}

/** Listens, retrying a while on EADDRINUSE: the blackhole's worker may still be releasing the port. */
export async function listenOnFreedPort(server: Server, { host, port }: Listener): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= BIND_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, BIND_RETRY_MS));
    }
  }
}
