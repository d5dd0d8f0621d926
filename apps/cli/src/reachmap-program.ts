import { addCompletionCommand, Command, type CommandUnknownOpts } from '@reachmap/command-line';
import { addOoniCommands } from '@reachmap/ooni';
import { adminCommand } from './commands/admin.ts';
import { printMessage, withOoniDeps } from './commands/ooni.ts';
import { upCommand } from './commands/up.ts';
import { verifyCommand } from './commands/verify.ts';

/** The `reachmap` command line: every command, its options and help, declared once. */
export function reachmapProgram(): CommandUnknownOpts {
  const program = new Command('reachmap')
    .description('reachmap — an open network-interference observatory')
    .addHelpText(
      'after',
      '\nWithout a command, reachmap runs `up`. Run `reachmap <command> --help` for its options.',
    )
    .addCommand(upCommand())
    .addCommand(adminCommand());
  addOoniCommands(program, withOoniDeps, printMessage);
  program.addCommand(verifyCommand());
  addCompletionCommand(program);
  return program;
}
