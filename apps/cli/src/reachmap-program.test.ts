import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runProgram } from '@reachmap/command-line';
import { bashCompletions } from '@reachmap/command-line/testing';
import { describe, expect, it } from 'vitest';
import { reachmapProgram } from './reachmap-program.ts';

const exec = promisify(execFile);
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

async function reachmap(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProgram(reachmapProgram(), args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the reachmap command line', () => {
  it('describes every command in generated help', async () => {
    const help = await reachmap('--help');
    expect(help.code).toBe(0);
    for (const command of ['up', 'admin', 'import', 'export', 'verify', 'completion']) {
      expect(help.out).toMatch(new RegExp(`\\n  ${command}\\b`));
    }
    expect((await reachmap('admin', 'keys', 'create', '--help')).out).toMatch(
      /--role <role>.*choices: "read", "admin"/s,
    );
    expect((await reachmap('export', 'ooni', '--help')).out).toContain('--since <iso>');
  });

  it('completes its commands, subcommands and options in real bash', async () => {
    const { code, out: script } = await reachmap('completion', 'bash');
    expect(code).toBe(0);
    expect(await bashCompletions(script, 'reachmap', [''])).toEqual(
      expect.arrayContaining(['up', 'admin', 'import', 'export', 'verify', 'completion', 'help']),
    );
    expect(await bashCompletions(script, 'reachmap', ['admin', ''])).toEqual(
      expect.arrayContaining(['token', 'agents', 'dead-letters', 'keys']),
    );
    expect(await bashCompletions(script, 'reachmap', ['admin', 'keys', 'create', '--'])).toEqual(
      expect.arrayContaining(['--role', '--label', '--help']),
    );
    expect(await bashCompletions(script, 'reachmap', ['up', '--'])).toEqual(
      expect.arrayContaining(['--no-demo', '--only', '--log-format']),
    );
    expect(await bashCompletions(script, 'reachmap', ['import', 'o'])).toEqual(['ooni']);
  });

  it('refuses an unknown option with exit code 2 before starting anything', async () => {
    const failed = await exec(process.execPath, [MAIN, 'up', '--bogus']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("reachmap up: unknown option '--bogus'"),
    });
  }, 60_000);
});
