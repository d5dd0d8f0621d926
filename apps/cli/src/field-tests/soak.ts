// Field test "soak": `reachmap up` with the demo at an accelerated pace, sampling every process of
// the run (supervisor, parts, demo agents, redis-server) for descriptors and RSS, and Redis's
// used_memory; fails when a fitted slope exceeds its tolerance. Run by scripts/test.sh (10 minutes);
// `pnpm soak --hours N` runs longer and writes its figures to docs/benchmarks.md.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fittedSlope } from './slope.ts';

const ROOT = process.env.REACHMAP_ROOT ?? process.cwd();
const SAMPLE_EVERY_MS = 5_000;
/** Start-up (JIT, caches, first windows) is not a leak: the fit starts after this share of the run. */
const WARM_UP_SHARE = 0.25;
/**
 * Growth per hour allowed per group of processes. The EMFILE leak this guards against grew by
 * hundreds of descriptors a minute; a healthy run is flat within GC noise. Redis holds the rollups of
 * the demo's measurements (48 h retention for 5-minute buckets), so it may grow, but not without bound.
 */
const TOLERANCE_PER_HOUR = { fds: 30, rssMiB: 60, redisMiB: 100 };

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    hours: { type: 'string' },
    'write-benchmarks': { type: 'boolean', default: false },
  },
});
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
  if (proc.command.includes('redis-server')) return 'redis-server';
  if (proc.command.includes(' run --state-dir')) return 'demo agents';
  return 'other';
}

function usage(pid: number): { fds: number; rssMiB: number } | null {
  try {
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { fds, rssMiB: rssKb / 1024 };
  } catch {
    return null;
  }
}

function redisUsedMiB(dataDir: string): number | null {
  try {
    const { port } = JSON.parse(readFileSync(join(dataDir, 'redis', 'endpoint.json'), 'utf8')) as {
      port: number;
    };
    const info = execFileSync('redis-cli', ['-p', String(port), 'info', 'memory'], { encoding: 'utf8' });
    return Number(/used_memory:(\d+)/.exec(info)?.[1]) / 1024 / 1024;
  } catch {
    return null;
  }
}

type Series = Map<string, Array<{ x: number; y: number }>>;
const push = (series: Series, key: string, x: number, y: number) => {
  const points = series.get(key) ?? [];
  points.push({ x, y });
  series.set(key, points);
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
  const series: Series = new Map();
  const started = Date.now();
  try {
    await new Promise((resolve) => setTimeout(resolve, 30_000)); // let it start before the clock runs
    log(`sampling every ${SAMPLE_EVERY_MS / 1000} s for ${(durationMs / 60_000).toFixed(0)} min`);
    const end = Date.now() + durationMs;
    while (Date.now() < end) {
      if (up.exitCode !== null) throw new Error(`reachmap up exited with ${up.exitCode} during the soak`);
      const x = (Date.now() - started) / 3_600_000; // hours
      const totals = new Map<string, { fds: number; rssMiB: number }>();
      for (const proc of descendants(up.pid ?? -1, processTable())) {
        const used = usage(proc.pid);
        if (used === null) continue;
        const group = groupOf(proc);
        const total = totals.get(group) ?? { fds: 0, rssMiB: 0 };
        totals.set(group, { fds: total.fds + used.fds, rssMiB: total.rssMiB + used.rssMiB });
      }
      const own = usage(up.pid ?? -1);
      if (own !== null) totals.set('supervisor', own);
      for (const [group, total] of totals) {
        push(series, `${group} fds`, x, total.fds);
        push(series, `${group} rssMiB`, x, total.rssMiB);
      }
      const redis = redisUsedMiB(dataDir);
      if (redis !== null) push(series, 'redis used_memory redisMiB', x, redis);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  } finally {
    up.kill('SIGINT');
    await new Promise((resolve) => up.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }

  const rows: string[] = [];
  let failed = false;
  for (const [name, points] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
    const fitted = points.slice(Math.floor(points.length * WARM_UP_SHARE));
    const slope = fittedSlope(fitted);
    const unit = name.endsWith('fds') ? 'fds' : name.endsWith('redisMiB') ? 'redisMiB' : 'rssMiB';
    const tolerance = TOLERANCE_PER_HOUR[unit];
    const ok = slope <= tolerance;
    failed ||= !ok;
    const first = fitted[0]?.y ?? 0;
    const last = fitted.at(-1)?.y ?? 0;
    rows.push(
      `| ${name.replace(/ (fds|rssMiB|redisMiB)$/, '')} | ${unit === 'fds' ? 'descriptors' : 'MiB'} | ${first.toFixed(unit === 'fds' ? 0 : 1)} → ${last.toFixed(unit === 'fds' ? 0 : 1)} | ${slope.toFixed(2)}/h | ≤ ${tolerance}/h | ${ok ? 'ok' : 'GROWS'} |`,
    );
  }
  const table = [
    '| processes | measure | first → last sample (after warm-up) | fitted slope | tolerance | |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (values['write-benchmarks']) writeBenchmarks(table);
  log(failed ? 'FAILED: growth beyond tolerance' : 'passed');
  return failed ? 1 : 0;
}

const BEGIN = '<!-- soak:begin -->';
const END = '<!-- soak:end -->';

function writeBenchmarks(table: string): void {
  const path = join(ROOT, 'docs/benchmarks.md');
  const text = readFileSync(path, 'utf8');
  const hours = (durationMs / 3_600_000).toFixed(2);
  const section = `${BEGIN}\n\`pnpm soak --hours ${hours}\` on ${new Date().toISOString().slice(0, 10)}, demo at twice its pace (agents every 10 s, 1 min windows), samples every 5 s, slope fitted after the first quarter:\n\n${table}\n${END}`;
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
