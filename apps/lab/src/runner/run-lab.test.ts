import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@reachmap/telemetry';
import { describe, expect, it } from 'vitest';
import { loopbackWorldPlacement } from '../userspace/loopback-addressing.ts';
import { runLab } from './run-lab.ts';
import { labAgentProcesses } from './testing/lab-agent-processes.ts';
import { SHORT_SNI_RESET_YAML, shortSniResetScenario, TEST_WINDOW_MS } from './testing/short-scenario.ts';

const LAB_CLI = fileURLToPath(new URL('./lab-cli.ts', import.meta.url));
const logger = createLogger({ name: 'lab-test', level: 'silent' });
/**
 * Its own world (127.20) and censor slots (from 120): other test files use the default world and low
 * slots at the same time (the CLI test below picks 127.21 and slot 130).
 */
const TEST_WORLD = loopbackWorldPlacement(20);
const TEST_FIRST_SLOT = 120;

/** True while something still listens where the world's WhatsApp stand-in was. */
function worldStillListening(world = TEST_WORLD): Promise<boolean> {
  const { host, port } = world('198.18.1.1', 443);
  return new Promise((resolve) => {
    const socket = connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the lab runner end to end (user space)', () => {
  it('detects an SNI reset with real agents, sees it end after the phase, and keeps the clean region quiet', async () => {
    const report = await runLab([shortSniResetScenario()], {
      mode: 'userspace',
      parallel: 1,
      logger,
      signal: new AbortController().signal,
      windowMs: TEST_WINDOW_MS,
      world: TEST_WORLD,
      firstRegionSlot: TEST_FIRST_SLOT,
    });
    const [scenario] = report.scenarios;
    expect(scenario?.error).toBeNull();
    expect(scenario?.scores.map((score) => [score.label, score.pass, score.detail])).toEqual(
      scenario?.scores.map((score) => [score.label, true, score.detail]),
    );
    expect(scenario?.scores[0]?.timeToDetectMs).toBeGreaterThan(0);
    expect(scenario?.confusion.rows).toContainEqual({
      scope: 'RU-MOW',
      target: 'whatsapp',
      expected: 'blocked',
      observed: 'blocked',
    });
    expect(report.passed).toBe(true);
    // Torn down: no world server, no agent process of this run left.
    expect(await worldStillListening()).toBe(false);
    expect(labAgentProcesses(process.pid).map((agent) => agent.pid)).toEqual([]);
  }, 360_000);

  it('tears everything down when interrupted with SIGINT mid-run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reachmap-lab-sigint-'));
    let lab: ChildProcess | undefined;
    try {
      const file = join(dir, 'short-sni-reset.yaml');
      await writeFile(file, SHORT_SNI_RESET_YAML);
      const ownTmp = join(dir, 'tmp');
      await mkdir(ownTmp);
      const child = spawn(
        process.execPath,
        [LAB_CLI, 'run', file, '--userspace', '--world-octet', '21', '--first-slot', '130'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, TMPDIR: ownTmp },
        },
      );
      lab = child;
      let output = '';
      const started = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('"scenario started"')) resolve();
        });
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await started;
      const agents = labAgentProcesses(child.pid ?? -1).map((agent) => agent.pid);
      expect(agents).toHaveLength(4);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(await worldStillListening(loopbackWorldPlacement(21))).toBe(false);
      // Its agents are gone, not orphaned (an orphan would be re-parented and still alive).
      expect(agents.filter(alive)).toEqual([]);
      // Nor its files: the stack's Redis, archive and evidence store (tens of MB a run).
      expect(await readdir(ownTmp)).toEqual([]);
    } finally {
      // A failed expectation must not leave the run going: SIGINT makes it tear its world down.
      if (lab !== undefined && lab.exitCode === null && lab.signalCode === null) {
        const gone = new Promise((resolve) => lab?.once('exit', resolve));
        lab.kill('SIGINT');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
