// Field test "soak": `reachmap up` with the demo at an accelerated pace, sampling every process of
// the run (supervisor, parts, demo network, each demo agent, redis-server) for descriptors and RSS,
// and Redis's memory; fails when a fitted slope exceeds its tolerance. Run by scripts/test.sh
// (`--minutes 8`); `pnpm soak --hours N` runs longer and writes its figures to docs/benchmarks.md.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, optionsOrExit } from '@reachmap/command-line';
import { redisRetention } from './redis-retention.ts';
import { slopeFit } from './slope.ts';

const ROOT = process.env.REACHMAP_ROOT ?? process.cwd();
const SAMPLE_EVERY_MS = 5_000;
/**
 * Start-up (JIT, heaps growing to their working size, first windows) is not a leak: the fit starts
 * after this share of the run, and never before this many hours of it.
 */
const WARM_UP_SHARE = 0.25;
const WARM_UP_MIN_HOURS = 3 / 60;
/**
 * Node processes take 10-15 minutes to grow their heaps and glibc's arenas to working size (the
 * servers here; demo agents went 130 → 195 MiB before they started with the deployed unit's heap caps
 * and malloc setting, and 120 → 135 since, docs/benchmarks.md "Demo agents launched as deployed"): RSS
 * is judged only when the fit starts this late. The suite's 8-minute soak judges descriptors and
 * Redis; `pnpm soak` also RSS.
 */
const RSS_SETTLED_HOURS = 15 / 60;
/** A slope fails only when it exceeds its tolerance by more than this many standard errors. */
const NOISE_ERRORS = 3;
/**
 * Growth per hour allowed. The EMFILE leak this guards against grew by hundreds of descriptors a
 * minute; a healthy run is flat within GC noise. RSS is judged per process (a demo agent is one
 * process; the ten of them are ten series). Redis keeps every measurement's record and markers and
 * the rollups under their retention (48 h and more), so its used_memory and the redis-server RSS
 * grow by design for the whole soak and are reported, not judged; what retention does not explain
 * (used_memory minus every expiring key's MEMORY USAGE, see redis-retention.ts) is judged.
 */
const TOLERANCE_PER_HOUR = { descriptors: 30, MiB: 60, unexplainedMiB: 30, persistentKeys: 100 };
/** Walking every key costs seconds once the soak has a few hundred thousand: at most 10 % of the time. */
const RETENTION_EVERY_MS = 60_000;

const program = new Command('pnpm soak')
  .description(
    'the soak field test: reachmap up with the demo, every process sampled for descriptors and RSS',
  )
  .option('--minutes <n>', 'how long to run, in minutes', '10')
  .option('--hours <n>', 'how long to run, in hours (instead of --minutes)')
  .option('--write-benchmarks', 'write the figures to docs/benchmarks.md')
  .option(
    '--samples <file>',
    'every sample, per process, as JSON lines: to tell which process of a group grows',
  );
const values = await optionsOrExit(program);
const durationMs =
  values.hours === undefined ? Number(values.minutes) * 60_000 : Number(values.hours) * 3_600_000;

const log = (text: string) => process.stderr.write(`soak: ${text}\n`);

interface Proc {
  pid: number;
  ppid: number;
  command: string;
}

function processTable(): Proc[] {
  const table: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      table.push({ pid, ppid, command });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

function descendants(root: number, table: Proc[]): Proc[] {
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const proc of table) {
      if (proc.ppid === parent) {
        found.push(proc);
        queue.push(proc.pid);
      }
    }
  }
  return found;
}

function groupOf(proc: Proc): string {
  const child = /children\/(\w+)\.ts/.exec(proc.command);
  if (child?.[1]) return child[1];
  // redis-server forks a copy of itself to rewrite the append-only file; it lives seconds to minutes
  // and its RSS climbs as it copies (the "other" process that grew in the first soaks).
  if (proc.command.startsWith('redis-aof-rewrite') || proc.command.startsWith('redis-rdb-bgsave')) {
    return 'redis-server fork (AOF rewrite)';
  }
  if (proc.command.includes('redis-server')) return 'redis-server';
  if (proc.command.includes('demo-main.ts')) return 'demo network';
  const agent = /--state-dir \S*\/(demo-[\w-]+)/.exec(proc.command);
  if (agent?.[1]) return `demo agent ${agent[1].slice('demo-'.length)}`;
  if (proc.command.includes(' run --state-dir')) return 'demo agent';
  return 'other';
}

