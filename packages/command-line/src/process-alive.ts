/**
 * Whether a process with this pid exists now, for lock and owner files that name their process. A
 * pid reused by an unrelated process reads as alive: callers must treat "alive" as "leave it alone".
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
