import { ConfigError } from '@reachmap/config';
import {
  EmbeddedRedisStartError,
  IncompatibleRedisError,
  InvalidRedisUrlError,
  RedisServerNotFoundError,
} from '@reachmap/queue';
import { runAdmin } from './commands/admin.ts';
import { runOoni } from './commands/ooni.ts';
import { DemoNeedsLabCatalogueError, runUp, UnknownLogFormatError } from './commands/up.ts';
import { UnknownComponentError } from './supervisor/stack-components.ts';

const HELP = `reachmap — an open network-interference observatory

Usage: reachmap <command> [options]

Commands:
  up        run the server stack (default when no command is given)
  admin     enrolment tokens, agents and API keys (\`reachmap admin --help\`, \`reachmap admin keys --help\`)
  import    import OONI measurements: reachmap import ooni [--compare] <file|dir|->...
  export    export measurements as OONI JSONL: reachmap export ooni [--since] [--until] [--cc] [--target] [--out]
  verify    check an event's evidence bundle offline: reachmap verify <bundle.json>
  help      show this help

Run \`reachmap <command> --help\` for a command's options.`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  up: runUp,
  admin: runAdmin,
  import: (args) => runOoni('import', args),
  export: (args) => runOoni('export', args),
  verify: async (args) => (await import('./commands/verify.ts')).runVerify(args),
};

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
];

async function main(argv: string[]): Promise<number> {
  const [name = 'up', ...rest] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`reachmap: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  try {
    return await command(rest);
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
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`reachmap ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
