import { describe, expect, it } from 'vitest';
import { Command } from './index.ts';
import { runProgram, setExitCode } from './run-program.ts';

/** A small program shaped like reachmap's: a group with a subcommand, an option taking a value. */
function sampleProgram(ran: string[]) {
  const program = new Command('sample').description('a sample program');
  const token = program.command('token').description('enrolment tokens');
  token
    .command('create')
    .description('create a token')
    .option('--label <label>', 'who holds it')
    .option('--json', 'print JSON')
    .action((options, command) => {
      ran.push(`create ${options.label ?? '-'} ${options.json === true}`);
      setExitCode(command, options.label === 'bad' ? 1 : 0);
    });
  program
    .command('verify')
    .argument('<bundle>')
    .action((bundle) => void ran.push(`verify ${bundle}`));
  return program;
}

async function run(...args: string[]) {
  const ran: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const code = await runProgram(sampleProgram(ran), args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, ran, out: out.join('\n'), err: err.join('\n') };
}

describe('runProgram', () => {
  it("runs the chosen action with typed options and resolves to the action's exit code", async () => {
    expect(await run('token', 'create', '--label', 'x', '--json')).toMatchObject({
      code: 0,
      ran: ['create x true'],
    });
    expect(await run('token', 'create', '--label=bad')).toMatchObject({ code: 1, ran: ['create bad false'] });
    expect(await run('verify', 'b.json')).toMatchObject({ code: 0, ran: ['verify b.json'] });
  });

  it('refuses an unknown option with exit code 2, naming the command, without running anything', async () => {
    const result = await run('token', 'create', '--bogus');
    expect(result.code).toBe(2);
    expect(result.ran).toEqual([]);
    expect(result.err).toContain("sample token create: unknown option '--bogus'");
    expect(result.err).toContain('Run "sample token create --help" for usage.');
    expect(result.out).toBe('');
  });

  it('makes a missing option value, a missing or extra argument and an unknown command usage errors', async () => {
    const missingValue = await run('token', 'create', '--label');
    expect(missingValue.code).toBe(2);
    expect(missingValue.err).toMatch(/^sample token create: option '--label <label>' argument missing/);
    expect((await run('verify')).err).toMatch(/^sample verify: missing required argument 'bundle'/);
    expect((await run('verify', 'a', 'b')).code).toBe(2);
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^sample: unknown command 'frobnicate'/);
  });

  it('prints generated help with -h, --help and the help command, and exits 0', async () => {
    for (const args of [['-h'], ['--help'], ['help']]) {
      const result = await run(...args);
      expect(result.code).toBe(0);
      expect(result.out).toContain('Usage: sample [options] [command]');
      expect(result.out).toMatch(/token\s+enrolment tokens/);
    }
    const sub = await run('token', 'create', '--help');
    expect(sub.code).toBe(0);
    expect(sub.out).toContain('Usage: sample token create [options]');
    expect(sub.out).toMatch(/--label <label>\s+who holds it/);
    expect((await run('help', 'token')).out).toContain('Usage: sample token [options] [command]');
  });

  it('shows the help of a group called without its subcommand on stderr, as a usage error', async () => {
    const result = await run('token');
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain('Usage: sample token [options] [command]');
  });

  it("lets an action's own error through to the caller", async () => {
    const program = new Command('sample').action(() => {
      throw new RangeError('not a usage problem');
    });
    await expect(runProgram(program, [], { out: () => {}, err: () => {} })).rejects.toThrow(RangeError);
  });
});
