import { Command, processOutput, runProgram } from '@reachmap/command-line';
import { addOoniCommands } from '@reachmap/ooni';
import { printMessage, withOoniDeps } from './commands/ooni.ts';

/**
 * `reachmap import ooni …` and `reachmap export ooni …` alone, the entry the launcher bundles for
 * them (scripts/ooni-bundle.ts): an import streams whole archives, and a bundle of just these
 * commands runs in less memory than the whole command line loaded from TypeScript sources
 * (docs/benchmarks.md, "OONI import").
 */
function ooniProgram() {
  const program = new Command('reachmap').description('reachmap — OONI import and export');
  addOoniCommands(program, withOoniDeps, printMessage);
  return program;
}

process.exitCode = await runProgram(ooniProgram(), process.argv.slice(2), processOutput);
