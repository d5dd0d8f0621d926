import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOoniBundle } from './ooni-bundle.ts';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'reachmap-ooni-bundle-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the bundled OONI commands (what `reachmap import` and `reachmap export` run)', () => {
  it('runs on its own, without the sources beside it', async () => {
    const bundle = await buildOoniBundle(outDir);
    // From another directory: nothing may be read relative to the sources (a Lua script once was).
    const { stdout } = await run(process.execPath, [bundle, 'import', 'ooni', '--help'], { cwd: tmpdir() });
    expect(stdout).toContain('import OONI measurements');
    const exported = await run(process.execPath, [bundle, 'export', 'ooni', '--help'], { cwd: tmpdir() });
    expect(exported.stdout).toContain('export archived measurements');
  }, 120_000);

  it('is reused while no input changed, and rebuilt when one did', async () => {
    const bundle = await buildOoniBundle(outDir);
    const builtMs = statSync(bundle).mtimeMs;
    await buildOoniBundle(outDir);
    expect(statSync(bundle).mtimeMs).toBe(builtMs);

    // An input newer than the bundle (its content unchanged: only the time moves).
    const input = join(import.meta.dirname, '..', 'src', 'ooni-main.ts');
    const { atime, mtime } = statSync(input);
    try {
      const later = new Date(builtMs + 2_000);
      utimesSync(input, later, later);
      await buildOoniBundle(outDir);
      expect(statSync(bundle).mtimeMs).toBeGreaterThan(builtMs);
    } finally {
      utimesSync(input, atime, mtime);
    }
  }, 120_000);
});
