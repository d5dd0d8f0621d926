import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A Node child process the bench started (a collector, an aggregator, a worker) and stops again. */
export interface NodeProcess {
  label: string;
  pid: number;
  /** The last lines it wrote, for error messages. */
  outputTail(): string;
  exited(): boolean;
  /** CPU seconds (user + system) the process has used so far, from /proc; null once it is gone. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

export class ChildProcessFailedError extends Error {
  override name = 'ChildProcessFailedError';
}

const TAIL_LINES = 20;
/** Linux USER_HZ; `getconf CLK_TCK` is 100 on every mainstream kernel configuration. */
const CLOCK_TICKS_PER_SECOND = 100;

export function readProcessCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export function spawnNodeProcess(
  label: string,
  entry: string,
  env: Record<string, string>,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): NodeProcess {
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((line) => line !== ''),
    );
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid;
  if (pid === undefined) throw new ChildProcessFailedError(`${label}: could not start ${entry}`);
  let stopping: Promise<void> | undefined;
  return {
    label,
    pid,
    outputTail: () => tail.join('\n'),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    cpuSeconds: () => readProcessCpuSeconds(pid),
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      });
      return stopping;
    },
  };
}

/** Polls `ready` until it answers true; fails early with the process's output if it exits. */
export async function waitForProcess(
  process: NodeProcess,
  ready: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.exited()) {
      throw new ChildProcessFailedError(`${process.label} exited during start-up:\n${process.outputTail()}`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new ChildProcessFailedError(
    `${process.label} was not ready within ${timeoutMs} ms:\n${process.outputTail()}`,
  );
}
