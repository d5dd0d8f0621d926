import { readFile } from 'node:fs/promises';
import { loadCatalogue } from '@reachmap/targets';
import { createLogger } from '@reachmap/telemetry';
import { exitWithParent } from '../runner/exit-with-parent.ts';
import type { WorldCertificates } from './world-certificates.ts';
import { startWorldServices } from './world-services.ts';

/**
 * The world's services in the kernel lab, run inside the world namespace
 * (`ip netns exec <world> node world-main.ts <config.json>`), listening on the lab addresses themselves.
 */
const configFile = process.argv[2] ?? '';
const certificates = JSON.parse(await readFile(configFile, 'utf8')) as WorldCertificates;
const world = await startWorldServices({
  catalogue: await loadCatalogue({ kind: 'lab' }),
  certificates,
  placement: (labIp, port) => ({ host: labIp, port }),
  logger: createLogger({ name: 'lab-world', level: 'warn' }),
});
process.stdout.write('ready\n');
const stop = () => void world.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// A lab stopped in the middle of starting a scenario left world servers behind (found 2026-12-02).
exitWithParent(() => process.exit(0));
