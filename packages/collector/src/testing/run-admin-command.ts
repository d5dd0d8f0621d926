import { Command, runProgram } from '@reachmap/command-line';
import type { RedisClient } from '@reachmap/queue';
import { addAdminCommands } from '../admin/admin-command.ts';

/** `reachmap admin <args>` against `redis`, parsed as the CLI parses it; every line goes to `print`. */
export async function runAdminCommand(
  args: string[],
  redis: RedisClient,
  print: (line: string) => void,
): Promise<number> {
  const program = new Command('reachmap');
  addAdminCommands(program.command('admin'), (use) => use(redis), print);
  return await runProgram(program, ['admin', ...args], { out: print, err: print });
}
