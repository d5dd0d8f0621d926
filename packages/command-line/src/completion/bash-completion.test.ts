import { describe, expect, it } from 'vitest';
import { Command } from '../index.ts';
import { runProgram } from '../run-program.ts';
import { bashCompletions } from '../testing/bash-completions.ts';
import { addCompletionCommand } from './completion-command.ts';

function sampleProgram() {
  const program = new Command('sample-cli');
  program.command('up').option('--no-demo', 'no demo').option('--only <components>', 'only these');
  const admin = program.command('admin');
  admin.command('token').command('create').option('--label <label>').option('--expires <duration>');
  admin.command('agents').command('list').option('--json');
  addCompletionCommand(program);
  return program;
}

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  const out: string[] = [];
  const code = await runProgram(sampleProgram(), ['completion', shell], {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
  });
  expect(code).toBe(0);
  return out.join('\n');
}

const complete = async (words: string[]) => bashCompletions(await script('bash'), 'sample-cli', words);

describe('shell completion', () => {
  it('offers the subcommands of the program and of a group, the help command included', async () => {
    expect(await complete([''])).toEqual(expect.arrayContaining(['up', 'admin', 'completion', 'help']));
    expect(await complete(['ad'])).toEqual(['admin']);
    expect(await complete(['admin', ''])).toEqual(expect.arrayContaining(['token', 'agents']));
    expect(await complete(['admin', 'token', 'c'])).toEqual(['create']);
  });

  it("offers a command's long and short options after a dash", async () => {
    expect(await complete(['up', '--'])).toEqual(expect.arrayContaining(['--no-demo', '--only', '--help']));
    expect(await complete(['admin', 'token', 'create', '--'])).toEqual(
      expect.arrayContaining(['--label', '--expires', '--help']),
    );
    expect(await complete(['admin', 'agents', 'list', '-'])).toEqual(
      expect.arrayContaining(['--json', '-h']),
    );
  });

  it("skips an option's value while finding the command, and offers the choices of an argument", async () => {
    expect(await complete(['admin', 'token', 'create', '--label', 'x', '--e'])).toEqual(['--expires']);
    expect(await complete(['up', '--only', 'api', '--n'])).toEqual(['--no-demo']);
    expect(await complete(['completion', ''])).toEqual(['bash', 'zsh']);
  });

  it('prints the same completion for zsh behind bashcompinit, and refuses other shells', async () => {
    const zsh = await script('zsh');
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -F _sample_cli_completion sample-cli');
    const err: string[] = [];
    const code = await runProgram(sampleProgram(), ['completion', 'fish'], {
      out: () => {},
      err: (line) => err.push(line),
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/value 'fish' is invalid for argument 'shell'/);
  });
});
