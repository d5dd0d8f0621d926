import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRedisConnection,
  type EmbeddedRedis,
  findFreeLoopbackPort,
  type RedisClient,
  startEmbeddedRedis,
} from '@reachmap/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { enrolAndSubmit } from './testing/agent-submission.ts';
import { type PrometheusServer, startPrometheus } from './testing/prometheus-server.ts';
import { type RoleProcess, type ServerRoleName, startRole } from './testing/role-process.ts';
import { systemToolPresent } from './testing/system-tool.ts';

const found = systemToolPresent('prometheus', 'prometheus');
const here = import.meta.dirname;

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
}

/**
 * The shipped rules with the queue-lag alert's threshold and hold time scaled from minutes to
 * seconds, so the test sees it fire and resolve in a bounded time; its expression is otherwise the
 * shipped one, against metrics the real processes serve.
 */
function scaledRules(): unknown {
  const rules = parse(readFileSync(join(here, 'rules', 'reachmap.rules.yml'), 'utf8')) as {
    groups: Array<{ name: string; rules: Rule[] }>;
  };
  const lag = rules.groups.flatMap((group) => group.rules).find((rule) => rule.alert === 'ReachmapQueueLag');
  if (lag === undefined) throw new Error('ReachmapQueueLag is not in the shipped rules');
  expect(lag.expr).toMatch(/ > 300$/);
  lag.expr = lag.expr.replace(/ > 300$/, ' > 2');
  lag.for = '2s';
  return rules;
}

let dir: string;
let redisServer: EmbeddedRedis;
let redis: RedisClient;
let prometheus: PrometheusServer;
const roles = new Map<ServerRoleName, RoleProcess>();
const ports = new Map<ServerRoleName, number>();

function roleEnv(role: ServerRoleName): Record<string, string> {
  const port = String(ports.get(role));
  return {
    REDIS_URL: redisServer.url,
    REACHMAP_DATA_DIR: join(dir, role),
    REACHMAP_CATALOGUE: 'lab',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    ...(role === 'collector' ? { COLLECTOR_PORT: port } : {}),
    ...(role === 'api' ? { API_PORT: port } : {}),
    ...(role === 'aggregator'
      ? { AGGREGATOR_METRICS_HOST: '127.0.0.1', AGGREGATOR_METRICS_PORT: port, REACHMAP_EVALUATE_EVERY: '1s' }
      : {}),
    // No telemetry export from the children: nothing leaves loopback.
    OTEL_SDK_DISABLED: 'true',
  };
}

const metricsUrl = (role: ServerRoleName) => `http://127.0.0.1:${ports.get(role)}/metrics`;

async function start(role: ServerRoleName): Promise<void> {
  roles.set(role, await startRole(role, roleEnv(role), metricsUrl(role)));
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${prometheus.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  if (!found) return;
  dir = mkdtempSync(join(tmpdir(), 'reachmap-prometheus-'));
  redisServer = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  redis = createRedisConnection({ kind: 'single', url: redisServer.url }, 'producer', 'prometheus-test');
  for (const role of ['collector', 'aggregator', 'api'] as const)
    ports.set(role, await findFreeLoopbackPort());
  await Promise.all((['collector', 'aggregator', 'api'] as const).map(start));
  const job = (role: ServerRoleName) => ({
    job_name: `reachmap-${role}`,
    static_configs: [{ targets: [`127.0.0.1:${ports.get(role)}`] }],
  });
  const rulesFile = join(dir, 'reachmap.rules.json');
  writeFileSync(rulesFile, JSON.stringify(scaledRules()));
  prometheus = await startPrometheus(dir, {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [rulesFile],
    scrape_configs: [job('collector'), job('aggregator'), job('api')],
  });
}, 120_000);

