import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaDocuments } from './json-schema.ts';

const docsDir = join(import.meta.dirname, '../../../docs/schema');

describe('committed JSON Schema', () => {
  it.each(Object.entries(jsonSchemaDocuments()))(
    'docs/schema/%s.json matches the zod schema (run `pnpm --filter @reachmap/schema gen` after a change)',
    (name, generated) => {
      expect(readFileSync(join(docsDir, `${name}.json`), 'utf8')).toBe(generated);
    },
  );
});
