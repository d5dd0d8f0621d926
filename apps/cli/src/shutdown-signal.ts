/** Resolves on the first SIGINT or SIGTERM; a second one while shutting down forces an exit. */
export function waitForShutdownSignal(
  onForced: () => void = () => process.exit(130),
): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) {
        onForced();
        return;
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
