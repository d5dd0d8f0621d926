import { newMeasurementId } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { labAgentId, labWindow, labWindowSpan } from './testing.ts';
import { summarizeWindow, WindowSummary } from './window-summary.ts';

describe('summarizeWindow', () => {
  it('counts runs, methods and distinct agents per status', () => {
    const summary = labWindow({
      index: 0,
      agents: [
        ['blocked:sni-reset', 'blocked:sni-timeout', 'ok'],
        { runs: ['blocked:sni-reset', 'down', 'error'], controlsHealthy: false },
        ['error', 'insufficient'],
      ],
    });
    expect(summary).toMatchObject({
      scope: 'RU-MOW',
      target: 'whatsapp',
      window_start: '2026-11-23T10:00:00.000Z',
      window_end: '2026-11-23T10:01:00.000Z',
      counts: { blocked: 3, ok: 1, down: 1, error: 2, insufficient: 1 },
      methods: { blocked: { 'sni-reset': 2, 'sni-timeout': 1 }, down: { outage: 1 } },
      agents: {
        total: 3,
        with_valid_runs: 2,
        by_status: { blocked: 2, ok: 1, down: 1, error: 2, insufficient: 1 },
        // Agent 1's blocked runs are 2 of its 3 valid ones; agent 2's round had no working controls.
        testifying_by_status: { blocked: 1 },
      },
      all_simulated: true,
    });
    expect(WindowSummary.safeParse(summary).success).toBe(true);
  });

  it('counts an agent as testifying to a status only when more than half of its valid runs show it', () => {
    const summary = labWindow({
      index: 0,
      agents: [
        ['blocked', 'blocked', 'blocked'],
        ['blocked', 'ok', 'ok'],
        ['blocked', 'ok'],
        ['blocked', 'blocked', 'ok', 'error', 'down'],
      ],
    });
    expect(summary.agents.by_status).toMatchObject({ blocked: 4, ok: 3 });
    expect(summary.agents.testifying_by_status).toEqual({ blocked: 2, ok: 1 });
  });

  it('keeps the 50 newest witnesses per status, newest first', () => {
    const span = labWindowSpan(0);
    const start = Date.parse(span.window_start);
    const ids = Array.from({ length: 60 }, (_, i) => newMeasurementId(start + i * 100));
    const summary = summarizeWindow(
      { scope: 'AS12389', target: 'telegram', ...span },
      ids.map((measurement_id) => ({
        agent_id: labAgentId(1),
        verdict: { measurement_id, status: 'blocked' as const, method: 'timeout' as const },
        controls_healthy: true,
        simulated: false,
      })),
    );
    expect(summary.witnesses.blocked).toEqual(ids.slice(10).reverse());
    expect(summary.all_simulated).toBe(false);
  });

  it('says an empty window is not simulated and has no agents', () => {
    const summary = summarizeWindow({ scope: 'RU-MOW', target: 'whatsapp', ...labWindowSpan(0) }, []);
    expect(summary).toMatchObject({
      counts: {},
      agents: { total: 0, with_valid_runs: 0 },
      all_simulated: false,
    });
  });
});

describe('WindowSummary schema', () => {
  const valid = labWindow({ index: 0, agents: [['ok', 'blocked'], ['ok']] });

  it.each<[string, WindowSummary]>([
    ['an end before the start', { ...valid, window_end: valid.window_start }],
    [
      'more agents with a status than agents',
      { ...valid, agents: { ...valid.agents, by_status: { ok: 3 } } },
    ],
    ['more valid agents than agents', { ...valid, agents: { ...valid.agents, with_valid_runs: 3 } }],
    [
      'more testifying agents than agents with the status',
      { ...valid, agents: { ...valid.agents, testifying_by_status: { blocked: 2 } } },
    ],
    [
      'more than 50 witnesses',
      { ...valid, witnesses: { ok: Array.from({ length: 51 }, () => newMeasurementId()) } },
    ],
  ])('rejects %s', (_name, summary) => {
    expect(WindowSummary.safeParse(summary).success).toBe(false);
  });
});
