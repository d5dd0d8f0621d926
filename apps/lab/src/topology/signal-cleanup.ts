/**
 * Live topologies, torn down when the process is interrupted or exits, so a killed lab run leaves no
 * namespaces behind. One handler per signal for all topologies of the process.
 */
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    try {
      cleanup();
    } catch (error) {
      process.stderr.write(`lab teardown failed: ${(error as Error).message}\n`);
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // Exit with the conventional 128 + signal number, as if the signal had not been caught.
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

export function registerForCleanup(cleanup: () => void): void {
  cleanups.add(cleanup);
  if (installed) return;
  installed = true;
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', runAll);
}

export function unregisterFromCleanup(cleanup: () => void): void {
  cleanups.delete(cleanup);
}
