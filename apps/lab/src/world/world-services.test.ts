import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The child imports these by URL: it runs the real module, in a process this test can SIGKILL.
const WORLD_SERVICES = new URL('./world-services.ts', import.meta.url).href;
const WORLD_CERTIFICATES = new URL('./world-certificates.ts', import.meta.url).href;
const ADDRESSING = new URL('../userspace/loopback-addressing.ts', import.meta.url).href;
const TARGETS = import.meta.resolve('@reachmap/targets');
const TELEMETRY = import.meta.resolve('@reachmap/telemetry');

/** 127.24.x.y: no other test's world uses this octet (the demos of the CLI tests have 127.25 and 127.26). */
const CHILD_SCRIPT = `
import { startWorldServices } from '${WORLD_SERVICES}';
import { issueWorldCertificates } from '${WORLD_CERTIFICATES}';
import { loopbackWorldPlacement } from '${ADDRESSING}';
import { loadCatalogue } from '${TARGETS}';
import { createLogger } from '${TELEMETRY}';
const catalogue = await loadCatalogue({ kind: 'lab' });
await startWorldServices({
  catalogue,
  certificates: await issueWorldCertificates(catalogue),
  placement: loopbackWorldPlacement(24),
  logger: createLogger({ name: 'world-services-test', level: 'warn' }),
});
process.stdout.write('ready\\n');
setInterval(() => {}, 60_000);
`;

describe('the world services', () => {
  // Found 2026-12-04: killed user-space worlds (a lab run stopped, a demo child killed) each left their
  // TLS private key in a temporary directory; the reflector now takes the key in memory.
  it('write nothing to disk, so a SIGKILLed world leaves no key behind', async () => {
    const ownTmp = await mkdtemp(join(tmpdir(), 'world-services-tmp-'));
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
      env: { ...process.env, TMPDIR: ownTmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await expect.poll(() => output, { timeout: 20_000 }).toContain('ready');
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      expect(await readdir(ownTmp)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await rm(ownTmp, { recursive: true, force: true });
    }
  }, 40_000);
});
