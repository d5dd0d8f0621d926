import {
  addCompletionCommand,
  Command,
  type CommandUnknownOpts,
  commandLine,
  type OptionValues,
  runProgram,
  setExitCode,
} from '@reachmap/command-line';
import { ConfigError } from '@reachmap/config';
import { IdentityCorruptError, NotEnrolledError } from '../identity/agent-identity.ts';
import { UnknownTargetInCatalogueError } from '../rounds/round-runner.ts';
import { StateDirLockedError } from '../runtime/state-lock.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import { SpoolStateCorruptError } from '../spool/spool-state.ts';
import { enrollDeclaration, onceDeclaration, runDeclaration, statusDeclaration } from './agent-commands.ts';
import { type CliIo, EXIT, UsageError } from './cli-command.ts';

/** Errors an operator can act on: printed as one line, without a stack trace. */
const OPERATOR_ERRORS = [
  NotEnrolledError,
  IdentityCorruptError,
  StateDirLockedError,
  SpoolStateCorruptError,
  UnknownTargetInCatalogueError,
];

/** The exit code of a command's run, with the errors an operator can act on turned into messages. */
async function exitCodeOf(
  command: CommandUnknownOpts,
  run: () => Promise<number>,
  io: CliIo,
): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConfigError) {
      // A bad variable or REACHMAP_CONFIG file (the state directory's lookup, say): the operator's to fix.
      io.err(`${commandLine(command)}: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      // Worded as the parse errors of runProgram are.
      io.err(`${commandLine(command)}: ${error.message}\nRun "${commandLine(command)} --help" for usage.`);
      return EXIT.usage;
    }
    if (OPERATOR_ERRORS.some((type) => error instanceof type)) {
      io.err(`reachmap-agent: ${(error as Error).message}`);
      return EXIT.failure;
    }
    throw error;
  }
}

/**
 * The `reachmap-agent` program. Each command's module is imported only when that command runs, so
 * the long-running `run` does not carry enroll's, once's or status's code and schemas.
 */
function agentProgram(io: CliIo): CommandUnknownOpts {
  const program = new Command('reachmap-agent')
    .description(
      `reachmap-agent ${AGENT_SOFTWARE.version}: measures reachability of messengers and websites from this network`,
    )
    .version(AGENT_SOFTWARE.version);
  const runs = <Options extends OptionValues>(
    declaration: Command<[], Options>,
    run: (options: Options) => Promise<number>,
  ) =>
    declaration.action(async (options, command) =>
      setExitCode(command, await exitCodeOf(command, () => run(options), io)),
    );
  program
    .addCommand(
      runs(enrollDeclaration(), async (o) => (await import('./enroll-command.ts')).runEnroll(o, io)),
    )
    .addCommand(
      runs(runDeclaration(), async (o) => (await import('./run-command.ts')).runAgentCommand(o, io)),
    )
    .addCommand(runs(onceDeclaration(), async (o) => (await import('./once-command.ts')).runOnce(o, io)))
    .addCommand(
      runs(statusDeclaration(), async (o) => (await import('./status-command.ts')).runStatus(o, io)),
    );
  addCompletionCommand(program);
  return program;
}

export type { CliIo } from './cli-command.ts';

/** Runs the command line `args` (without node and the script); resolves to the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  return await runProgram(agentProgram(io), args, io);
}
