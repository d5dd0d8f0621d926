import { loadConfig, ServerConfig } from '@reachmap/config';
import type { Logger } from '@reachmap/telemetry';
import { openRedisSession, type RedisSession } from '../redis-session.ts';

/** The Redis the supervisor chose (REDIS_URL: its embedded server or the operator's), for one child. */
export async function openChildRedis(log: Logger): Promise<RedisSession> {
  const config = loadConfig(ServerConfig);
  return await openRedisSession({ redisUrl: config.REDIS_URL, dataDir: config.REACHMAP_DATA_DIR }, log);
}
