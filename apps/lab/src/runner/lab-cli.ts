import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  Command,
  type CommandUnknownOpts,
  Option,
  type OptionValues,
  processOutput,
  runProgram,
  setExitCode,
} from '@reachmap/command-line';
import { findRedisServer, RedisServerNotFoundError } from '@reachmap/queue';
import { loadCatalogue } from '@reachmap/targets';
import { createLogger, type LogLevel, logLevelFromEnv } from '@reachmap/telemetry';
import { scenarioRuleIssues } from '../censor/rule-reachability.ts';
import { type FuzzOptions, prepareFuzz, type RunHooks } from '../fuzz/fuzz-command.ts';
import { InvalidScenarioError } from '../scenario/parse-scenario.ts';
import { listScenarioFiles, loadScenario } from '../scenario/scenario-files.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { loopbackWorldPlacement } from '../userspace/loopback-addressing.ts';
import { formatLabReport, stackLagRemark } from './format-report.ts';
import { detectLabMode } from './lab-mode.ts';
import { mergeRetry, runLab } from './run-lab.ts';
import { IN_USER_NAMESPACE_ENV, rerunInUserNamespace, userNamespaceLabWorks } from './user-namespace.ts';

/** The options `run` and `fuzz` share: how and where the scenarios run, and the report. */
function withRunOptions<Args extends unknown[], Options extends OptionValues>(
  command: Command<Args, Options>,
) {
  return command
    .option('--userspace', 'force the user-space censor (no root needed)')
    .addOption(new Option('--user').hideHelp())
    .option('--parallel <n>', 'scenarios at a time', '1')
    .option('--json <file>', 'write the report as JSON')
    .option(
      '--retries <n>',
      're-run the scenarios that failed, up to N more times, after the others; a scenario that passes only on a re-run is reported as flaky',
      '0',
    )
    .option(
      '--world-octet <n>',
      'user space beside another user-space lab: the world on 127.N.a.b (default 18)',
    )
    .option(
      '--first-slot <n>',
      'user space beside another user-space lab: censors from 127.(100+N) (default 0)',
    );
}

/** `pnpm lab run|fuzz …` (docs/lab.md). */
function labProgram(): CommandUnknownOpts {
  const program = new Command('pnpm lab').description('the censorship lab (docs/lab.md)');
  withRunOptions(
    program
      .command('run')
      .summary('run censorship-lab scenarios end to end')
      .description(
        'runs censorship-lab scenarios (infra/lab/scenarios) end to end: kernel lab when root with ip/nft or, without root, in an unprivileged user namespace where the kernel allows one; the user-space censor otherwise (or with --userspace). Exits 1 when any expectation fails.',
      )
      .argument('<scenarios...>', 'scenario names, scenario files (.yaml), or all'),
  )
    .option('--fuzz-count <n>', 'add N fuzz worlds (as `fuzz` makes them) to the same run')
    .option('--seed <s>', 'the seed of the --fuzz-count worlds')
    .option('--write-scenario <dir>', 'write the failing --fuzz-count worlds as scenario files')
    .action(async (which, options, command) =>
      setExitCode(
        command,
        await runScenarios(
          which.map((name) => (name.endsWith('.yaml') ? fromCaller(name) : name)),
          withCallerPaths(options),
        ),
      ),
    );
  withRunOptions(
    program
      .command('fuzz')
      .summary('generate random worlds from a seed and run them like scenarios')
      .description(
        'generates N random worlds from seed S (world i has seed S+i; S defaults to REACHMAP_FUZZ_SEED, else a random one, printed) with expectations derived from their ground truth, and runs them like scenarios. A failing world prints its one-line reproducer.',
      ),
  )
    .option('--seed <s>', "the first world's seed")
    .option('--count <n>', 'how many worlds (default 1)')
    .option('--write-scenario <dir>', 'write failing worlds (with --dry-run: every world) as scenario files')
    .option('--dry-run', 'print (or write) the worlds; nothing runs')
    .option('--coverage', "print the worlds' action x layout table without running them")
    .action(async (options, command) => setExitCode(command, await runFuzz(withCallerPaths(options))));
  return program;
}

