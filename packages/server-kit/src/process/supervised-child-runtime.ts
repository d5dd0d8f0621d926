import { loadConfig, ServerConfig } from '@reachmap/config';
import { createLogger, type Logger, startTelemetrySdk } from '@reachmap/telemetry';

const ORPHAN_STOP_TIMEOUT_MS = 60_000;

/** What a supervised child sends over its IPC channel once it serves (`reachmap up` waits for it). */
export interface ReadyMessage {
  type: 'ready';
  url?: string;
}

/** A started part of the stack, as a child entry script hands it to `runAsChild`. */
export interface ChildService {
  url?: string;
  stop(): Promise<void>;
}

/**
 * The life of a supervised child: start the service, tell the supervisor it is ready, then stop it
 * cleanly on SIGTERM/SIGINT or when the supervisor's IPC channel closes (the supervisor died, even by
 * SIGKILL: the kernel closes the channel). A start-up failure exits 1, and the supervisor restarts it.
 */
export async function runAsChild(
  name: string,
  start: (log: Logger) => Promise<ChildService>,
): Promise<never> {
  const { LOG_LEVEL } = loadConfig(ServerConfig);
  // Always JSON lines: the supervisor reads them, files them and shows people what matters.
  const log = createLogger({ name: 'reachmap', level: LOG_LEVEL, pretty: false }).child({
    component: name,
  });
  if (process.send === undefined) {
    process.stderr.write(`${name}: run this under \`reachmap up\`, which supervises it\n`);
    process.exit(2);
  }
  let started = false;
  const stopRequested = new Promise<string>((resolve) => {
    // Asked to stop while still starting: there is nothing to drain yet, and a start that hangs
    // (waiting on a collector that is down) must not make the request go unheard.
    const stopOn = (signal: NodeJS.Signals) =>
      process.once(signal, () => (started ? resolve(signal) : process.exit(1)));
    stopOn('SIGTERM');
    stopOn('SIGINT');
    process.once('disconnect', () => {
      // Orphaned: nobody will stop or restart us. Still starting, there is nothing to drain; a stop
      // that hangs must not keep an orphan alive either.
      if (!started) process.exit(1);
      setTimeout(() => process.exit(1), ORPHAN_STOP_TIMEOUT_MS).unref();
      resolve('supervisor gone');
    });
  });
  const telemetry = await startTelemetrySdk(name);
  let service: ChildService;
  try {
    service = await start(log);
  } catch (error) {
    log.fatal({ err: error }, `${name} did not start`);
    process.exit(1);
  }
  started = true;
  const ready: ReadyMessage = { type: 'ready', ...(service.url === undefined ? {} : { url: service.url }) };
  process.send(ready);
  const reason = await stopRequested;
  log.debug({ reason }, `${name} stopping`);
  await service.stop();
  await telemetry.shutdown();
  process.exit(0);
}
