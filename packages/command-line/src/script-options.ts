import type { Command, OptionValues } from '@commander-js/extra-typings';
import { type ProgramOutput, runProgram } from './run-program.ts';

/** The process's own streams, a line at a time. */
export const processOutput: ProgramOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * The options of a script without subcommands (`pnpm soak`, `pnpm bench`), parsed as `runProgram`
 * parses; after `--help` or a usage error the process exits with its code (0 or 2), so the script
 * below the call runs only with valid options.
 */
export async function optionsOrExit<Options extends OptionValues>(
  program: Command<[], Options>,
  args: readonly string[] = process.argv.slice(2),
): Promise<Options> {
  let parsed: Options | undefined;
  const code = await runProgram(
    program.action((options) => {
      parsed = options;
    }),
    args,
    processOutput,
  );
  if (parsed === undefined) process.exit(code);
  return parsed;
}
