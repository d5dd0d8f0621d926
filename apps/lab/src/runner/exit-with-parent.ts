import { fstatSync } from 'node:fs';

/**
 * Calls `stop` when the lab process that started this one is gone, even by SIGKILL: the lab holds
 * the write end of this process's stdin pipe, and the kernel closes it when the lab dies (Node has
 * no PR_SET_PDEATHSIG). Only when stdin is a pipe (Node's `stdio: 'pipe'` is a socket pair): run by
 * hand, with a terminal or /dev/null on stdin, the process keeps running.
 */
export function exitWithParent(stop: () => void): void {
  const stdin = fstatSync(0);
  if (!stdin.isFIFO() && !stdin.isSocket()) return;
  process.stdin.resume();
  process.stdin.once('end', stop);
}
