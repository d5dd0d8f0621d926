import type { ResolvedRedis } from '@reachmap/queue';
import type { Logger } from '@reachmap/telemetry';

export interface ShutdownOnSignalOptions {
  /** Stops the service: stop accepting, drain, close its own connections. */
  close: () => Promise<void>;
  /** The Redis the service ran on; an embedded server is stopped last, after the service closed. */
  redis: ResolvedRedis;
  logger: Logger;
}

/**
 * On the first SIGINT or SIGTERM closes the service, then the embedded Redis, and exits 0 (1 when
 * closing fails). Later signals are ignored while the shutdown runs.
 */
export function shutdownOnSignal(options: ShutdownOnSignalOptions): void {
  const { logger } = options;
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      void options
        .close()
        .then(() => options.redis.embedded?.stop())
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    });
  }
}
