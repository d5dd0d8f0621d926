import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CollectorConfig, startCollectorFromConfig } from '@reachmap/collector';
import { loadConfig } from '@reachmap/config';
import { createRedisConnection, startEmbeddedRedis, waitUntilReady } from '@reachmap/queue';
import { createLogger } from '@reachmap/telemetry';
import { describe, expect, it } from 'vitest';
import { renderStatus } from './stack-output.ts';
import { countOpenStates, describeEvent, metricValue, ratePerMinute, StatusSource } from './stack-status.ts';

describe('status block', () => {
  it('reads a rate per minute from counter samples, across a collector restart', () => {
    expect(ratePerMinute([{ atMs: 0, total: 10 }], 0)).toBeNull();
    expect(
      ratePerMinute(
        [
          { atMs: 0, total: 10 },
          { atMs: 30_000, total: 40 },
        ],
        30_000,
      ),
    ).toBe(60);
    // 10 → 40, restart, 0 → 20: 50 new in 60 s.
    const samples = [
      { atMs: 0, total: 10 },
      { atMs: 30_000, total: 40 },
      { atMs: 60_000, total: 20 },
    ];
    expect(ratePerMinute(samples, 60_000)).toBe(50);
  });

  it('sums a metric over the series with the labels asked for and ignores look-alike names', () => {
    const text = [
      '# HELP reachmap_queue_jobs Jobs in a queue by state',
      'reachmap_queue_jobs{queue="ingest",state="waiting",role="collector"} 3',
      'reachmap_queue_jobs{queue="ingest",state="active",role="collector"} 4',
      'reachmap_queue_jobs{queue="webhook-deliveries",state="waiting",role="api"} 5',
      'reachmap_queue_jobs_max 99',
    ].join('\n');
    expect(metricValue(text, 'reachmap_queue_jobs')).toBe(12);
    expect(metricValue(text, 'reachmap_queue_jobs', { queue: 'ingest', state: 'waiting' })).toBe(3);
    expect(metricValue(text, 'reachmap_queue_jobs', { queue: 'ingest', state: 'failed' })).toBeNull();
    expect(metricValue(text, 'absent_metric')).toBeNull();
  });

  it('reads label values holding commas, braces and escapes, and never takes a timestamp for the value', () => {
    const text = [
      'http_requests_total{route="/v1/map,list",note="say \\"hi\\" {x}",code="200"} 7 1733616000000',
      'http_requests_total{route="/v1/map",code="500",} 2',
      'http_requests_total 1',
    ].join('\n');
    expect(metricValue(text, 'http_requests_total', { route: '/v1/map,list' })).toBe(7);
    expect(metricValue(text, 'http_requests_total', { note: 'say "hi" {x}' })).toBe(7);
    expect(metricValue(text, 'http_requests_total', { code: '500' })).toBe(2);
    expect(metricValue(text, 'http_requests_total', { route: '/v1/map' })).toBe(2);
    expect(metricValue(text, 'http_requests_total')).toBe(10);
  });

  it('counts states still open from the event history', () => {
    const events = [
      { type: 'block.started', scope: 'RU-MOW', target: 'whatsapp' },
      { type: 'block.started', scope: 'IR-07', target: 'whatsapp' },
      { type: 'block.ended', scope: 'IR-07', target: 'whatsapp' },
      { type: 'outage.started', scope: 'IR', target: null },
    ];
    expect(countOpenStates(events)).toBe(2);
    expect(describeEvent({ ...events[3], at: '2026-12-02T06:40:12.000Z' } as never)).toBe(
      'outage.started IR at 06:40:12 UTC',
    );
  });

  it('renders components, activity and the last event, marking restarts', () => {
    const lines = renderStatus({
      components: [
        { name: 'collector', state: 'up', restarts: 0 },
        { name: 'demo', state: 'restarting', restarts: 2 },
      ],
      agentsSeen: 10,
      measurementsPerMinute: 141.6,
      queueDepth: 0,
      statesOpen: null,
      lastEvent: null,
    });
    expect(lines).toEqual([
      '── collector up · demo restarting (restarted 2×)',
      '   10 agents seen · 142 measurements/min · 0 queued · – states open',
      '   last event: none yet',
    ]);
  });

  it('says "1 agent seen" and "1 state open", in the singular', () => {
    const [, counts] = renderStatus({
      components: [],
      agentsSeen: 1,
      measurementsPerMinute: 1,
      queueDepth: 1,
      statesOpen: 1,
      lastEvent: null,
    });
    expect(counts).toBe('   1 agent seen · 1 measurements/min · 1 queued · 1 state open');
  });
});

describe('the status source against a real collector', () => {
  it("reads the queue's depth and the agents from what a running collector serves", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reachmap-status-'));
    const embedded = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
    const redis = createRedisConnection({ kind: 'single', url: embedded.url }, 'producer', 'status-test');
    // As `reachmap up` hands its status source a session that is ready (no offline queue: a read
    // before the connection is up fails, and its figure shows "–").
    await waitUntilReady(redis);
    // Started as `reachmap up` starts its collector child: from the configuration, here its defaults.
    const config = loadConfig(CollectorConfig, {
      env: { REACHMAP_DATA_DIR: join(dir, 'collector'), COLLECTOR_PORT: '0' },
    });
    const collector = await startCollectorFromConfig(config, {
      redis: { kind: 'single', url: embedded.url },
      logger: createLogger({ name: 'status-test', level: 'silent' }),
    });
    try {
      const status = await new StatusSource(redis, collector.url, 1).read();
      // Every figure the status block shows is read: none left at "–" by a metric name gone stale.
      expect(status).toMatchObject({ agentsSeen: 0, queueDepth: 0, statesOpen: 0, lastEvent: null });
    } finally {
      await collector.close();
      redis.disconnect();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
