// `pnpm bench`: runs every benchmark once and rewrites the generated tables of docs/benchmarks.md.
// `--quick` runs tiny counts in seconds, to prove the benchmarks still work; `--out <file>` writes
// elsewhere (the quick test writes to a temp copy).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, Option, optionsOrExit } from '@reachmap/command-line';
import { startBenchRedis } from './bench-redis.ts';
import { runDashboardBench } from './dashboard/dashboard-bench.ts';
import { dashboardRows } from './dashboard/dashboard-rows.ts';
import { ooniFixturesRoot, runOoniImportBench } from './ooni-import/ooni-import-bench.ts';
import { ooniImportRows } from './ooni-import/ooni-import-rows.ts';
import { FULL_PROFILE, QUICK_PROFILE } from './profile.ts';
import { stderrProgress } from './progress.ts';
import {
  OONI_IMPORT_MARKERS,
  replaceGeneratedSection,
  replaceGeneratedTable,
} from './report/benchmarks-doc.ts';
import { renderTables } from './report/render-tables.ts';
import { goalRows, runBenchmarks, runIngestComparison } from './run-benchmarks.ts';

const ONLY = ['ooni-import', 'ingest', 'dashboard'] as const;
const values = await optionsOrExit(
  new Command('pnpm bench')
    .description('runs every benchmark once and rewrites the generated tables of docs/benchmarks.md')
    .option('--quick', 'tiny counts, in seconds: proves the benchmarks still work')
    .addOption(
      new Option(
        '--only <part>',
        'ooni-import: only the OONI importer bench and its section; ingest: only the ingest bench and its baseline, their table printed (the doc is left alone); dashboard: only the dashboard bench and its table',
      ).choices(ONLY),
    )
    .option(
      '--archive-bytes <n>',
      "the OONI import bench's archive size in bytes instead of the profile's (1 GB in the full one)",
    )
    .addOption(
      new Option('--out <file>', 'the document to rewrite').default(
        fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url)),
        'docs/benchmarks.md',
      ),
    ),
);
const profile = values.quick === true ? QUICK_PROFILE : FULL_PROFILE;
const progress = stderrProgress();
const started = new Date();
const machine =
  `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ` +
  `Node ${process.version}, load average at start ${loadavg()[0]?.toFixed(2)}`;
progress(`${profile.name} profile on ${machine}`);
const describeRun = () => ({
  command: values.quick === true ? 'pnpm --filter @reachmap/bench bench --quick' : 'pnpm bench',
  profile: profile.name,
  startedAt: started.toISOString(),
  durationS: (Date.now() - started.getTime()) / 1000,
  machine,
});
if (values.only === 'ingest') {
  const redis = await startBenchRedis();
  try {
    const { rows } = await runIngestComparison(redis, profile, progress);
    process.stdout.write(`${renderTables([...rows, ...goalRows(rows)], describeRun())}\n`);
  } finally {
    await redis.stop();
  }
  process.exit(0);
}
if (values.only === 'dashboard') {
  const redis = await startBenchRedis();
  try {
    const rows = dashboardRows(await runDashboardBench(redis, profile.dashboard, progress));
    const run = { ...describeRun(), command: `${describeRun().command} --only dashboard` };
    const rendered = renderTables(rows, run);
    const table = rendered.slice(rendered.indexOf('| Metric |'));
    const runLine = `Measured alone: \`${run.command}\` (${run.profile} profile), ${run.startedAt}, ${run.durationS.toFixed(0)} s, on ${machine}.`;
    writeFileSync(
      values.out,
      replaceGeneratedTable(readFileSync(values.out, 'utf8'), 'Dashboard', table, runLine),
    );
    progress(`wrote the Dashboard table of ${values.out}`);
  } finally {
    await redis.stop();
  }
  process.exit(0);
}
if (values.only === undefined) {
  const rows = await runBenchmarks(profile, progress);
  writeFileSync(
    values.out,
    replaceGeneratedSection(readFileSync(values.out, 'utf8'), renderTables(rows, describeRun())),
  );
  progress(`wrote ${values.out}`);
}
// The importer has a section of its own, so that it can be measured alone (`--only ooni-import`).
const importStarted = Date.now();
const fixtures = ooniFixturesRoot();
const importRows = ooniImportRows(
  fixtures === null
    ? 'the shared OONI fixtures were not found (set OONI_FIXTURES_DIR)'
    : await runOoniImportBench(
        fixtures,
        values.archiveBytes === undefined ? profile.ooniImport.archiveBytes : Number(values.archiveBytes),
        progress,
      ),
);
const importRun = { ...describeRun(), durationS: (Date.now() - importStarted) / 1000 };
if (values.only !== undefined) importRun.command += ` --only ${values.only}`;
if (values.archiveBytes !== undefined) importRun.command += ` --archive-bytes ${values.archiveBytes}`;
writeFileSync(
  values.out,
  replaceGeneratedSection(
    readFileSync(values.out, 'utf8'),
    renderTables(importRows, importRun),
    OONI_IMPORT_MARKERS,
  ),
);
progress(`wrote the OONI import section of ${values.out}`);
