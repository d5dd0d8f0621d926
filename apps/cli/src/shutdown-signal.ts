/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP; a second one while shutting down forces an exit.
 * SIGHUP is a closed terminal (an SSH session dropped, a window closed): by default it kills the
 * process on the spot, leaving the children to stop on their own with nobody to order the drain.
 */
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
    process.on('SIGHUP', handler);
  });
}
