import { describe, expect, it } from 'vitest';
import { renderStatus } from './stack-output.ts';
import { countOpenStates, describeEvent, metricValue, ratePerMinute } from './stack-status.ts';

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

  it('sums a metric over its labels and ignores look-alike names', () => {
    const text = [
      '# HELP reachmap_collector_ingest_queue_depth depth',
      'reachmap_collector_ingest_queue_depth{partition="0"} 3',
      'reachmap_collector_ingest_queue_depth{partition="1"} 4',
      'reachmap_collector_ingest_queue_depth_max 99',
    ].join('\n');
    expect(metricValue(text, 'reachmap_collector_ingest_queue_depth')).toBe(7);
    expect(metricValue(text, 'absent_metric')).toBeNull();
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
});
