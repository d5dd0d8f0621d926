import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OONI_IMPORT_ENV, OONI_IMPORT_NODE_FLAGS } from './import-heap.ts';

const launcher = readFileSync(resolve(import.meta.dirname, '../../../reachmap'), 'utf8');
/** The launcher's branch for `reachmap import`: from its test to the closing `fi`. */
const importBranch = /if \[ "\$command" = import \]; then\n([\s\S]*?)\n\s*fi\n/.exec(launcher)?.[1] ?? '';

describe('the heap and environment of `reachmap import`', () => {
  it('the launcher has a branch for import', () => {
    expect(importBranch).not.toBe('');
  });

  it('OONI_IMPORT_NODE_FLAGS are the flags the launcher gives it', () => {
    expect(importBranch).toContain(`node_flags=(${OONI_IMPORT_NODE_FLAGS.join(' ')})`);
  });

  it('OONI_IMPORT_ENV is the environment the launcher exports for it', () => {
    for (const [name, value] of Object.entries(OONI_IMPORT_ENV)) {
      expect(importBranch).toContain(`export ${name}=${value}`);
    }
  });
});
