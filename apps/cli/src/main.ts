import { processOutput, runProgram } from '@reachmap/command-line';
import { ConfigError } from '@reachmap/config';
import {
  EmbeddedRedisStartError,
  IncompatibleRedisError,
  InvalidRedisUrlError,
  RedisServerNotFoundError,
} from '@reachmap/queue';
import { DataDirUnusableError, DemoNeedsLabCatalogueError, UnknownLogFormatError } from './commands/up.ts';
import { reachmapProgram } from './reachmap-program.ts';
import { UnknownComponentError } from './supervisor/stack-components.ts';

/** Problems a user can fix; anything else is a bug and keeps its stack trace. */
const USER_ERRORS = [
  DemoNeedsLabCatalogueError,
  ConfigError,
  RedisServerNotFoundError,
  IncompatibleRedisError,
  InvalidRedisUrlError,
  EmbeddedRedisStartError,
  UnknownComponentError,
  UnknownLogFormatError,
  DataDirUnusableError,
];

async function main(argv: string[]): Promise<number> {
  try {
    // `reachmap` alone runs the stack, as the README's first command does.
    return await runProgram(reachmapProgram(), argv.length === 0 ? ['up'] : argv, processOutput);
  } catch (error) {
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      process.stderr.write(`reachmap: ${(error as Error).message}\n`);
      return error instanceof ConfigError ? 2 : 1;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const { address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
      process.stderr.write(
        `reachmap: ${address}:${port} is already in use; stop what listens there or choose another ` +
          'COLLECTOR_PORT / API_PORT\n',
      );
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