function usage(pid: number): { fds: number; rssMiB: number } | null {
  try {
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const rssKb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    // A zombie (exited, not yet reaped) has no memory and no descriptors: not a process to sample.
    return rssKb === undefined ? null : { fds, rssMiB: Number(rssKb) / 1024 };
  } catch {
    return null;
  }
}

function redisPort(dataDir: string): number | null {
  try {
    return (JSON.parse(readFileSync(join(dataDir, 'redis', 'endpoint.json'), 'utf8')) as { port: number })
      .port;
  } catch {
    return null;
  }
}

function redisCli(dataDir: string, ...args: string[]): string | null {
  const port = redisPort(dataDir);
  if (port === null) return null;
  try {
    return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
  } catch {
    return null;
  }
}

function redisUsedMiB(dataDir: string): number | null {
  const info = redisCli(dataDir, 'info', 'memory');
  return info === null ? null : Number(/used_memory:(\d+)/.exec(info)?.[1]) / 1024 / 1024;
}

/** One measured quantity: its points and, when growth fails the soak, the tolerated slope per hour. */
interface Measure {
  name: string;
  unit: 'descriptors' | 'MiB' | 'keys';
  tolerancePerHour: number | null;
  points: Array<{ x: number; y: number }>;
}
type Series = Map<string, Measure>;
const push = (
  series: Series,
  name: string,
  unit: Measure['unit'],
  tolerancePerHour: number | null,
  x: number,
  y: number,
) => {
  const key = `${name} (${unit})`; // one process has two series: descriptors and MiB
  const measure = series.get(key) ?? { name, unit, tolerancePerHour, points: [] };
  measure.points.push({ x, y });
  series.set(key, measure);
};

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-soak-'));
  const up: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'apps/cli/src/main.ts'), 'up', '--log-format', 'json'],
    {
      env: {
        ...process.env,
        REDIS_URL: '',
        REACHMAP_DATA_DIR: dataDir,
        COLLECTOR_PORT: '0',
        API_PORT: '0',
        AGGREGATOR_METRICS_PORT: '0',
        // Twice the demo's own pace: more rounds, DNS queries and connections per hour of soak.
        AGENT_INTERVAL: '10s',
        AGENT_JITTER: '2s',
        REACHMAP_WINDOW: '1m',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  // Ctrl-C or a CI timeout's SIGTERM ends the sampling early; the stack is still stopped and the
  // figures so far printed (not written to docs). Without this Node exited at once and left the whole
  // `reachmap up` stack running, since it shares no pipe with the soak that could tell it.
  let interrupted: NodeJS.Signals | null = null;
  const pause = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = signal;
      pause.abort();
    });
  }
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      pause.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  const series: Series = new Map();
  const started = Date.now();
  let nextRetentionAt = 0;
  try {
    await sleep(30_000); // let it start before the clock runs
    log(`sampling every ${SAMPLE_EVERY_MS / 1000} s for ${(durationMs / 60_000).toFixed(0)} min`);
    const end = Date.now() + durationMs;
    while (Date.now() < end && interrupted === null) {
      if (up.exitCode !== null) throw new Error(`reachmap up exited with ${up.exitCode} during the soak`);
      const x = (Date.now() - started) / 3_600_000; // hours
      // Summed per group (the redis-server wrapper with its server); one process per demo agent.
      const totals = new Map<string, { fds: number; rssMiB: number }>();
      const perProcess: Array<{ pid: number; group: string; command: string; fds: number; rssMiB: number }> =
        [];
      for (const proc of descendants(up.pid ?? -1, processTable())) {
        const used = usage(proc.pid);
        if (used === null) continue;
        const group = groupOf(proc);
        perProcess.push({ pid: proc.pid, group, command: proc.command.slice(0, 200), ...used });
        const total = totals.get(group) ?? { fds: 0, rssMiB: 0 };
        totals.set(group, { fds: total.fds + used.fds, rssMiB: total.rssMiB + used.rssMiB });
      }
      const own = usage(up.pid ?? -1);
      if (own !== null) totals.set('supervisor', own);
      for (const [group, total] of totals) {
        // A fork that comes and goes has no trend to fit.
        const transient = group === 'redis-server fork (AOF rewrite)';
        push(series, group, 'descriptors', transient ? null : TOLERANCE_PER_HOUR.descriptors, x, total.fds);
        // redis-server's RSS follows used_memory, which grows by design (judged below, without retention).
        const rssTolerance = group.startsWith('redis-server') ? null : TOLERANCE_PER_HOUR.MiB;
        push(series, group, 'MiB', rssTolerance, x, total.rssMiB);
      }
      const redis = redisUsedMiB(dataDir);
      if (redis !== null) push(series, 'redis used_memory', 'MiB', null, x, redis);
      const port = redisPort(dataDir);
      if (port !== null && Date.now() >= nextRetentionAt) {
        const walkStarted = Date.now();
        try {
          const retention = redisRetention(port);
          push(series, 'redis keys under retention', 'keys', null, x, retention.expiringKeys);
          // A key per measurement or batch without a TTL would add ~100,000 an hour here.
          push(
            series,
            'redis keys without expiry',
            'keys',
            TOLERANCE_PER_HOUR.persistentKeys,
            x,
            retention.persistentKeys,
          );
          push(series, 'redis memory under retention', 'MiB', null, x, retention.expiringMiB);
          push(
            series,
            'redis memory not explained by retention',
            'MiB',
            TOLERANCE_PER_HOUR.unexplainedMiB,
            x,
            retention.unexplainedMiB,
          );
        } catch (error) {
          log(`could not walk Redis's keys this time: ${(error as Error).message}`);
        }
        nextRetentionAt = Date.now() + Math.max(RETENTION_EVERY_MS, 10 * (Date.now() - walkStarted));
      }
      if (values.samples !== undefined) {
        appendFileSync(
          values.samples,
          `${JSON.stringify({ hours: x, redisMiB: redis, redisKeys: Number(redisCli(dataDir, 'dbsize')), processes: perProcess })}\n`,
        );
      }
      await sleep(SAMPLE_EVERY_MS);
    }
  } finally {
    up.kill('SIGINT');
    await new Promise((resolve) => up.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }

  const rows: string[] = [];
  let failed = false;
  const byName = [...series.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.unit.localeCompare(b.unit),
  );
  for (const { name, unit, tolerancePerHour, points } of byName) {
    const warmUpEnd = Math.max((points.at(-1)?.x ?? 0) * WARM_UP_SHARE, WARM_UP_MIN_HOURS);
    const fitted = points.filter((point) => point.x >= warmUpEnd);
    const { slope, standardError } = slopeFit(fitted);
    const unsettledRss =
      unit === 'MiB' &&
      tolerancePerHour !== null &&
      !name.startsWith('redis') &&
      warmUpEnd < RSS_SETTLED_HOURS;
    const tolerance = unsettledRss ? null : tolerancePerHour;
    const ok = tolerance === null || slope - NOISE_ERRORS * standardError <= tolerance;
    failed ||= !ok;
    const digits = unit === 'MiB' ? 1 : 0;
    const first = (fitted[0]?.y ?? 0).toFixed(digits);
    const last = (fitted.at(-1)?.y ?? 0).toFixed(digits);
    const judged = unsettledRss
      ? '(still warming up: judged in runs of 60 min and more)'
      : tolerance === null
        ? '(by design)'
        : `≤ ${tolerance}/h`;
    const verdict = tolerance === null ? '' : ok ? 'ok' : 'GROWS';
    const fit = `${slope.toFixed(1)} ± ${standardError.toFixed(1)}/h`;
    rows.push(`| ${name} | ${unit} | ${first} → ${last} | ${fit} | ${judged} | ${verdict} |`);
  }
  const table = [
    '| processes | measure | first → last sample (after warm-up) | fitted slope ± standard error | tolerance | |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (interrupted !== null) {
    log(
      `interrupted by ${interrupted} after ${((Date.now() - started) / 60_000).toFixed(1)} min: stack stopped, nothing judged or written`,
    );
    return interrupted === 'SIGINT' ? 130 : 143;
  }
  if (values.writeBenchmarks) writeBenchmarks(table);
  log(failed ? 'FAILED: growth beyond tolerance' : 'passed');
  return failed ? 1 : 0;
}

const BEGIN = '<!-- soak:begin -->';
const END = '<!-- soak:end -->';

function writeBenchmarks(table: string): void {
  const path = join(ROOT, 'docs/benchmarks.md');
  const text = readFileSync(path, 'utf8');
  const hours = (durationMs / 3_600_000).toFixed(2);
  const section = `${BEGIN}\n\`pnpm soak --hours ${hours}\` on ${new Date().toISOString().slice(0, 10)}, demo at twice its pace (agents every 10 s, 1 min windows), samples every 5 s, slope fitted after the first quarter (at least 3 min); a judged slope fails when it exceeds its tolerance by more than 3 standard errors:\n\n${table}\n${END}`;
  const next = text.includes(BEGIN)
    ? text.replace(new RegExp(`${BEGIN}[\\s\\S]*${END}`), section)
    : `${text.trimEnd()}\n\n## Soak\n\n${section}\n`;
  writeFileSync(path, next);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`FAILED: ${error.message}`);
    process.exit(1);
  },
);
