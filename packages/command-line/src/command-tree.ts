import type { CommandUnknownOpts } from '@commander-js/extra-typings';

/** One command of a program as its shell sees it: the words that lead to it and what may follow. */
export interface CommandNode {
  command: CommandUnknownOpts;
  /** The subcommand names from the program to this command; empty for the program itself. */
  path: string[];
  /** Subcommands, the implicit `help` command included. */
  subcommands: string[];
  /** Every flag (`--label`, `-h`), each with whether the next word is its value. */
  flags: { flag: string; takesValue: boolean }[];
  /** The values the command's first argument may take, when it declares them (`bash`, `zsh`). */
  argumentChoices: readonly string[];
}

/** Every command of `program`, depth first, read from commander's own tree (so it never goes stale). */
export function commandTree(program: CommandUnknownOpts): CommandNode[] {
  const nodes: CommandNode[] = [];
  const visit = (command: CommandUnknownOpts, path: string[]) => {
    const help = command.createHelp();
    nodes.push({
      command,
      path,
      subcommands: help.visibleCommands(command).map((sub) => sub.name()),
      flags: help
        .visibleOptions(command)
        .flatMap((option) =>
          [option.long, option.short]
            .filter((flag) => flag !== undefined)
            .map((flag) => ({ flag, takesValue: option.required })),
        ),
      argumentChoices: command.registeredArguments[0]?.argChoices ?? [],
    });
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}

/** `reachmap admin token create`: the words a user types to reach `command`. */
export function commandLine(command: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let at: CommandUnknownOpts | null = command; at !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}