/**
 * `pnpm lab` runs in apps/lab, but a path on its command line means the directory it was typed in,
 * which pnpm passes as INIT_CWD (`pnpm lab run ./my-scenario.yaml --json report.json` from the root).
 */
function fromCaller(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

function withCallerPaths<Options extends { json?: string; writeScenario?: string }>(
  options: Options,
): Options {
  return {
    ...options,
    ...(options.json === undefined ? {} : { json: fromCaller(options.json) }),
    ...(options.writeScenario === undefined ? {} : { writeScenario: fromCaller(options.writeScenario) }),
  };
}

/** What `withRunOptions` adds to a command's parsed options. */
interface RunOptions {
  userspace?: true;
  user?: true;
  parallel: string;
  json?: string;
  retries: string;
  worldOctet?: string;
  firstSlot?: string;
}

/** `--parallel`, `--retries` and LOG_LEVEL checked, or the usage exit code. */
function runSettings(options: RunOptions): { parallel: number; retries: number; level: LogLevel } | number {
  const parallel = Number(options.parallel);
  const retries = Number(options.retries);
  if (!Number.isInteger(retries) || retries < 0) {
    process.stderr.write(`--retries must be a whole number, got "${options.retries}"\n`);
    return 2;
  }
  if (!Number.isInteger(parallel) || parallel < 1) {
    process.stderr.write(`--parallel must be a positive integer, got "${options.parallel}"\n`);
    return 2;
  }
  try {
    return { parallel, retries, level: logLevelFromEnv() };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
}

/** `pnpm lab fuzz …`: exit code 0 all passed, 1 a failure, 2 bad usage or no redis-server, 130/143 interrupted. */
async function runFuzz(options: RunOptions & FuzzOptions): Promise<number> {
  const settings = runSettings(options);
  if (typeof settings === 'number') return settings;
  const fuzz = await prepareFuzz(options);
  if (fuzz.kind === 'exit') return fuzz.code;
  return runAndReport(fuzz.scenarios, options, settings, fuzz.hooks);
}

/** `pnpm lab run …`: exit code 0 all passed, 1 a failure, 2 bad usage or no redis-server, 130/143 interrupted. */
async function runScenarios(
  which: string[],
  options: RunOptions & { fuzzCount?: string; seed?: string; writeScenario?: string },
): Promise<number> {
  const settings = runSettings(options);
  if (typeof settings === 'number') return settings;
  const files = listScenarioFiles();
  const chosen: string[] = [];
  for (const name of which) {
    const matching =
      name === 'all'
        ? files
        : name.endsWith('.yaml')
          ? [name]
          : files.filter((file) => file.endsWith(`/${name}.yaml`));
    if (matching.length === 0) {
      process.stderr.write(`no scenario "${name}" in infra/lab/scenarios\n`);
      return 2;
    }
    chosen.push(...matching.filter((file) => !chosen.includes(file)));
  }
  const scenarios: Scenario[] = [];
  const catalogue = await loadCatalogue({ kind: 'lab' });
  for (const file of chosen) {
    // A bad scenario file is bad usage: said with the YAML path of the problem, before anything starts.
    try {
      const scenario = loadScenario(file);
      const issues = scenarioRuleIssues(scenario, catalogue);
      if (issues.length > 0) throw new InvalidScenarioError(file, issues);
      scenarios.push(scenario);
    } catch (error) {
      if (error instanceof InvalidScenarioError) {
        process.stderr.write(`invalid scenario ${error.message}\n`);
        return 2;
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        process.stderr.write(`cannot read scenario file ${file}\n`);
        return 2;
      }
      throw error;
    }
  }
  if (options.fuzzCount === undefined || options.fuzzCount === '0') {
    return runAndReport(scenarios, options, settings, {});
  }
  // CI's random sample: fuzz worlds run in the same batches as the catalogue, not after it.
  const fuzz = await prepareFuzz({
    count: options.fuzzCount,
    seed: options.seed,
    writeScenario: options.writeScenario,
  });
  if (fuzz.kind === 'exit') return fuzz.code;
  return runAndReport([...scenarios, ...fuzz.scenarios], options, settings, fuzz.hooks);
}

/**
 * What every world needs and the machine lacks, said once before anything starts: without it each
 * world failed on its own, one identical error per world, and the run still took its stagger delays.
 */
function missingPrerequisite(): string | null {
  try {
    findRedisServer();
    return null;
  } catch (error) {
    if (!(error instanceof RedisServerNotFoundError)) throw error;
    return (
      'the lab starts a private redis-server for each world, and none is on PATH. Install it ' +
      '(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis); ' +
      "`./reachmap test` installs it, and the lab's nftables and iproute2, when run as root."
    );
  }
}

/** Runs the chosen scenarios, prints progress and the report: exit 0 all held, 1 a failure, 130/143. */
async function runAndReport(
  scenarios: Scenario[],
  values: RunOptions,
  { parallel, retries, level }: { parallel: number; retries: number; level: LogLevel },
  hooks: RunHooks,
): Promise<number> {
  const missing = missingPrerequisite();
  if (missing !== null) {
    process.stderr.write(`${missing}\n`);
    return 2;
  }
  const forcedUserSpace = values.userspace === true || values.user === true;
  const logger = createLogger({ name: 'lab', level });
  if (!forcedUserSpace && process.getuid?.() !== 0 && process.env[IN_USER_NAMESPACE_ENV] === undefined) {
    if (userNamespaceLabWorks()) {
      logger.info('not root: running the kernel lab in an unprivileged user namespace (unshare -rnm)');
      return rerunInUserNamespace();
    }
    logger.warn('not root and no unprivileged user namespace with ip/nft: the user-space censor runs');
  }
  const chosen = forcedUserSpace ? { mode: 'userspace' as const, fallback: null } : detectLabMode();
  if (chosen.fallback !== null) logger.warn(chosen.fallback);
  const mode = chosen.mode;
  const interrupt = new AbortController();
  let exitCode: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    exitCode = signal === 'SIGINT' ? 130 : 143;
    logger.warn({ signal }, 'interrupted: tearing the lab down');
    interrupt.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const userNamespace = process.env[IN_USER_NAMESPACE_ENV] !== undefined;
  logger.info({ mode, userNamespace, scenarios: scenarios.map((s) => s.name), parallel }, 'lab run starting');
  const worldOctet = values.worldOctet === undefined ? undefined : Number(values.worldOctet);
  const firstSlot = values.firstSlot === undefined ? undefined : Number(values.firstSlot);
  const run = (chosen: Scenario[], attempt: string) =>
    runLab(chosen, {
      mode,
      parallel: Math.min(parallel, chosen.length),
      logger,
      signal: interrupt.signal,
      ...(worldOctet === undefined ? {} : { world: loopbackWorldPlacement(worldOctet) }),
      ...(firstSlot === undefined ? {} : { firstRegionSlot: firstSlot }),
      onScenarioFinished: (scenario, finished, total) => {
        const held = scenario.scores.filter((score) => score.pass).length;
        const lag = scenario.passed ? '' : stackLagRemark(scenario);
        const verdict =
          (scenario.error === null ? `${held}/${scenario.scores.length} expectations held` : scenario.error) +
          (lag === '' ? '' : `; ${lag}`);
        process.stderr.write(
          `[lab${attempt} ${finished}/${total}] ${scenario.passed ? 'pass' : 'FAIL'} ${scenario.scenario}: ${verdict}\n`,
        );
        hooks.onScenarioFinished?.(scenario);
      },
    });
  let report = await run(scenarios, '');
  for (let retry = 1; retry <= retries && !report.passed && !interrupt.signal.aborted; retry += 1) {
    const failed = new Set(report.scenarios.filter((s) => !s.passed).map((s) => s.scenario));
    const again = scenarios.filter((scenario) => failed.has(scenario.name));
    process.stderr.write(
      `[lab] re-running ${again.length} failed (retry ${retry}/${retries}): ${[...failed].join(', ')}\n`,
    );
    report = mergeRetry(report, await run(again, ` retry ${retry}`));
  }
  process.stdout.write(`${formatLabReport(report)}\n`);
  await hooks.onReport?.(report);
  if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return exitCode ?? (report.passed ? 0 : 1);
}

process.exitCode = await runProgram(labProgram(), process.argv.slice(2), processOutput);
