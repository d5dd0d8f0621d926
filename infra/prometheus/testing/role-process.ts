import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const REPOSITORY = join(import.meta.dirname, '../../..');

export type ServerRoleName = 'collector' | 'aggregator' | 'api';

/** A server role started from its entry point as a separate process, as its systemd unit runs it. */
export interface RoleProcess {
  role: ServerRoleName;
  /** Where its /metrics answers. */
  metricsUrl: string;
  /** Its last output lines, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function startRole(
  role: ServerRoleName,
  env: Record<string, string>,
  metricsUrl: string,
  timeoutMs = 60_000,
): Promise<RoleProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(REPOSITORY, 'apps', role, 'src', 'main.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => lines.join('\n');
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(metricsUrl))) {
    if (child.exitCode !== null) throw new Error(`${role} exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${role} did not serve ${metricsUrl} in time:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    role,
    metricsUrl,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
