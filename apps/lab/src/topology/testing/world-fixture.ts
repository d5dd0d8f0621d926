import { createServer } from 'node:http';
import type { ZoneRecord } from '@reachmap/targets';
import { startLyingResolver } from '../../censor/lying-resolver.ts';

/**
 * Test stand-in for the world's services, run in the world namespace: the honest lab resolver on
 * :53 and a download server (`GET /download?bytes=N`) on `httpIp`:443 (plain HTTP, enough for TCP
 * and throughput probes).
 */
interface WorldFixtureConfig {
  resolverIp: string;
  httpIp: string;
  zone: ZoneRecord[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorldFixtureConfig;
await startLyingResolver({
  host: config.resolverIp,
  port: 53,
  rules: [],
  zone: config.zone,
  agentIndexOf: () => null,
});
const chunk = Buffer.alloc(16_384, 0x61);
const server = createServer((request, response) => {
  const bytes = Number(new URL(request.url ?? '/', 'http://lab').searchParams.get('bytes') ?? '0');
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const piece = chunk.subarray(0, Math.min(left, chunk.length));
      left -= piece.length;
      if (!response.write(piece)) return void response.once('drain', pump);
    }
    response.end();
  };
  pump();
});
await new Promise<void>((resolve) => server.listen(443, config.httpIp, resolve));
process.stdout.write('ready\n');
