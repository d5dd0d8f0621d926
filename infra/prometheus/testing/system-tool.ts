import { spawnSync } from 'node:child_process';

/**
 * Whether a system program the tests need is installed. Missing, the tests skip with a message, except
 * under CI=true, where a skipped check would read as a passed one.
 */
export function systemToolPresent(command: string, debianPackage: string): boolean {
  const present = spawnSync(command, ['--version']).status === 0;
  if (present) return true;
  const message = `${command} not found: install the Debian package ${debianPackage} (scripts/toolchain.sh)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`${message}; skipping`);
  return false;
}
