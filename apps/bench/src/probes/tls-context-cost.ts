// `node apps/bench/src/probes/tls-context-cost.ts [handshakes per block] [blocks]`: the client's CPU
// per TLS handshake made the way the probes connect (loopback server in another process, lab-style
// private CA passed as `ca`), in interleaved blocks: each connection building its own context from
// `ca` (Node's default, what the probes did before December 2026) against one context shared per
// set of trust anchors (`secureContextFor`, what they do now). Prints min/median/max per handshake
// and the ratio of the medians; docs/benchmarks.md quotes a run.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { secureContextFor } from '@reachmap/probes';

const perBlock = Number(process.argv[2] ?? '200');
const blocks = Number(process.argv[3] ?? '6');

const dir = mkdtempSync(join(tmpdir(), 'reachmap-tls-cost-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=bench CA');
openssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=bench.test');
writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:bench.test\n');
openssl(
  'x509',
  '-req',
  '-in',
  'leaf.csr',
  '-CA',
  'ca.pem',
  '-CAkey',
  'ca.key',
  '-CAcreateserial',
  '-out',
  'leaf.pem',
  '-days',
  '2',
  '-extfile',
  'ext.cnf',
);
const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');

// The server in its own process, so the client's CPU time is the client's alone.
const server = spawn(
  process.execPath,
  [
    '-e',
    `const tls = require('node:tls'), fs = require('node:fs');
     const s = tls.createServer({ key: fs.readFileSync(${JSON.stringify(join(dir, 'leaf.key'))}),
       cert: fs.readFileSync(${JSON.stringify(join(dir, 'leaf.pem'))}) }, (socket) => socket.end());
     s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve) =>
  server.stdout.once('data', (line) => resolve(Number(line))),
);

/** One handshake; with the bench CA among the anchors the certificate must validate, as it does in the lab. */
function handshake(options: tls.ConnectionOptions, validates = true): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'bench.test',
      ALPNProtocols: ['http/1.1'],
      rejectUnauthorized: false,
      ...options,
    });
    socket.once('secureConnect', () => {
      if (validates && !socket.authorized) reject(new Error(`not validated: ${socket.authorizationError}`));
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

const ways = {
  'a context per connection (ca)': () => handshake({ ca }),
  'one shared context': () => handshake({ secureContext: secureContextFor(ca) }),
  // The system store alone (an agent in the field, no lab CA): the server's certificate does not validate.
  'system store, a context per connection': () => handshake({}, false),
  'system store, one shared context': () => handshake({ secureContext: secureContextFor(undefined) }, false),
} as const;
const perHandshakeUs = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]));
for (const run of Object.values(ways)) for (let i = 0; i < 20; i += 1) await run(); // warm-up
for (let block = 0; block < blocks; block += 1) {
  for (const [name, run] of Object.entries(ways)) {
    const before = process.cpuUsage();
    for (let i = 0; i < perBlock; i += 1) await run();
    const used = process.cpuUsage(before);
    perHandshakeUs.get(name)?.push((used.user + used.system) / perBlock);
  }
}
server.kill();
rmSync(dir, { recursive: true, force: true });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
console.log(`client CPU per handshake, ${blocks} interleaved blocks of ${perBlock} (µs: min / median / max)`);
for (const [name, values] of perHandshakeUs) {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(
    `  ${name}: ${sorted[0]?.toFixed(0)} / ${median(values).toFixed(0)} / ${sorted.at(-1)?.toFixed(0)}`,
  );
}
const [perConnection, shared, systemPerConnection, systemShared] = [...perHandshakeUs.values()].map(median);
const ratio = (a: number | undefined, b: number | undefined) => ((a ?? NaN) / (b ?? NaN)).toFixed(2);
console.log(
  `shared / per connection: ${ratio(shared, perConnection)}× with the CA, ${ratio(systemShared, systemPerConnection)}× with the system store`,
);
