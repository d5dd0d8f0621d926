// Regenerates docs/schema/*.json from the zod schemas: `pnpm --filter @reachmap/schema gen`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemaDocuments } from '../src/json-schema.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/schema');
mkdirSync(outDir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemaDocuments())) {
  writeFileSync(join(outDir, `${name}.json`), text);
  process.stdout.write(`wrote docs/schema/${name}.json\n`);
}
