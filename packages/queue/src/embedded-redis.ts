import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { totalmem } from 'node:os';
import { delimiter, join } from 'node:path';

/** A private redis-server that reachmap started and owns; `stop()` shuts it down cleanly (AOF flushed). */
export interface EmbeddedRedis {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  /** Where the AOF and the server log live; reused across runs so accepted data survives a restart. */
  dataDir: string;
  /** Fixed port; by default a free loopback port is picked. */
  port?: number;
  /** How long to wait for the server to answer PING (AOF replay on a large data set takes a while). */
  readyTimeoutMs?: number;
  /** Redis `maxmemory`; by default `defaultEmbeddedMaxMemory()`. */
  maxMemoryBytes?: number;
}

/**
 * A quarter of the machine's memory, at least 256 MiB: without a limit Redis grows until the kernel
 * kills it (or reachmap), and the collector's memory backpressure, a fraction of maxmemory, never acts.
 */
export function defaultEmbeddedMaxMemory(totalBytes: number = totalmem()): number {
  return Math.max(256 * 1024 ** 2, Math.floor(totalBytes / 4));
}

export class RedisServerNotFoundError extends Error {
  override name = 'RedisServerNotFoundError';
  constructor() {
    super(
      'redis-server was not found on PATH. reachmap starts a private Redis when REDIS_URL is unset. ' +
        'Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis), ' +
        'or set REDIS_URL to a Redis 6.2+ you run yourself.',
    );
  }
}

export class EmbeddedRedisStartError extends Error {
  override name = 'EmbeddedRedisStartError';
}

/*
 * The watchdog shell sits between us and redis-server. Its stdin is a pipe from this process; when we
 * exit or die (even by SIGKILL) the kernel closes the pipe, `read` sees EOF and the watchdog asks
 * redis-server to shut down (SIGTERM = graceful: the AOF is flushed). Node has no PR_SET_PDEATHSIG.
 */
const WATCHDOG = [
  '"$@" &',
  'redis_pid=$!',
  'echo "$redis_pid"',
  'trap \'kill -TERM "$redis_pid" 2>/dev/null\' TERM INT HUP',
  'while read -r _; do :; done',
  'kill -TERM "$redis_pid" 2>/dev/null',
  'wait "$redis_pid"',
].join('\n');

export function findRedisServer(pathVariable = process.env.PATH ?? ''): string {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  throw new RedisServerNotFoundError();
}

export async function findFreeLoopbackPort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe listener'));
      });
    });
  });
}

function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.trim()));
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => resolve(''));
  });
}

function tailOfLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log written)';
  }
}

function readFirstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(buffer.slice(0, newline));
    });
    child.once('exit', () =>
      reject(new EmbeddedRedisStartError('redis watchdog exited before starting redis')),
    );
  });
}

async function waitForPong(port: number, child: ChildProcess, logFile: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new EmbeddedRedisStartError(`redis-server exited during start-up:\n${tailOfLog(logFile)}`);
    }
    // `-LOADING` while the AOF is replayed; keep waiting for +PONG.
    if ((await ping(port)) === '+PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new EmbeddedRedisStartError(
    `redis-server did not answer PING within ${timeoutMs} ms on port ${port}:\n${tailOfLog(logFile)}`,
  );
}

async function startOnce(
  redisServer: string,
  options: EmbeddedRedisOptions,
  port: number,
): Promise<EmbeddedRedis> {
  const logFile = join(options.dataDir, 'redis.log');
  const args = [
    redisServer,
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    options.dataDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory',
    String(options.maxMemoryBytes ?? defaultEmbeddedMaxMemory()),
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--logfile',
    logFile,
  ];
  // detached: a terminal's Ctrl-C reaches only us, so we can drain before Redis goes away.
  const child = spawn('bash', ['-c', WATCHDOG, 'reachmap-redis-watchdog', ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const pid = Number(await readFirstLine(child));
  const killOnExit = () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  try {
    await waitForPong(port, child, logFile, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    killOnExit();
    child.stdin?.end();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => {
        killOnExit();
        child.kill('SIGKILL');
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.stdin?.end();
    });
    return stopping;
  };
  // Other reachmap commands (`reachmap admin …`) find and share this server instead of starting a
  // second redis-server on the same AOF files.
  const endpointFile = join(options.dataDir, ENDPOINT_FILE);
  writeFileSync(endpointFile, JSON.stringify({ port, pid }));
  const stopAndForget = () => stop().then(() => rmSync(endpointFile, { force: true }));
  return { url: `redis://127.0.0.1:${port}`, port, pid, dataDir: options.dataDir, stop: stopAndForget };
}

const ENDPOINT_FILE = 'endpoint.json';

/**
 * The embedded server another reachmap process already runs on `dataDir`, if it is alive and
 * answering; `stop()` on the result does nothing, as the other process owns it.
 */
export async function findRunningEmbeddedRedis(dataDir: string): Promise<EmbeddedRedis | undefined> {
  let endpoint: { port: number; pid: number };
  try {
    endpoint = JSON.parse(readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  if ((await ping(endpoint.port)) !== '+PONG') return undefined;
  return {
    url: `redis://127.0.0.1:${endpoint.port}`,
    port: endpoint.port,
    pid: endpoint.pid,
    dataDir,
    stop: async () => {},
  };
}

/** Starts a private redis-server on loopback with AOF (`appendfsync everysec`) in `dataDir`. */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const redisServer = findRedisServer();
  if (await findRunningEmbeddedRedis(options.dataDir)) {
    throw new EmbeddedRedisStartError(
      `another reachmap process already runs the embedded redis-server for ${options.dataDir}; ` +
        'stop it first, or set REACHMAP_DATA_DIR to another directory',
    );
  }
  mkdirSync(options.dataDir, { recursive: true });
  if (options.port !== undefined) return await startOnce(redisServer, options, options.port);
  // A free port can be taken between probing and binding; a couple of retries make that harmless.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startOnce(redisServer, options, await findFreeLoopbackPort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
