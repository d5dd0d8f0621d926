import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
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

const USAGE = [
  'usage: reachmap import ooni [--compare] [--report FILE.json] <file|directory|->...',
  '       reachmap export ooni [--since ISO] [--until ISO] [--cc CC] [--target ID] [--out FILE]',
].join('\n');

const MAX_SKIPS_SHOWN = 20;

async function runImport(
  args: string[],
  deps: OoniCommandDeps,
  print: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { compare: { type: 'boolean' }, report: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    print(USAGE);
    return 2;
  }
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
  args: string[],
  deps: OoniCommandDeps,
  print: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      cc: { type: 'string' },
      target: { type: 'string' },
      out: { type: 'string' },
    },
  });
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
 * `reachmap import ooni …` / `reachmap export ooni …` with their dependencies injected: the CLI wires
 * `submit` to the collector and `listMeasurements` to the store. Returns the exit code; a failing
 * dependency becomes exit code 1 with its message.
 */
export async function runOoniCommand(
  args: readonly string[],
  deps: OoniCommandDeps,
  print: (line: string) => void,
): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'import') return await runImport(rest, deps, print);
    if (command === 'export') return await runExport(rest, deps, print);
    print(USAGE);
    return 2;
  } catch (error) {
    print(`ooni ${command}: ${(error as Error).message}`);
    return 1;
  }
}
