import { measured, notMeasured, type ResultRow } from '../report/result-row.ts';
import type { OoniImportFigures } from './ooni-import-bench.ts';

const MIB = 1024 ** 2;
/** The goals of the import issue: an archive-sized import on this machine. */
const GOAL_RATE = 5_000;
const GOAL_RSS_MIB = 150;

export function ooniImportRows(figures: OoniImportFigures | string): ResultRow[] {
  if (typeof figures === 'string') {
    return [notMeasured('ooni-import', 'OONI import, sustained', 'measurements/s', figures)];
  }
  const setup =
    `${(figures.archiveBytes / 1e9).toFixed(2)} GB gzip JSONL, ${figures.measurements.toLocaleString('en-US')} ` +
    'measurements (the shared fixtures of mapped tests, each copy with its own report id, country, ASN and time)';
  return [
    measured(
      'ooni-import',
      'OONI import, sustained',
      figures.measurementsPerSecond,
      'measurements/s',
      `${setup}; read, gunzip, parse, map and validate, submit only counts; goal ≥ ${GOAL_RATE.toLocaleString('en-US')}`,
    ),
    measured(
      'ooni-import',
      'OONI import, wall time',
      figures.seconds,
      's',
      `${figures.imported.toLocaleString('en-US')} imported`,
    ),
    measured(
      'ooni-import',
      'OONI import, CPU time',
      figures.cpuSeconds,
      'CPU s',
      'user + system of the importing process',
    ),
    measured(
      'ooni-import',
      'OONI import per CPU second',
      figures.imported / figures.cpuSeconds,
      'measurements/CPU s',
      'the importer is one thread (gunzip runs in the libuv pool): on a loaded machine this, not the wall-clock rate, is its cost',
    ),
    measured(
      'ooni-import',
      'Read floor, same archive',
      figures.floor.lines / figures.floor.seconds,
      'measurements/s',
      `baseline of this run: gunzip, split lines and JSON.parse each, nothing else (${figures.floor.seconds.toFixed(0)} s, ${figures.floor.cpuSeconds.toFixed(0)} CPU s, ${figures.floor.parseSeconds.toFixed(0)} s of it in JSON.parse): the most a single-threaded importer in Node that parses each record whole can reach here`,
    ),
    measured(
      'ooni-import',
      'OONI import / read floor',
      figures.measurementsPerSecond / (figures.floor.lines / figures.floor.seconds),
      '×',
      `the importer's rate over the floor's, both measured above; the 5,000/s goal is ${(GOAL_RATE / (figures.floor.lines / figures.floor.seconds)).toFixed(2)}× the floor`,
    ),
    measured(
      'ooni-import',
      'OONI import, peak RSS',
      figures.peakRssBytes / MIB,
      'MiB',
      `maxRSS of the importing process; goal < ${GOAL_RSS_MIB}`,
    ),
    figures.command.exitCode === 0
      ? measured(
          'ooni-import',
          '`./reachmap import ooni`, peak RSS',
          figures.command.peakRssBytes / MIB,
          'MiB',
          `the same archive as a user imports it: the launcher's bundled OONI commands with the capped heap, queueing every measurement into a private Redis (${figures.command.seconds.toFixed(0)} s, ${(figures.imported / figures.command.seconds).toFixed(0)} measurements/s); VmHWM sampled every 100 ms; goal < ${GOAL_RSS_MIB}`,
        )
      : notMeasured(
          'ooni-import',
          '`./reachmap import ooni`, peak RSS',
          'MiB',
          `the command exited with ${figures.command.exitCode}`,
        ),
  ];
}
