import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type CommandUnknownOpts, setExitCode } from '@reachmap/command-line';
import type { CountryCode, Measurement, TargetId } from '@reachmap/schema';
import { AgreementTally, formatAgreementTable } from './compare/agreement.ts';
import { formatComparedLine } from './compare/compared-line.ts';
import { exportOoni, type MeasurementWithVerdict } from './export/export-ooni.ts';
import { formatProgress, importOoni } from './import-ooni.ts';
import { importReport, totalSizeOf } from './import-report.ts';
import type { OoniSource } from './read/read-ooni-source.ts';
import { RetentionTally } from './retention-tally.ts';
import { describeSkipReason } from './skip-reason.ts';

export interface MeasurementQuery {
  since: string | null;
  until: string | null;
  cc: CountryCode | null;
  target: TargetId | null;
}

export interface OoniCommandDeps {
  submit(measurements: Measurement[]): Promise<void>;
  listMeasurements(
    query: MeasurementQuery,
  ): Iterable<MeasurementWithVerdict> | AsyncIterable<MeasurementWithVerdict>;
  /** Where `-` reads from; process.stdin when not given. */
  stdin?: Readable;
  /** Where `export` writes without `--out`; process.stdout when not given. */
  stdout?: Writable;
  /** Progress lines of long imports; stderr when not given. */
  progress?(line: string): void;
  /**
   * The rollup granularities (`5m`, `1h`, `1d`) that keep a measurement at its start time: none means
   * it is older than every retention and is refused. Everything is kept when not given.
   */
  keptGranularities?(measurement: Measurement): readonly string[];
}

/**
 * Runs one OONI command with its dependencies, resolving to the exit code: the CLI opens Redis for
 * `import` only; tests inject fakes.
 */
export type WithOoniDeps = (
  verb: 'import' | 'export',
  use: (deps: OoniCommandDeps) => Promise<number>,
) => Promise<number>;

interface ImportOptions {
  compare?: true;
  report?: string;
}

interface ExportOptions {
  since?: string;
  until?: string;
  cc?: string;
  target?: string;
  out?: string;
}

const MAX_SKIPS_SHOWN = 20;

async function runImport(
  positionals: string[],
  values: ImportOptions,
  deps: OoniCommandDeps,
  print: (line: string) => void,
): Promise<number> {
  const sources: OoniSource[] = positionals.map((path) =>
    path === '-' ? { name: 'stdin', stream: deps.stdin ?? process.stdin } : { path },
  );
  const tally = values.compare ? new AgreementTally() : null;
  // On a terminal the progress bar redraws one line; elsewhere (logs, CI) it prints a line a second.
  const onTerminal = deps.progress === undefined && process.stderr.isTTY === true;
  const progress =
    deps.progress ?? ((line: string) => process.stderr.write(onTerminal ? `\r${line}\u001b[K` : `${line}\n`));
  const placement = new RetentionTally();
  const verdicts: string[] = [];
  const summary = await importOoni(sources, {
    submit: deps.submit,
    totalBytes: await totalSizeOf(positionals),
    onProgress: (state) => progress(formatProgress(state)),
    onImported: (mapped, origin) => {
      const compared = tally?.add(mapped.measurement, mapped.expectations);
      if (compared !== undefined) verdicts.push(formatComparedLine(compared, origin));
    },
    refuse: (measurement) => {
      const kept = deps.keptGranularities?.(measurement) ?? null;
      if (kept !== null && kept.length === 0) {
        return { kind: 'older_than_retention', start_time: measurement.start_time };
      }
      placement.add(kept);
      return null;
    },
  });
  if (onTerminal) process.stderr.write('\n');
  print(`imported ${summary.imported} OONI measurements, skipped ${summary.skipped}`);
  for (const line of placement.lines()) print(`  ${line}`);
  if (summary.droppedEntries > 0) {
    print(`  ${summary.droppedEntries} OONI entries left out of imported measurements (listed by --report)`);
  }
  for (const [kind, count] of Object.entries(summary.skippedByKind)) print(`  skipped (${kind}): ${count}`);
  for (const skip of summary.skips.slice(0, MAX_SKIPS_SHOWN)) {
    const where = skip.origin.line === null ? skip.origin.file : `${skip.origin.file}:${skip.origin.line}`;
    print(`  skipped ${where}: ${describeSkipReason(skip.reason)}`);
  }
  if (summary.skipped > MAX_SKIPS_SHOWN) print(`  … and ${summary.skipped - MAX_SKIPS_SHOWN} more skipped`);
  if (tally !== null) {
    print(formatAgreementTable(tally.rows()));
    print('| file | OONI | reachmap | |');
    print('|---|---|---|---|');
    for (const line of verdicts) print(line);
  }
  if (values.report !== undefined) {
    await writeFile(values.report, `${JSON.stringify(importReport(summary), null, 2)}\n`);
    print(`per-file results written to ${values.report}`);
  }
  // Nothing imported, or an input that could not be read, is a failed import for scripts too.
  return summary.imported === 0 || (summary.skippedByKind.unreadable ?? 0) > 0 ? 1 : 0;
}

