import { parseReflectorConfig, startReflector } from '@reachmap/reflector';
import { pino } from 'pino';

const parsed = parseReflectorConfig(process.env);
if (!parsed.ok) {
  console.error(`reflector: invalid ${parsed.variable}: ${parsed.message}`);
  process.exit(2);
}
const logger = pino({ name: 'reflector', level: parsed.config.logLevel });
const reflector = await startReflector(parsed.config, logger).catch((error: unknown) => {
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
