import { ConfigError } from '@reachmap/config';
import { loadReflectorConfig, startReflector } from '@reachmap/reflector';
import { createLogger } from '@reachmap/telemetry';

let config: ReturnType<typeof loadReflectorConfig>;
try {
  config = loadReflectorConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`reflector: ${error.message}`);
  process.exit(2);
}
const logger = createLogger({ name: 'reflector', level: config.logLevel });
const reflector = await startReflector(config, logger).catch((error: unknown) => {
  logger.fatal({ reason: (error as Error).message }, 'reflector failed to start');
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'reflector shutting down');
    void reflector.close().then(() => {
      logger.info('reflector stopped');
      process.exit(0);
    });
  });
}
