import { IdentityCorruptError, NotEnrolledError } from '../identity/agent-identity.ts';
import { UnknownTargetInCatalogueError } from '../rounds/round-runner.ts';
import { StateDirLockedError } from '../runtime/state-lock.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import { SpoolStateCorruptError } from '../spool/spool-state.ts';
import { type CliCommand, type CliIo, EXIT, parseCommandArgs, UsageError } from './cli-command.ts';

/**
 * Each command's module is evaluated only when that command runs (or the overview lists them all), so
 * the long-running `run` does not carry enroll's, once's or status's code and schemas.
 */
const COMMANDS: Readonly<Record<string, () => Promise<CliCommand>>> = {
  enroll: async () => (await import('./enroll-command.ts')).enrollCommand,
  run: async () => (await import('./run-command.ts')).runCommand,
  once: async () => (await import('./once-command.ts')).onceCommand,
  status: async () => (await import('./status-command.ts')).statusCommand,
};

/** Errors an operator can act on: printed as one line, without a stack trace. */
const OPERATOR_ERRORS = [
  NotEnrolledError,
  IdentityCorruptError,
  StateDirLockedError,
  SpoolStateCorruptError,
  UnknownTargetInCatalogueError,
];

async function overview(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `reachmap-agent ${AGENT_SOFTWARE.version}: measures reachability of messengers and websites from this network`,
    '',
    'Usage: reachmap-agent <command> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Run "reachmap-agent <command> --help" for the options of a command.',
  ].join('\n');
}

export type { CliIo } from './cli-command.ts';

/** Runs the command line `args` (without node and the script); resolves to the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.out(AGENT_SOFTWARE.version);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    io.err(`reachmap-agent: unknown command "${name}"\n\n${await overview()}`);
    return EXIT.usage;
  }
  const command = await load();
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
