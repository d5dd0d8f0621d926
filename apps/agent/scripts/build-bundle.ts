import { buildAgentBundle } from './agent-bundle.ts';

const { outDir, version } = await buildAgentBundle();
process.stdout.write(`built reachmap-agent ${version} in ${outDir}\n`);
