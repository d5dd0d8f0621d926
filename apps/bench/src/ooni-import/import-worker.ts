// Child process of the OONI import bench: imports one archive with a counting submit and prints its
// figures as JSON. A process of its own so that its peak RSS is the importer's alone.
import { importOoni } from '@reachmap/ooni';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: import-worker.ts <archive>');
const started = performance.now();
const cpuStart = process.cpuUsage();
let submitted = 0;
const summary = await importOoni([{ path }], {
  submit: async (measurements) => {
    submitted += measurements.length;
  },
});
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  `${JSON.stringify({
    imported: summary.imported,
    submitted,
    skipped: summary.skipped,
    seconds: (performance.now() - started) / 1000,
    // CPU of the whole process (process.cpuUsage covers gunzip's libuv threads too).
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // resourceUsage reports the peak resident set in KiB.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
