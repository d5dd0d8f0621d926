import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { totalmem } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

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
 * The pipe is watched by a background subshell (given fd 3 explicitly, as bash hands background jobs
 * /dev/null as stdin) while the watchdog itself waits for redis-server, so an early exit of redis-server
 * ends the watchdog with redis-server's exit code instead of going unnoticed.
 */
/**
 * Evaluation windows are sorted sets of ~90-byte members (docs/redis-keys.md), past Redis's default
 * listpack limit of 64 bytes, so each would be a skiplist at ~190 bytes per member. Up to 256 members
 * of up to 128 bytes stay a listpack at ~115 (measured with MEMORY USAGE on Redis 7.0): a window's
 * updates then move a few kilobytes, which costs less than the skiplist's allocations. The
 * `ziplist` names are the ones Redis 6.2 knows; 7 takes them as aliases.
 */
export const COMPACT_SORTED_SETS = ['--zset-max-ziplist-value', '128', '--zset-max-ziplist-entries', '256'];

const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'redis_pid=$!',
  'echo "$redis_pid"',
  'trap \'kill -TERM "$redis_pid" 2>/dev/null\' TERM INT HUP',
  '( while read -r _ <&3; do :; done; kill -TERM "$redis_pid" 2>/dev/null ) &',
  'pipe_watcher=$!',
  'exec 3<&-',
  'wait "$redis_pid"; code=$?',
  // A trapped signal interrupts `wait`; keep waiting until redis-server has really gone.
  'while kill -0 "$redis_pid" 2>/dev/null; do wait "$redis_pid"; code=$?; done',
  'kill "$pipe_watcher" 2>/dev/null',
  'exit "$code"',
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

/**
 * Sends one inline command to the server on `port` and gives what it wrote back until `complete` says
 * the reply is whole ('' when nothing answers): the start-up checks need no client library.
 */
function askRedis(port: number, command: string, complete: (reply: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (complete(reply)) socket.end();
    });
    socket.on('close', () => resolve(reply));
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => resolve(''));
  });
}

async function ping(port: number): Promise<string> {
  return (await askRedis(port, 'PING', (reply) => reply.includes('\r\n'))).trim();
}

/**
 * The `process_id` of the redis-server answering on `port` (INFO server), or null. A port probed free
 * can be bound by another program's redis-server before ours binds it: ours then exits, but its PING
 * may reach the other server first. Asking for the pid tells them apart.
 */
async function serverPidOn(port: number): Promise<number | null> {
  // A bulk reply: `$<length>\r\n<body>\r\n`; the pid line is near its start.
  const reply = await askRedis(
    port,
    'INFO server',
    (text) => /process_id:\d+\r\n/.test(text) || text.startsWith('-'),
  );
  const match = /process_id:(\d+)/.exec(reply);
  return match?.[1] === undefined ? null : Number(match[1]);
}

function tailOfLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** The last few kilobytes a child wrote to stderr (redis-server writes there before its log is open). */
function captureStderr(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4096);
  });
  return () => tail.trim();
}

/** What redis-server said before it went away: its stderr, then the end of its log file. */
function startFailure(what: string, stderr: string, logFile: string): EmbeddedRedisStartError {
  const parts = [what];
  if (stderr !== '') parts.push(`stderr:\n${stderr}`);
  parts.push(`log ${logFile}:\n${tailOfLog(logFile)}`);
  return new EmbeddedRedisStartError(parts.join('\n'));
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

async function waitForPong(
  port: number,
  pid: number,
  child: ChildProcess,
  stderr: () => string,
  logFile: string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      // Let the last stderr bytes arrive before quoting them.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const how = child.exitCode !== null ? `exit code ${child.exitCode}` : `signal ${child.signalCode}`;
      throw startFailure(`redis-server exited during start-up (${how})`, stderr(), logFile);
    }
    // `-LOADING` while the AOF is replayed; keep waiting for +PONG.
    if ((await ping(port)) === '+PONG') {
      const answering = await serverPidOn(port);
      if (answering === pid) return;
      throw startFailure(
        `port ${port} is answered by another redis-server (pid ${answering ?? 'unknown'}), not by ours (pid ${pid})`,
        stderr(),
        logFile,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw startFailure(
    `redis-server did not answer PING within ${timeoutMs} ms on port ${port}`,
    stderr(),
    logFile,
  );
}

async function startOnce(
  redisServer: string,
  options: EmbeddedRedisOptions,
  port: number,
): Promise<EmbeddedRedis> {
  // Absolute: redis-server applies --dir (a chdir) before it opens --logfile.
  const dataDir = resolve(options.dataDir);
  const logFile = join(dataDir, 'redis.log');
  const args = [
    redisServer,
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dataDir,
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
    ...COMPACT_SORTED_SETS,
    '--daemonize',
    'no',
    '--logfile',
    logFile,
  ];
  // detached: a terminal's Ctrl-C reaches only us, so we can drain before Redis goes away.
  const child = spawn('bash', ['-c', WATCHDOG, 'reachmap-redis-watchdog', ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr = captureStderr(child);
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
    await waitForPong(port, pid, child, stderr, logFile, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    killOnExit();
    // Its pid is dead now; at our exit it could belong to another process (pids are reused).
    process.off('exit', killOnExit);
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
  const endpointFile = join(dataDir, ENDPOINT_FILE);
  writeFileSync(endpointFile, JSON.stringify({ port, pid }));
  const stopAndForget = () => stop().then(() => rmSync(endpointFile, { force: true }));
  return { url: `redis://127.0.0.1:${port}`, port, pid, dataDir, stop: stopAndForget };
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
export async function startEmbeddedRedis(requested: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const redisServer = findRedisServer();
  const options = { ...requested, dataDir: resolve(requested.dataDir) };
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
