import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A Redis Cluster of `masters` masters (no replicas) on loopback, in a temp dir `stop()` removes. */
export interface LocalCluster {
  nodes: { host: string; port: number }[];
  /** The seed list as reachmap reads it: `redis+cluster://127.0.0.1:p1,127.0.0.1:p2,…`. */
  redisUrl: string;
  dir: string;
  stop(): Promise<void>;
}

export class LocalClusterError extends Error {
  override name = 'LocalClusterError';
}

/** Redis's cluster bus listens on the client port + 10000 (redis.conf, `cluster-port` default). */
const BUS_PORT_OFFSET = 10_000;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A client port whose bus port is free too; the OS picks neither, so both are probed. */
export async function findClusterPort(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + BUS_PORT_OFFSET)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + BUS_PORT_OFFSET))) return port;
  }
  throw new LocalClusterError('found no free loopback port pair for a cluster node');
}

/** A whole simple reply: status, error, or one that ends a line (the cluster commands used here). */
function lineComplete(reply: string): boolean {
  return (
    reply.startsWith('+') || reply.startsWith('-') || reply.includes('\r\n\r\n') || reply.endsWith('\r\n')
  );
}

function command(port: number, line: string, complete = lineComplete): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (complete(reply)) socket.end();
    });
    socket.on('close', () => resolve(reply));
    socket.on('timeout', () => socket.destroy());
    socket.on('error', () => resolve(''));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new LocalClusterError(`${what} within ${timeoutMs} ms`);
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function spawnNode(port: number, nodeDir: string): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      nodeDir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(nodeDir, 'nodes.conf'),
      '--cluster-node-timeout',
      '5000',
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--logfile',
      join(nodeDir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
}

/**
 * Whether the node spawned as `child` came up on `port` as itself. A port pair probed free can be
 * bound by another program first: our node then exits, or (if only the bus port was taken later)
 * another redis-server answers the PING; the INFO pid tells ours from theirs.
 */
async function nodeIsOurs(port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if ((await command(port, 'PING')).startsWith('+PONG')) {
      const info = await command(port, 'INFO server', (text) => /process_id:\d+\r\n/.test(text));
      const pid = /process_id:(\d+)/.exec(info)?.[1];
      return pid !== undefined && Number(pid) === child.pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new LocalClusterError(`node ${port} did not answer PING within ${timeoutMs} ms`);
}

/**
 * One cluster node on a free port pair, retried on another pair when the probed one was lost.
 * `pickPort` is `findClusterPort` but for the test that hands it a port already lost.
 */
export async function startClusterNode(
  dir: string,
  taken: Set<number>,
  pickPort: (taken: ReadonlySet<number>) => Promise<number> = findClusterPort,
): Promise<{ port: number; child: ChildProcess }> {
  const attempts = 5;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const port = await pickPort(taken);
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    const child = spawnNode(port, nodeDir);
    let ours = false;
    try {
      ours = await nodeIsOurs(port, child, 15_000);
    } finally {
      if (!ours) await stopServer(child);
    }
    if (ours) return { port, child };
    taken.add(port).add(port + BUS_PORT_OFFSET);
  }
  throw new LocalClusterError(`no cluster node could keep a port after ${attempts} attempts`);
}

/**
 * Starts `masters` redis-server processes in cluster mode with AOF, joins them with
 * `redis-cli --cluster create … --cluster-replicas 0`, and waits until every node reports
 * `cluster_state:ok`. Needs `redis-server` and `redis-cli` on PATH (Debian: redis-server, redis-tools).
 */
export async function startLocalCluster(options: { masters?: number } = {}): Promise<LocalCluster> {
  const masters = options.masters ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopServer));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let index = 0; index < masters; index += 1) {
      const { port, child } = await startClusterNode(
        dir,
        new Set(ports.flatMap((p) => [p, p + BUS_PORT_OFFSET])),
      );
      ports.push(port);
      children.push(child);
    }
    await execFileAsync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
    for (const port of ports) {
      await waitFor(
        `node ${port} did not reach cluster_state:ok`,
        async () => (await command(port, 'CLUSTER INFO')).includes('cluster_state:ok'),
        30_000,
      );
    }
    const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
    return {
      nodes,
      redisUrl: `redis+cluster://${nodes.map((node) => `${node.host}:${node.port}`).join(',')}`,
      dir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
