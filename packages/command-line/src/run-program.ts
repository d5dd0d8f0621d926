import type { CommanderError, CommandUnknownOpts } from '@commander-js/extra-typings';
import { commandLine, commandTree } from './command-tree.ts';
import { EXIT } from './exit-codes.ts';

/** Where a program's output goes, one line at a time: the process's streams, or a test's arrays. */
export interface ProgramOutput {
  out(line: string): void;
  err(line: string): void;
}

/** A parse error, carrying the command that refused its arguments so the message can name it. */
class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly command: CommandUnknownOpts;
  readonly parseError: CommanderError;
  constructor(command: CommandUnknownOpts, cause: CommanderError) {
    super(cause.message.replace(/^error: /, ''));
    this.command = command;
    this.parseError = cause;
  }
}

const exitCodes = new WeakMap<CommandUnknownOpts, number>();

/** Records the exit code of the action that ran; `runProgram` resolves to it (0 when none is set). */
export function setExitCode(command: CommandUnknownOpts, code: number): void {
  let root = command;
  while (root.parent !== null) root = root.parent;
  exitCodes.set(root, code);
}

/** Help and `--version` are answers, not failures. */
const ANSWERS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Parses `args` (without node and the script) and runs the chosen action; resolves to the exit code:
 * the action's (`setExitCode`), 0 after help, or 2 with `<command>: <message>` on stderr when the
 * arguments are wrong (unknown option or command, missing value or argument, too many arguments). An
 * action's own errors propagate to the caller, which knows which of them a user can fix.
 */
export async function runProgram(
  program: CommandUnknownOpts,
  args: readonly string[],
  output: ProgramOutput,
): Promise<number> {
  const writeLines = (line: (text: string) => void) => (text: string) => line(text.replace(/\n$/, ''));
  for (const { command } of commandTree(program)) {
    command
      .configureOutput({
        writeOut: writeLines(output.out),
        writeErr: writeLines(output.err),
        // Printed by the catch below, with the command's name instead of commander's "error:".
        outputError: () => {},
      })
      .exitOverride((error) => {
        throw new UsageError(command, error);
      });
  }
  exitCodes.delete(program);
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (ANSWERS.has(error.parseError.code)) {
      // A group called without its subcommand printed its help to stderr: a usage error.
      return error.parseError.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const name = commandLine(error.command);
    output.err(`${name}: ${error.message}\nRun "${name} --help" for usage.`);
    return EXIT.usage;
  }
  return exitCodes.get(program) ?? EXIT.ok;
}
