import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOoniBundle, cacheOutDir, launcherBundle } from './ooni-bundle.ts';

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

  it('is built in the user cache when the checkout cannot be written, and used from there', async () => {
    // A directory that cannot be made even by root: its parent is a file.
    const blocker = join(outDir, 'not-a-directory');
    writeFileSync(blocker, '');
    const unwritable = join(blocker, 'dist');
    const cache = join(outDir, 'cache');
    const bundle = await launcherBundle(unwritable, cache);
    expect(bundle).toBe(join(cache, 'reachmap-ooni.mjs'));
    const { stdout } = await run(process.execPath, [bundle, 'import', 'ooni', '--help'], { cwd: tmpdir() });
    expect(stdout).toContain('import OONI measurements');
    await expect(launcherBundle(unwritable, join(blocker, 'cache'))).rejects.toThrow(
      /neither .* nor .* is writable \(set XDG_CACHE_HOME/,
    );
  }, 120_000);

  it('keeps the cache per user and per checkout', () => {
    expect(cacheOutDir({ XDG_CACHE_HOME: '/x/cache' })).toMatch(
      /^\/x\/cache\/reachmap\/ooni-bundle-[0-9a-f]{16}$/,
    );
  });

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
