import { runKeysCommand } from '@reachmap/api';
import { runAdminCommand } from '@reachmap/collector';
import { loadConfig, ServerConfig } from '@reachmap/config';
import { createLogger } from '@reachmap/telemetry';
import { openRedisSession } from '../redis-session.ts';

/**
 * `reachmap admin …`: enrolment tokens and agents (collector), API keys (`admin keys …`), against the
 * same Redis as `reachmap up`.
 */
export async function runAdmin(args: string[]): Promise<number> {
  const config = loadConfig(ServerConfig);
  // Progress goes to stderr so that stdout carries only the command's answer (a token, a table).
  const log = createLogger({ name: 'reachmap', level: 'warn', destination: process.stderr });
  const redis = await openRedisSession(
    {
      redisUrl: config.REDIS_URL,
      dataDir: config.REACHMAP_DATA_DIR,
      maxMemoryBytes: config.REDIS_EMBEDDED_MAXMEMORY,
    },
    log,
  );
  try {
    const print = (line: string) => process.stdout.write(`${line}\n`);
    const [resource, ...rest] = args;
    if (resource === 'keys') return await runKeysCommand(rest, redis.client, print);
    return await runAdminCommand(args, redis.client, print);
  } finally {
    await redis.close();
  }
}
