import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A child's output read line by line, for the lab's line protocols (`ready`, `rules <seq>`). */
export interface ChildLines {
  /**
   * Resolves once the child prints `line` (or has printed it among the lines kept); rejects when it
   * exits first or stays silent past `timeoutMs`, with what it printed.
   */
  waitFor(line: string, what: string, timeoutMs: number): Promise<void>;
}

/** Lines of the child's output kept for an error message. */
const KEPT_LINES = 20;

/** Reads `child`'s stdout and stderr by line; `name` and `makeError` shape the errors it rejects with. */
export function watchLines(
  child: ChildProcess,
  name: string,
  makeError: (message: string) => Error = (message) => new Error(message),
): ChildLines {
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
  child.once('exit', (code, signal) => {
    exited = `${name} exited with ${code ?? signal}: ${printed()}`;
    for (const waiter of waiting.values()) waiter.reject(makeError(exited));
    waiting.clear();
  });

  return {
    waitFor(line, what, timeoutMs) {
      if (output.includes(line)) return Promise.resolve();
      if (exited !== null) return Promise.reject(makeError(exited));
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(line);
          reject(makeError(`${name} ${what} within ${timeoutMs / 1000} s: ${printed()}`));
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
    },
  };
}
