import { loadCatalogue } from '@reachmap/targets';
import { buildTopology } from '../topology.ts';

/** Builds a small topology, announces its run id and waits to be interrupted (SIGINT cleanup test). */
const catalogue = await loadCatalogue({ kind: 'lab' });
const topology = await buildTopology(
  {
    name: 'sigint-test',
    description: 'interrupted while running',
    duration: 60_000,
    interval: 10_000,
    regions: [
      {
        id: 'DE-BE',
        asn: 64501,
        agents: 2,
        censor: [{ match: { sni: '*.whatsapp.net' }, action: { kind: 'reset' } }],
      },
    ],
    phases: [],
    expect: [{ noEvent: 'block.started', scope: 'DE' }],
  },
  catalogue,
);
process.stdout.write(`built rl${topology.runId}\n`);
setInterval(() => {}, 60_000);
