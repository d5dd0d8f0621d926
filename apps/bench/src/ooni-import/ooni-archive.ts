import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { readOoniDocument } from '@reachmap/ooni';

/** The shared OONI fixtures that map to measurements: the archive is made of variants of these. */
function templates(fixturesRoot: string): Array<{ raw: Record<string, unknown>; meta: object | null }> {
  return ['ooni', 'ooni-more'].flatMap((folder) =>
    readdirSync(join(fixturesRoot, folder))
      .filter((name) => name.endsWith('.json') && !name.startsWith('aggregation__'))
      .flatMap((name) => {
        const document = readOoniDocument(JSON.parse(readFileSync(join(fixturesRoot, folder, name), 'utf8')));
        if (!('kind' in document) || document.kind !== 'measurement') return [];
        const testName = (document.raw as { test_name?: unknown }).test_name;
        // Only tests reachmap maps: the others would be skipped at once and flatter the rate.
        if (typeof testName !== 'string' || !SUPPORTED.has(testName)) return [];
        return [{ raw: document.raw as Record<string, unknown>, meta: document.meta }];
      }),
  );
}

const SUPPORTED = new Set(['web_connectivity', 'whatsapp', 'telegram', 'signal', 'facebook_messenger']);
const COUNTRIES = ['RU', 'IR', 'CN', 'TR', 'IN', 'ID', 'BR', 'US', 'IT', 'DE'];

/**
 * Writes a gzip JSONL archive, OONI's public archive format, of at least `targetBytes` compressed:
 * the fixtures over and over, each copy with its own report id, country, ASN and start time (the last
 * 30 days), as raw measurements (the archive has no API envelope). Returns the measurements written.
 */
export async function writeOoniArchive(
  fixturesRoot: string,
  path: string,
  targetBytes: number,
): Promise<number> {
  const sources = templates(fixturesRoot);
  const gzip = createGzip({ level: 6 });
  const file = createWriteStream(path);
  gzip.pipe(file);
  let written = 0;
  let compressed = 0;
  file.on('drain', () => {});
  gzip.on('data', (chunk: Buffer) => {
    compressed += chunk.length;
  });
  const now = Date.now();
  while (compressed < targetBytes) {
    for (const { raw } of sources) {
      const start = now - ((written * 7919) % (30 * 86_400_000));
      const line = JSON.stringify({
        ...raw,
        report_id: `${String(raw.report_id)}_b${written}`,
        probe_cc: COUNTRIES[written % COUNTRIES.length],
        probe_asn: `AS${64_500 + (written % 500)}`,
        measurement_start_time: new Date(start).toISOString().slice(0, 19).replace('T', ' '),
      });
      written += 1;
      if (!gzip.write(`${line}\n`)) await new Promise((resolve) => gzip.once('drain', resolve));
    }
  }
  gzip.end();
  await finished(file);
  return written;
}
