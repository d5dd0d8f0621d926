import { describe, expect, it } from 'vitest';
import { LabCommandError, runCommandAsync } from './run-command.ts';

// More than a pipe buffer, so a command that never reads it closes the pipe under the writer (EPIPE).
const UNREAD = 'x'.repeat(4 * 1024 ** 2);

describe('runCommandAsync', () => {
  it('gives a command its input and resolves with its output', async () => {
    expect(await runCommandAsync(['cat'], 'tc batch\n')).toBe('tc batch\n');
  });

  it('judges a command that never reads its input by its exit status alone, with no uncaught EPIPE', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await expect(runCommandAsync(['true'], UNREAD)).resolves.toBe('');
        await expect(runCommandAsync(['false'], UNREAD)).rejects.toBeInstanceOf(LabCommandError);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});
