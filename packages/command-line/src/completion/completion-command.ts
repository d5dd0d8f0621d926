import { Argument, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { bashCompletionScript, zshCompletionScript } from './bash-completion.ts';

const SCRIPTS = { bash: bashCompletionScript, zsh: zshCompletionScript } as const;
const SHELLS = ['bash', 'zsh'] as const;

/** Adds `<program> completion bash|zsh`, which prints a completion script for the whole program. */
export function addCompletionCommand(program: CommandUnknownOpts): void {
  const name = program.name();
  program
    .command('completion')
    .description('print a shell completion script for bash or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(SHELLS))
    .addHelpText(
      'after',
      [
        '',
        'Load it in the current shell:',
        `  bash:  source <(${name} completion bash)`,
        `  zsh:   source <(${name} completion zsh)   (uses zsh's bashcompinit)`,
        `or save it, e.g. ${name} completion bash > /etc/bash_completion.d/${name}`,
      ].join('\n'),
    )
    .action((shell, _options, command) => {
      command.configureOutput().writeOut?.(SCRIPTS[shell](program));
    });
}
