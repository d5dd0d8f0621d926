import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadCatalogue } from '@reachmap/targets';
import { createLogger, type LogLevel, logLevelFromEnv } from '@reachmap/telemetry';
import { scenarioRuleIssues } from '../censor/rule-reachability.ts';
import { prepareFuzz, type RunHooks } from '../fuzz/fuzz-command.ts';
import { InvalidScenarioError } from '../scenario/parse-scenario.ts';
import { listScenarioFiles, loadScenario } from '../scenario/scenario-files.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';
import { loopbackWorldPlacement } from '../userspace/loopback-addressing.ts';
import { formatLabReport } from './format-report.ts';
import { detectLabMode } from './lab-mode.ts';
import { mergeRetry, runLab } from './run-lab.ts';
import { IN_USER_NAMESPACE_ENV, rerunInUserNamespace, userNamespaceLabWorks } from './user-namespace.ts';

const USAGE = `usage: pnpm lab run <scenario|file.yaml|all>... [--userspace] [--parallel N] [--json report.json]
                    [--retries N] [--fuzz-count N [--seed S]]
       pnpm lab fuzz [--seed S] [--count N] [--parallel N] [--json report.json] [--write-scenario DIR]
                     [--dry-run] [--coverage]

run: runs censorship-lab scenarios (infra/lab/scenarios) end to end: kernel lab when root with ip/nft
or, without root, in an unprivileged user namespace where the kernel allows one; the user-space censor
otherwise (or with --userspace). Exits 1 when any expectation fails. --retries N re-runs the scenarios
that failed, up to N more times, after the others (default 0); a scenario that passes only on a re-run
is reported as flaky, with its failed attempt. --fuzz-count N adds N fuzz worlds (as below) to the same run.
fuzz: generates N random worlds from seed S (world i has seed S+i; S defaults to REACHMAP_FUZZ_SEED,
else a random one, printed) with expectations derived from their ground truth, and runs them like
scenarios. A failing world prints its one-line reproducer; --write-scenario DIR writes failing worlds
(with --dry-run: every world, nothing runs) as scenario files. --coverage prints the worlds' action x
layout table without running them.
User space beside another user-space lab: --world-octet N (world on 127.N.a.b, default 18) and
--first-slot N (censors from 127.(100+N), default 0).`;

function parseCommandLine(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      userspace: { type: 'boolean' },
      user: { type: 'boolean' },
      parallel: { type: 'string' },
      json: { type: 'string' },
      'world-octet': { type: 'string' },
      'first-slot': { type: 'string' },
      seed: { type: 'string' },
      count: { type: 'string' },
      'write-scenario': { type: 'string' },
      'dry-run': { type: 'boolean' },
      coverage: { type: 'boolean' },
      'fuzz-count': { type: 'string' },
      retries: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** `pnpm lab run …`: exit code 0 all passed, 1 a failure, 2 bad usage, 130/143 interrupted. */
async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    // An unknown option or a missing value is a usage error, not a crash with a stack trace.
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...which] = positionals;
  const runnable = (command === 'run' && which.length > 0) || (command === 'fuzz' && which.length === 0);
  if (values.help === true || !runnable) {
    process.stderr.write(`${USAGE}\n`);
    return values.help === true ? 0 : 2;
  }
  const parallel = Number(values.parallel ?? '1');
  const retries = Number(values.retries ?? '0');
  if (!Number.isInteger(retries) || retries < 0) {
    process.stderr.write(`--retries must be a whole number, got "${values.retries}"\n`);
    return 2;
  }
  if (!Number.isInteger(parallel) || parallel < 1) {
    process.stderr.write(`--parallel must be a positive integer, got "${values.parallel}"\n`);
    return 2;
  }
  let level: LogLevel;
  try {
    level = logLevelFromEnv();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (command === 'fuzz') {
    const fuzz = await prepareFuzz(values);
    if (fuzz.kind === 'exit') return fuzz.code;
    return runAndReport(fuzz.scenarios, values, { parallel, retries, level }, fuzz.hooks);
  }
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
  if (typeof values['fuzz-count'] !== 'string' || values['fuzz-count'] === '0') {
    return runAndReport(scenarios, values, { parallel, retries, level }, {});
  }
  // CI's random sample: fuzz worlds run in the same batches as the catalogue, not after it.
  const fuzz = await prepareFuzz({
    ...values,
    count: values['fuzz-count'],
    'dry-run': false,
    coverage: false,
  });
  if (fuzz.kind === 'exit') return fuzz.code;
  return runAndReport([...scenarios, ...fuzz.scenarios], values, { parallel, retries, level }, fuzz.hooks);
}

type CliValues = Record<string, string | boolean | undefined>;

/** Runs the chosen scenarios, prints progress and the report: exit 0 all held, 1 a failure, 130/143. */
async function runAndReport(
  scenarios: Scenario[],
  values: CliValues,
  { parallel, retries, level }: { parallel: number; retries: number; level: LogLevel },
  hooks: RunHooks,
): Promise<number> {
  const forcedUserSpace = values.userspace === true || values.user === true;
  const logger = createLogger({ name: 'lab', level });
  if (!forcedUserSpace && process.getuid?.() !== 0 && process.env[IN_USER_NAMESPACE_ENV] === undefined) {
    if (userNamespaceLabWorks()) {
      logger.info('not root: running the kernel lab in an unprivileged user namespace (unshare -rnm)');
      return rerunInUserNamespace();
    }
    logger.warn('not root and no unprivileged user namespace with ip/nft: the user-space censor runs');
  }
  const mode = forcedUserSpace ? 'userspace' : detectLabMode();
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
  const worldOctet = typeof values['world-octet'] === 'string' ? Number(values['world-octet']) : undefined;
  const firstSlot = typeof values['first-slot'] === 'string' ? Number(values['first-slot']) : undefined;
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
        const verdict =
          scenario.error === null ? `${held}/${scenario.scores.length} expectations held` : scenario.error;
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
  if (typeof values.json === 'string') await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  return exitCode ?? (report.passed ? 0 : 1);
}

process.exitCode = await main(process.argv.slice(2));
