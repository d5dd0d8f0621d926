// `pnpm bench`: runs every benchmark once and rewrites the generated tables of docs/benchmarks.md.
// `--quick` runs tiny counts in seconds, to prove the benchmarks still work; `--out <file>` writes
// elsewhere (the quick test writes to a temp copy).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL_PROFILE, QUICK_PROFILE } from './profile.ts';
import { stderrProgress } from './progress.ts';
import { replaceGeneratedSection } from './report/benchmarks-doc.ts';
import { renderTables } from './report/render-tables.ts';
import { runBenchmarks } from './run-benchmarks.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url)) },
  },
});
const profile = values.quick ? QUICK_PROFILE : FULL_PROFILE;
const progress = stderrProgress();
const started = new Date();
const machine =
  `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ` +
  `Node ${process.version}, load average at start ${loadavg()[0]?.toFixed(2)}`;
progress(`${profile.name} profile on ${machine}`);
const rows = await runBenchmarks(profile, progress);
const generated = renderTables(rows, {
  command: values.quick ? 'pnpm --filter @reachmap/bench bench --quick' : 'pnpm bench',
  profile: profile.name,
  startedAt: started.toISOString(),
  durationS: (Date.now() - started.getTime()) / 1000,
  machine,
});
writeFileSync(values.out, replaceGeneratedSection(readFileSync(values.out, 'utf8'), generated));
progress(`wrote ${values.out}`);
