import type { ChildProcess } from 'node:child_process';
import type { ResolvedRule } from '../censor/resolve-rules.ts';
import type { CensorDaemonUpdate } from './censor-daemon.ts';
import { watchLines } from './child-lines.ts';

/** The lab's side of one running censor daemon (censor-daemon.ts). */
export interface CensorDaemonProcess {
  /** Resolves once the daemon answers under these rules. */
  setRules(rules: readonly ResolvedRule[]): Promise<void>;
}

export class CensorDaemonError extends Error {
  override readonly name = 'CensorDaemonError';
}

/**
 * Waits for a spawned daemon's `ready`, then speaks its stdin protocol: one JSON line of rules,
 * answered by `rules <seq>`. A daemon that exits or stays silent past `timeoutMs` fails what waits on
 * it, with what it printed.
 */
export async function attachCensorDaemon(
  child: ChildProcess,
  timeoutMs: number,
): Promise<CensorDaemonProcess> {
  const lines = watchLines(child, 'censor daemon', (message) => new CensorDaemonError(message));
  // A daemon gone mid-write is reported by its exit, with what it printed.
  child.stdin?.on('error', () => {});
  await lines.waitFor('ready', 'not ready', timeoutMs);
  let seq = 0;
  return {
    setRules(rules) {
      seq += 1;
      const update: CensorDaemonUpdate = { seq, rules: [...rules] };
      const acknowledged = lines.waitFor(`rules ${seq}`, `did not take rules ${seq}`, timeoutMs);
      child.stdin?.write(`${JSON.stringify(update)}\n`);
      return acknowledged;
    },
  };
}
