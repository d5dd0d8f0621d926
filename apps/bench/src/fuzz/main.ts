import { Command, optionsOrExit } from '@reachmap/command-line';
import { type FuzzReport, runFuzzCampaign } from './fuzz-campaign.ts';

// `pnpm fuzz [--count N] [--seed S] [--concurrency C]`: a hostile-request campaign against the
// collector, aggregator and API on loopback; exits 1 on any 5xx, crash or miscount.
const values = await optionsOrExit(
  new Command('pnpm fuzz')
    .description(
      'a hostile-request campaign against the collector, aggregator and API on loopback (docs/security.md)',
    )
    .option('--count <n>', 'requests to send', '2000')
    .option('--seed <s>', 'the campaign seed (default: a random one, printed)')
    .option('--concurrency <n>', 'requests in flight', '4'),
);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const count = Number(values.count);
process.stderr.write(`fuzz: ${count} requests, seed ${seed} (re-run with --seed ${seed})\n`);
// `kill -TERM <pid>` ends a long campaign early and still reports what was sent, drained and counted
// (not Ctrl-C: SIGINT would reach the embedded redis-server of the same process group too).
const stop = new AbortController();
process.once('SIGTERM', () => {
  process.stderr.write('fuzz: SIGTERM: sending no more requests; draining and counting\n');
  stop.abort();
});
const report: FuzzReport = await runFuzzCampaign({
  count,
  seed,
  concurrency: Number(values.concurrency),
  stop: stop.signal,
  onProgress: (sent, total) => {
    if (sent % 5000 === 0 || sent === total) process.stderr.write(`fuzz: ${sent}/${total}\n`);
  },
});
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
const failed =
  report.serverErrors.length > 0 || report.crashes.length > 0 || report.accepted !== report.counted;
process.stderr.write(
  `fuzz: ${report.sweepRequests} fixed and ${report.requests} random requests in ${report.durationS.toFixed(0)} s: ${report.serverErrors.length} 5xx, ` +
    `${report.crashes.length} crashes, peak RSS ${(report.peakRssBytes / 1024 ** 2).toFixed(0)} MiB, ` +
    `/healthz p99 ${report.healthzP99Ms.toFixed(1)} ms, ${report.accepted} accepted / ${report.counted} counted\n`,
);
process.exit(failed ? 1 : 0);
