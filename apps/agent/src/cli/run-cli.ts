import { IdentityCorruptError, NotEnrolledError } from '../identity/agent-identity.ts';
import { UnknownTargetInCatalogueError } from '../rounds/round-runner.ts';
import { StateDirLockedError } from '../runtime/state-lock.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import { SpoolStateCorruptError } from '../spool/spool-state.ts';
import { type CliCommand, type CliIo, EXIT, parseCommandArgs, UsageError } from './cli-command.ts';
import { enrollCommand } from './enroll-command.ts';
import { onceCommand } from './once-command.ts';
import { runCommand } from './run-command.ts';
import { statusCommand } from './status-command.ts';

const COMMANDS: readonly CliCommand[] = [enrollCommand, runCommand, onceCommand, statusCommand];

/** Errors an operator can act on: printed as one line, without a stack trace. */
const OPERATOR_ERRORS = [
  NotEnrolledError,
  IdentityCorruptError,
  StateDirLockedError,
  SpoolStateCorruptError,
  UnknownTargetInCatalogueError,
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    `reachmap-agent ${AGENT_SOFTWARE.version}: measures reachability of messengers and websites from this network`,
    '',
    'Usage: reachmap-agent <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run "reachmap-agent <command> --help" for the options of a command.',
  ].join('\n');
}

/** Runs the command line `args` (without node and the script); resolves to the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.out(AGENT_SOFTWARE.version);
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.err(`reachmap-agent: unknown command "${name}"\n\n${overview()}`);
    return EXIT.usage;
  }
  try {
    const values = parseCommandArgs(command, rest);
    if (values.help === true) {
      io.out(command.usage);
      return EXIT.ok;
    }
    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(
        `reachmap-agent ${command.name}: ${error.message}\nRun "reachmap-agent ${command.name} --help".`,
      );
      return EXIT.usage;
    }
    if (OPERATOR_ERRORS.some((type) => error instanceof type)) {
      io.err(`reachmap-agent: ${(error as Error).message}`);
      return EXIT.failure;
    }
    throw error;
  }
}
