import { listAgents } from '@reachmap/collector';
import { eventsStreamKey, type RedisClient } from '@reachmap/queue';
import { QUEUE_JOBS_METRIC } from '@reachmap/telemetry';
import type { ChildState } from './supervised-child.ts';

/** What the status block shows; null where the source did not answer (yet). */
export interface StackStatus {
  components: Array<{ name: string; state: ChildState; restarts: number }>;
  agentsSeen: number | null;
  measurementsPerMinute: number | null;
  queueDepth: number | null;
  statesOpen: number | null;
  lastEvent: string | null;
}

/** An agent counts as seen when it reported within this long. */
const AGENT_SEEN_MS = 15 * 60_000;
const RATE_WINDOW_MS = 60_000;

export interface CounterSample {
  atMs: number;
  total: number;
}

/**
 * Per minute over the last minute of samples of a monotonic counter. A drop means the collector
 * restarted (its counter began again at 0): the increase before and after is counted, nothing negative.
 */
export function ratePerMinute(samples: readonly CounterSample[], nowMs: number): number | null {
  const recent = samples.filter((sample) => sample.atMs >= nowMs - RATE_WINDOW_MS);
  const first = recent[0];
  const last = recent.at(-1);
  if (first === undefined || last === undefined || last.atMs === first.atMs) return null;
  let increase = 0;
  for (let i = 1; i < recent.length; i++) {
    const step = (recent[i]?.total ?? 0) - (recent[i - 1]?.total ?? 0);
    increase += step >= 0 ? step : (recent[i]?.total ?? 0);
  }
  return (increase * 60_000) / (last.atMs - first.atMs);
}

/** One `label="value"` of a series' label set; values may hold commas, braces and escaped quotes. */
const LABEL_PAIR = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/gy;
const LABEL_SEPARATOR = /\s*,?\s*/y;

/** The labels of a series line after its `{`, and where the label set ends; null when malformed. */
function labelSetOf(line: string, from: number): { labels: Map<string, string>; end: number } | null {
  const labels = new Map<string, string>();
  let at = from;
  for (;;) {
    LABEL_SEPARATOR.lastIndex = at;
    LABEL_SEPARATOR.exec(line);
    at = LABEL_SEPARATOR.lastIndex;
    if (line[at] === '}') return { labels, end: at + 1 };
    LABEL_PAIR.lastIndex = at;
    const pair = LABEL_PAIR.exec(line);
    if (pair === null) return null;
    // The text format escapes backslash, quote and newline inside label values.
    labels.set(
      pair[1] as string,
      (pair[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)),
    );
    at = LABEL_PAIR.lastIndex;
  }
}

/**
 * A metric's value in a Prometheus text exposition, summed over its series whose labels include every
 * one of `labels`; null when no series matches. A sample's optional timestamp is not its value.
 */
export function metricValue(
  exposition: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | null {
  let total: number | null = null;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    let rest = name.length;
    if (line[name.length] === '{') {
      const set = labelSetOf(line, name.length + 1);
      if (set === null) continue;
      if (!Object.entries(labels).every(([label, value]) => set.labels.get(label) === value)) continue;
      rest = set.end;
    } else if (Object.keys(labels).length > 0) continue;
    const value = Number(line.slice(rest).trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

export interface EventSummary {
  type: string;
  scope: string;
  /** Null for a scope's outage. */
  target: string | null;
}

/** Interference states still open: a `*.started` with no later `*.ended` for its scope and target. */
export function countOpenStates(eventsOldestFirst: readonly EventSummary[]): number {
  const open = new Map<string, boolean>();
  for (const event of eventsOldestFirst) {
    const [kind, phase] = event.type.split('.');
    if (phase !== 'started' && phase !== 'ended') continue;
    open.set(`${kind}|${event.scope}|${event.target}`, phase === 'started');
  }
  return [...open.values()].filter(Boolean).length;
}

export function describeEvent(event: EventSummary & { at?: string }): string {
  const what = [event.type, event.scope, event.target].filter((part) => part !== null).join(' ');
  return event.at === undefined ? what : `${what} at ${event.at.slice(11, 19)} UTC`;
}

const RECENT_EVENTS = 2_000;

/** Reads what the status block needs from Redis and the collector's /metrics; never throws. */
export class StatusSource {
  readonly #redis: RedisClient;
  readonly #collectorUrl: string | null;
  readonly #partitions: number;
  readonly #samples: CounterSample[] = [];

  constructor(redis: RedisClient, collectorUrl: string | null, partitions: number) {
    this.#redis = redis;
    this.#collectorUrl = collectorUrl;
    this.#partitions = partitions;
  }

  async read(): Promise<Omit<StackStatus, 'components'>> {
    const [agentsSeen, metrics, events] = await Promise.all([
      this.#agentsSeen().catch(() => null),
      this.#metrics().catch(() => null),
      this.#events().catch(() => null),
    ]);
    const now = Date.now();
    const accepted =
      metrics === null ? null : metricValue(metrics, 'reachmap_collector_measurements_accepted_total');
    if (accepted !== null) {
      this.#samples.push({ atMs: now, total: accepted });
      while ((this.#samples[0]?.atMs ?? now) < now - 2 * RATE_WINDOW_MS) this.#samples.shift();
    }
    const last = events?.at(-1);
    return {
      agentsSeen,
      measurementsPerMinute: ratePerMinute(this.#samples, now),
      // Batches accepted and not yet taken by an aggregator (the collector serves the ingest queue's gauges).
      queueDepth:
        metrics === null
          ? null
          : metricValue(metrics, QUEUE_JOBS_METRIC, { queue: 'ingest', state: 'waiting' }),
      statesOpen: events === null ? null : countOpenStates(events),
      lastEvent: last === undefined ? null : describeEvent(last),
    };
  }

  async #agentsSeen(): Promise<number> {
    const cutoff = Date.now() - AGENT_SEEN_MS;
    const agents = await listAgents(this.#redis);
    return agents.filter((a) => a.last_seen_at !== null && Date.parse(a.last_seen_at) >= cutoff).length;
  }

  async #metrics(): Promise<string | null> {
    if (this.#collectorUrl === null) return null;
    const response = await fetch(`${this.#collectorUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : null;
  }

  async #events(): Promise<Array<EventSummary & { at?: string }>> {
    const all: Array<{ id: string; event: EventSummary & { at?: string } }> = [];
    for (let partition = 0; partition < this.#partitions; partition++) {
      const entries = await this.#redis.xrevrange(
        eventsStreamKey(partition),
        '+',
        '-',
        'COUNT',
        RECENT_EVENTS,
      );
      for (const [id, fields] of entries) {
        const at = fields.indexOf('event');
        if (at < 0) continue;
        const parsed = JSON.parse(fields[at + 1] ?? 'null') as Record<string, unknown> | null;
        if (parsed === null) continue;
        all.push({
          id,
          event: {
            type: String(parsed.type),
            scope: String(parsed.scope),
            target: typeof parsed.target === 'string' ? parsed.target : null,
            ...(typeof parsed.at === 'string' ? { at: parsed.at } : {}),
          },
        });
      }
    }
    all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return all.map((entry) => entry.event);
  }
}
