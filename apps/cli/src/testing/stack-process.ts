import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { OONI_IMPORT_ENV, OONI_IMPORT_NODE_FLAGS } from '@reachmap/ooni';
import { buildOoniBundle } from '../../scripts/ooni-bundle.ts';

const MAIN = join(import.meta.dirname, '../main.ts');

export interface StackProcess {
  child: ChildProcessWithoutNullStreams;
  records: Record<string, unknown>[];
  /** The first record from now on (or already seen, from index `since`) that matches. */
  waitForRecord(
    matches: (record: Record<string, unknown>) => boolean,
    timeoutMs: number,
    since?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `signal` (Ctrl-C's SIGINT by default) and resolves with the exit code once stdout closed. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Stacks started and not yet seen to exit, for `stopStacksLeftRunning`. */
const running = new Set<StackProcess>();

/**
 * Stops every stack a test started and left running: a failed assertion ends a test before its own
 * `stop()`, and the stack (with its demo) would otherwise outlive the test run. For `afterEach`.
 */
export async function stopStacksLeftRunning(): Promise<void> {
  await Promise.all([...running].map((stack) => stack.stop()));
}

/** `reachmap up` as a child process on its own data directory; resolves once it says it is running. */
export async function startStackProcess(
  dataDir: string,
  args: string[] = ['--no-demo'],
  env: NodeJS.ProcessEnv = {},
): Promise<StackProcess> {
  // An embedded Redis and free ports, so that tests never meet a developer's running stack.
  const isolated = {
    REDIS_URL: '',
    REACHMAP_DATA_DIR: dataDir,
    COLLECTOR_PORT: '0',
    API_PORT: '0',
    AGGREGATOR_METRICS_PORT: '0',
  };
  const child = spawn(process.execPath, [MAIN, 'up', ...args], {
    env: { ...process.env, ...isolated, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const records: Record<string, unknown>[] = [];
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const record = JSON.parse(line) as Record<string, unknown>;
        records.push(record);
        if (record.msg === 'reachmap is running; press Ctrl-C to stop') resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`reachmap up exited early with ${code}`)));
  });
  const waitForRecord: StackProcess['waitForRecord'] = async (matches, timeoutMs, since = 0) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = records.slice(since).find(matches);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no matching log record within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stack: StackProcess = {
    child,
    records,
    waitForRecord,
    stop: (signal = 'SIGINT') =>
      new Promise((resolve) => {
        if (!running.has(stack)) return resolve(child.exitCode);
        // 'close' rather than 'exit': stdout is drained by then, so the last log lines are in `records`.
        child.once('close', (code) => resolve(code));
        child.kill(signal);
      }),
  };
  running.add(stack);
  child.once('close', () => running.delete(stack));
  return stack;
}

type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs a reachmap CLI command to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runNode([MAIN, ...args], env);
}

/**
 * Runs `reachmap import …` or `reachmap export …` as the `reachmap` launcher does: the bundled OONI
 * commands (scripts/ooni-bundle.ts, built when stale), with the import's capped heap.
 */
export async function runOoniCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const importing = args[0] === 'import';
  const heap = importing ? OONI_IMPORT_NODE_FLAGS : [];
  return await runNode(
    [...heap, await buildOoniBundle(), ...args],
    importing ? { ...OONI_IMPORT_ENV, ...env } : env,
  );
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
