import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabReport } from '../runner/run-lab.ts';
import type { ScenarioReport } from '../runner/run-scenario.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { coverageTable, fuzzAxisTableOfRun, fuzzScoreTable } from './fuzz-tables.ts';
import { worldSeeds } from './generate-world.ts';
import { describeWorld, reproducer, type WorldScenario, worldScenario } from './world-scenario.ts';

/** What the shared runner calls back while fuzz worlds run. */
export interface RunHooks {
  onScenarioFinished?: (report: ScenarioReport) => void;
  onReport?: (report: LabReport) => Promise<void>;
}

export type FuzzPreparation =
  | { kind: 'exit'; code: number }
  | { kind: 'run'; scenarios: Scenario[]; hooks: RunHooks };

const MAX_SEED = 2 ** 31;

function parseCount(value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= 0 && parsed < MAX_SEED ? parsed : null;
}

async function writeWorlds(dir: string, worlds: readonly WorldScenario[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const { scenario, yaml } of worlds) {
    const file = join(dir, `${scenario.name}.yaml`);
    await writeFile(file, yaml);
    process.stderr.write(`fuzz: wrote ${file}\n`);
  }
}

/** The options of `pnpm lab fuzz` (and `--seed` with `--fuzz-count` of `pnpm lab run`). */
export interface FuzzOptions {
  seed?: string;
  count?: string;
  writeScenario?: string;
  dryRun?: true;
  coverage?: true;
}

/**
 * `pnpm lab fuzz`: the worlds of `--seed`/`--count` as scenarios for the runner, with hooks that print a
 * failing world's reproducer and write it out. `--coverage` and `--dry-run` end here (exit 0).
 */
export async function prepareFuzz(values: FuzzOptions): Promise<FuzzPreparation> {
  const seedText = values.seed ?? (process.env.REACHMAP_FUZZ_SEED || undefined);
  const seed = parseCount(seedText, randomInt(0, MAX_SEED));
  const count = parseCount(values.count, 1);
  if (seed === null || count === null || count === 0) {
    process.stderr.write(`--seed must be an integer in [0, 2^31) and --count a positive integer\n`);
    return { kind: 'exit', code: 2 };
  }
  const worlds = worldSeeds(seed, count).map(worldScenario);
  const writeDir = values.writeScenario;
  if (values.coverage === true) {
    process.stdout.write(`${coverageTable(worlds.map(({ world }) => world))}\n`);
    return { kind: 'exit', code: 0 };
  }
  process.stderr.write(
    `fuzz: seed ${seed}, ${count} world${count === 1 ? '' : 's'} (seeds ${seed}-${seed + count - 1}); rerun: pnpm lab fuzz --seed ${seed} --count ${count}\n`,
  );
  for (const { world, scenario } of worlds) {
    process.stderr.write(
      `fuzz: world ${world.seed}: ${describeWorld(world)}; ${scenario.expect.length} expectations, ${scenario.duration / 1000}s\n`,
    );
  }
  if (values.dryRun === true) {
    if (writeDir === undefined) for (const { yaml } of worlds) process.stdout.write(`---\n${yaml}`);
    else await writeWorlds(writeDir, worlds);
    return { kind: 'exit', code: 0 };
  }
  return {
    kind: 'run',
    scenarios: worlds.map(({ scenario }) => scenario),
    hooks: {
      onScenarioFinished: (report) => {
        if (report.passed) return;
        const world = worlds.find(({ scenario }) => scenario.name === report.scenario)?.world;
        if (world === undefined) return;
        for (const score of report.scores.filter((candidate) => !candidate.pass)) {
          process.stderr.write(`  failed: ${score.label}: ${score.detail}\n`);
        }
        process.stderr.write(`  reproduce: ${reproducer(world.seed)}\n`);
      },
      onReport: async (report) => {
        const ran = worlds.map(({ world }) => world);
        process.stdout.write(`\n${fuzzScoreTable(ran, report.scenarios)}\n`);
        // Hundreds of rows hide a weak corner; the same run per axis shows it.
        process.stdout.write(`\n${fuzzAxisTableOfRun(ran, report.scenarios)}\n`);
        const failed = worlds.filter(({ scenario }) =>
          report.scenarios.some((candidate) => candidate.scenario === scenario.name && !candidate.passed),
        );
        for (const { world } of failed)
          process.stdout.write(`FAIL world ${world.seed}: ${reproducer(world.seed)}\n`);
        if (writeDir !== undefined && failed.length > 0) await writeWorlds(writeDir, failed);
      },
    },
  };
}
