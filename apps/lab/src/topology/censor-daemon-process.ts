import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ResolvedRule } from '../censor/resolve-rules.ts';
import type { CensorDaemonUpdate } from './censor-daemon.ts';

/** The lab's side of one running censor daemon (censor-daemon.ts). */
export interface CensorDaemonProcess {
  /** Resolves once the daemon answers under these rules. */
  setRules(rules: readonly ResolvedRule[]): Promise<void>;
}

export class CensorDaemonError extends Error {
  override readonly name = 'CensorDaemonError';
}

/** Lines of the daemon's output kept for an error message. */
const KEPT_LINES = 20;

/**
 * Waits for a spawned daemon's `ready`, then speaks its stdin protocol: one JSON line of rules,
 * answered by `rules <seq>`. A daemon that exits or stays silent past `timeoutMs` fails what waits on
 * it, with what it printed.
 */
export async function attachCensorDaemon(
  child: ChildProcess,
  timeoutMs: number,
): Promise<CensorDaemonProcess> {
  const output: string[] = [];
  const waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  let exited: string | null = null;
  const printed = () => (output.length === 0 ? '(no output)' : output.join('\n'));

  const onLine = (line: string) => {
    output.push(line);
    if (output.length > KEPT_LINES) output.shift();
    const waiter = waiting.get(line);
    waiting.delete(line);
    waiter?.resolve();
  };
  if (child.stdout !== null) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr !== null) createInterface({ input: child.stderr }).on('line', onLine);
  // A daemon gone mid-write is reported by its exit below, with what it printed.
  child.stdin?.on('error', () => {});
  child.once('exit', (code, signal) => {
    exited = `censor daemon exited with ${code ?? signal}: ${printed()}`;
    for (const waiter of waiting.values()) waiter.reject(new CensorDaemonError(exited));
    waiting.clear();
  });

  const waitFor = (line: string, what: string): Promise<void> => {
    if (exited !== null) return Promise.reject(new CensorDaemonError(exited));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(line);
        reject(new CensorDaemonError(`censor daemon ${what} within ${timeoutMs / 1000} s: ${printed()}`));
      }, timeoutMs);
      waiting.set(line, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  };

  await waitFor('ready', 'not ready');
  let seq = 0;
  return {
    setRules(rules) {
      seq += 1;
      const update: CensorDaemonUpdate = { seq, rules: [...rules] };
      const acknowledged = waitFor(`rules ${seq}`, `did not take rules ${seq}`);
      child.stdin?.write(`${JSON.stringify(update)}\n`);
      return acknowledged;
    },
  };
}
