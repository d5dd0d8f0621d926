import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchLines } from './child-lines.ts';

/** A Node child running `script`, with its stdin, stdout and stderr piped. */
function child(script: string) {
  return spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
}

class DaemonError extends Error {}

describe('watchLines', () => {
  it('resolves on the line, whether it comes on stdout or stderr, before or after the wait', async () => {
    const daemon = child(`console.log('ready'); process.stdin.on('data', () => console.error('rules 1'));`);
    const lines = watchLines(daemon, 'daemon');
    await lines.waitFor('ready', 'not ready', 10_000);
    // Printed before this wait began: still found among the kept lines.
    await lines.waitFor('ready', 'not ready', 10_000);
    const acknowledged = lines.waitFor('rules 1', 'did not take rules 1', 10_000);
    daemon.stdin.write('go\n');
    await acknowledged;
    daemon.kill();
    await once(daemon, 'exit');
  });

  it('rejects with what the child printed when it exits first, in the caller’s error class', async () => {
    const daemon = child(`console.log('loading rules'); console.error('bad rule 3'); process.exit(2);`);
    const lines = watchLines(daemon, 'censor daemon', (message) => new DaemonError(message));
    const waiting = lines.waitFor('ready', 'not ready', 10_000);
    await expect(waiting).rejects.toBeInstanceOf(DaemonError);
    await expect(waiting).rejects.toThrow(
      /^censor daemon exited with 2: (loading rules\nbad rule 3|bad rule 3\nloading rules)$/,
    );
    // A wait begun after the exit fails at once, with the same words.
    await expect(lines.waitFor('rules 1', 'did not take rules 1', 10_000)).rejects.toThrow(/exited with 2/);
  });

  it('rejects a child that stays silent past the timeout, saying what it waited for', async () => {
    const daemon = child(`console.log('starting'); setTimeout(() => {}, 60_000);`);
    const lines = watchLines(daemon, 'world services');
    await lines.waitFor('starting', 'did not start', 10_000);
    await expect(lines.waitFor('ready', 'not ready', 300)).rejects.toThrow(
      'world services not ready within 0.3 s: starting',
    );
    daemon.kill();
    await once(daemon, 'exit');
  });
});
