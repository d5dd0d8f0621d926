// Child process of the OONI import bench: the least any importer written in Node must do with the
// archive (gunzip, split lines, JSON.parse each), nothing else, so the importer's rate has a ceiling
// measured in the same run on the same machine. Prints its figures as JSON.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: read-floor-worker.ts <archive.jsonl.gz>');
const started = performance.now();
const cpuStart = process.cpuUsage();
let lines = 0;
let parseMs = 0;
let pending: Buffer = Buffer.alloc(0);
const parseLine = (line: Buffer) => {
  if (line.length === 0) return;
  const text = line.toString('utf8');
  const before = performance.now();
  JSON.parse(text);
  parseMs += performance.now() - before;
  lines += 1;
};
for await (const chunk of createReadStream(path).pipe(createGunzip())) {
  let buffer = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
  let newline = buffer.indexOf(10);
  while (newline !== -1) {
    parseLine(buffer.subarray(0, newline));
    buffer = buffer.subarray(newline + 1);
    newline = buffer.indexOf(10);
  }
  pending = Buffer.from(buffer);
}
parseLine(pending);
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  `${JSON.stringify({
    lines,
    seconds: (performance.now() - started) / 1000,
    parseSeconds: parseMs / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
