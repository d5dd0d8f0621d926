import { keysCommand } from '@reachmap/api';
import { addAdminCommands } from '@reachmap/collector';
import { Command, type CommandUnknownOpts } from '@reachmap/command-line';
import { loadConfig, ServerConfig } from '@reachmap/config';
import type { WithRedis } from '@reachmap/queue';
import { createLogger } from '@reachmap/telemetry';
import { openRedisSession } from '../redis-session.ts';

/** Opens the same Redis as `reachmap up` for one admin command, and closes it after. */
const withStackRedis: WithRedis = async (use) => {
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
    return await use(redis.client);
  } finally {
    await redis.close();
  }
};

/** `reachmap admin …`: enrolment tokens and agents (collector), API keys (`admin keys …`). */
export function adminCommand(): CommandUnknownOpts {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const admin = new Command('admin').description(
    'enrolment tokens, agents, dead letters and API keys, against the Redis of `reachmap up`',
  );
  addAdminCommands(admin, withStackRedis, print);
  admin.addCommand(keysCommand(withStackRedis, print));
  return admin;
}
