import { EXIT as COMMAND_LINE_EXIT } from '@reachmap/command-line';
import type { AgentExtensions } from '../runtime/agent-extensions.ts';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Injected by a program embedding the agent (the lab's agent entry); the binary passes none. */
  extensions?: AgentExtensions;
}

/** `restart` (EX_TEMPFAIL): a self-update replaced the program; systemd's Restart= starts it again. */
export const EXIT = { ...COMMAND_LINE_EXIT, restart: 75 } as const;

/** Options that parse but do not fit together (an unknown region, a bad number): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
