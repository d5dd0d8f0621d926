import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OONI_IMPORT_NODE_FLAGS } from './import-heap.ts';

describe('OONI_IMPORT_NODE_FLAGS', () => {
  it('are the flags the reachmap launcher gives `reachmap import`', () => {
    const launcher = readFileSync(resolve(import.meta.dirname, '../../../reachmap'), 'utf8');
    expect(launcher).toContain(`[ "$command" = import ] && node_flags=(${OONI_IMPORT_NODE_FLAGS.join(' ')})`);
  });
});
