import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { AgentExtensions } from '../runtime/agent-extensions.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values; repeatable options (`multiple: true`) give arrays. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** One `reachmap-agent <command>`: its help text and what it does; resolves to the exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpecs;
  run(values: OptionValues, io: CliIo): Promise<number>;
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Injected by a program embedding the agent (the lab's agent entry); the binary passes none. */
  extensions?: AgentExtensions;
}

/** `restart` (EX_TEMPFAIL): a self-update replaced the program; systemd's Restart= starts it again. */
export const EXIT = { ok: 0, failure: 1, usage: 2, restart: 75 } as const;

export const COMMON_OPTIONS = {
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a command's arguments strictly; unknown options are a usage error, not silently ignored. */
export function parseCommandArgs(command: CliCommand, args: string[]): OptionValues {
  try {
    const { values } = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: false,
    });
    return values as OptionValues;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