afterAll(async () => {
  if (!found) return;
  await prometheus?.stop();
  await Promise.all([...roles.values()].map((role) => role.stop()));
  redis?.disconnect();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Series that appear with their first observation, which this short run does not produce. */
const APPEAR_LATER = ['reachmap_aggregator_events_total'];

/** Metric names the roles serve once the first test has made one request of each kind. */
const EXPECTED_SERIES = [
  'reachmap_collector_measurements_accepted_total',
  'reachmap_collector_rejected_total',
  'reachmap_collector_request_duration_seconds_bucket',
  'reachmap_queue_jobs',
  'reachmap_queue_oldest_waiting_age_seconds',
  'reachmap_redis_memory_used_bytes',
  'reachmap_redis_memory_max_bytes',
  'reachmap_collector_admission_memory_ratio',
  'reachmap_aggregator_evaluation_lag_seconds',
  'reachmap_aggregator_evaluation_duration_seconds_count',
  'reachmap_aggregator_measurements_counted_total',
  'reachmap_open_states',
  'reachmap_webhook_deliveries_total',
  'reachmap_api_sse_clients',
  'reachmap_api_request_duration_seconds_bucket',
  'reachmap_redis_errors_total',
];

describe.skipIf(!found)('a real Prometheus scraping the roles as separate processes', () => {
  it('scrapes every role and finds the series the alerts and the dashboard use', async () => {
    for (const role of ['collector', 'aggregator', 'api'] as const) {
      await until(`${role} to be up`, async () => {
        const up = await prometheus.query(`up{job="reachmap-${role}"} == 1`);
        return up.data?.result.length === 1 ? true : undefined;
      });
      const rss = await prometheus.query(
        `process_resident_memory_bytes{job="reachmap-${role}",role="${role}"}`,
      );
      expect(Number(rss.data?.result[0]?.value[1])).toBeGreaterThan(10 * 1024 * 1024);
      const lag = await prometheus.query(`nodejs_eventloop_lag_seconds{job="reachmap-${role}"}`);
      expect(lag.data?.result).toHaveLength(1);
    }
    // A request through the API, so its latency histogram has a route, and an unsigned submission,
    // which the collector refuses and counts by reason.
    expect((await fetch(`http://127.0.0.1:${ports.get('api')}/v1/events`)).status).toBe(200);
    const unsigned = await fetch(`http://127.0.0.1:${ports.get('collector')}/v1/measurements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"measurements":[]}',
    });
    expect(unsigned.status).toBe(401);
    await until('the evaluator to report', async () => {
      const evaluated = await prometheus.query('reachmap_aggregator_evaluation_duration_seconds_count > 0');
      return evaluated.data?.result.length === 1 ? true : undefined;
    });
    const names = await until('every expected series', async () => {
      const present = await prometheus.metricNames();
      return EXPECTED_SERIES.every((name) => present.includes(name)) ? present : undefined;
    });
    expect(names).toEqual(expect.arrayContaining(EXPECTED_SERIES));
  }, 120_000);

  it('fires the queue-lag alert while the aggregator is stopped and resolves it once it is back', async () => {
    const queueLag = async () =>
      (await prometheus.alerts()).find((alert) => alert.labels.alertname === 'ReachmapQueueLag');
    expect(await queueLag()).toBeUndefined();

    await roles.get('aggregator')?.stop();
    expect(await enrolAndSubmit(`http://127.0.0.1:${ports.get('collector')}`, redis)).toBe(202);
    const firing = await until('ReachmapQueueLag to fire', async () => {
      const alert = await queueLag();
      return alert?.state === 'firing' ? alert : undefined;
    });
    expect(firing.labels).toMatchObject({ queue: 'ingest', severity: 'page' });

    await start('aggregator');
    await until('ReachmapQueueLag to resolve', async () =>
      (await queueLag()) === undefined ? true : undefined,
    );
    const waiting = await prometheus.query('reachmap_queue_jobs{queue="ingest",state="waiting"}');
    expect(waiting.data?.result[0]?.value[1]).toBe('0');
  }, 120_000);

  it('answers every query of the shipped Grafana dashboard without error', async () => {
    const dashboard = JSON.parse(readFileSync(join(here, 'grafana', 'reachmap-dashboard.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    const metricsOf = (expr: string) => expr.match(/\b(?:reachmap|process|nodejs)_\w+/g) ?? [];
    const needed = dashboard.panels
      .flatMap((panel) => panel.targets.flatMap((target) => metricsOf(target.expr)))
      .filter((name) => !APPEAR_LATER.includes(name));
    // Histograms appear with their first observation, e.g. the job the restarted aggregator just
    // finished, and reach Prometheus with the next scrape: give them a few scrapes.
    let names = await prometheus.metricNames();
    for (let scrapes = 0; scrapes < 20 && !needed.every((name) => names.includes(name)); scrapes += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      names = await prometheus.metricNames();
    }
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        // Grafana's own variable, which Prometheus does not know.
        const expr = target.expr.replaceAll('$__rate_interval', '30s');
        const answer = await prometheus.query(expr);
        expect({ panel: panel.title, status: answer.status, error: answer.error }).toEqual({
          panel: panel.title,
          status: 'success',
          error: undefined,
        });
        // A misspelt metric would also "succeed" with no data: every name must be one a role serves.
        const unserved = metricsOf(expr).filter(
          (name) => !names.includes(name) && !APPEAR_LATER.includes(name),
        );
        expect({ panel: panel.title, unserved }).toEqual({ panel: panel.title, unserved: [] });
      }
    }
  }, 60_000);
});
