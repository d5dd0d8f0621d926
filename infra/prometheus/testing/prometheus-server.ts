import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreeLoopbackPort } from '@reachmap/queue';

export interface PrometheusQueryResult {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

export interface ActiveAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

export interface PrometheusServer {
  url: string;
  query(expr: string): Promise<PrometheusQueryResult>;
  alerts(): Promise<ActiveAlert[]>;
  metricNames(): Promise<string[]>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus on a free loopback port with its data in `dir`: `config` is written as JSON,
 * which Prometheus reads as YAML.
 */
export async function startPrometheus(
  dir: string,
  config: unknown,
  timeoutMs = 30_000,
): Promise<PrometheusServer> {
  const port = await findFreeLoopbackPort();
  const configFile = join(dir, 'prometheus.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  mkdirSync(join(dir, 'data'), { recursive: true });
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const output = () => lines.join('\n');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus was not ready in time:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${url}${path}`)).json()) as T;
  return {
    url,
    query: (expr) => api<PrometheusQueryResult>(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    alerts: async () => (await api<{ data: { alerts: ActiveAlert[] } }>('/api/v1/alerts')).data.alerts,
    metricNames: async () => (await api<{ data: string[] }>('/api/v1/label/__name__/values')).data,
    output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