async function runExport(
  values: ExportOptions,
  deps: OoniCommandDeps,
  print: (line: string) => void,
): Promise<number> {
  for (const key of ['since', 'until'] as const) {
    const value = values[key];
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      print(`--${key} must be an ISO 8601 time, got "${value}"`);
      return 2;
    }
  }
  const query: MeasurementQuery = {
    since: values.since ?? null,
    until: values.until ?? null,
    cc: values.cc?.toUpperCase() ?? null,
    target: values.target ?? null,
  };
  const output = values.out === undefined ? (deps.stdout ?? process.stdout) : createWriteStream(values.out);
  const summary = await exportOoni(deps.listMeasurements(query), output);
  if (values.out !== undefined) {
    output.end();
    await finished(output);
  }
  print(`exported ${summary.exported} measurements as OONI JSONL, skipped ${summary.skipped.length}`);
  for (const skip of summary.skipped.slice(0, MAX_SKIPS_SHOWN))
    print(`  skipped ${skip.measurement_id}: ${skip.reason}`);
  return 0;
}

/**
 * Adds `import ooni …` and `export ooni …` to `program` (docs/ooni.md). Each resolves to the exit
 * code through `setExitCode`; a failing dependency becomes exit code 1 with its message.
 */
export function addOoniCommands(
  program: CommandUnknownOpts,
  withDeps: WithOoniDeps,
  print: (line: string) => void,
): void {
  const failureOf = (verb: string) => (error: unknown) => {
    print(`ooni ${verb}: ${(error as Error).message}`);
    return 1;
  };
  program
    .command('import')
    .description('import measurements from another format (OONI is the only one so far)')
    .command('ooni')
    .description('import OONI measurements (JSON or JSONL, gzip or not) and queue them for the aggregator')
    .argument('<sources...>', 'files, directories, or - for stdin')
    .option('--compare', "compare OONI's verdict with reachmap's classifier and print the agreement")
    .option('--report <file>', 'write per-file results, skip reasons and dropped entries as JSON')
    .action(async (sources, options, command) =>
      setExitCode(
        command,
        await withDeps('import', (deps) => runImport(sources, options, deps, print)).catch(
          failureOf('import'),
        ),
      ),
    );
  program
    .command('export')
    .description('export measurements to another format (OONI is the only one so far)')
    .command('ooni')
    .description("export archived measurements with this build's verdicts as OONI JSONL")
    .option('--since <iso>', 'from this ISO 8601 time (default: a day before --until)')
    .option('--until <iso>', 'up to this ISO 8601 time (default: now)')
    .option('--cc <cc>', 'only this country (ISO 3166-1 alpha-2)')
    .option('--target <id>', 'only this catalogue target')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options, command) =>
      setExitCode(
        command,
        await withDeps('export', (deps) => runExport(options, deps, print)).catch(failureOf('export')),
      ),
    );
}
