// One import for every CLI: commander with its option types inferred from the flags.
export {
  Argument,
  Command,
  type CommandUnknownOpts,
  Option,
  type OptionValues,
} from '@commander-js/extra-typings';
export { type CommandNode, commandLine, commandTree } from './command-tree.ts';
export { bashCompletionScript, zshCompletionScript } from './completion/bash-completion.ts';
export { addCompletionCommand } from './completion/completion-command.ts';
export { EXIT } from './exit-codes.ts';
export { isProcessAlive } from './process-alive.ts';
export { type ProgramOutput, runProgram, setExitCode } from './run-program.ts';
export { optionsOrExit, processOutput } from './script-options.ts';
