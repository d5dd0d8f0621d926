import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Sets the kernel's memory-deny-write-execute on itself (prctl PR_SET_MDWE, Linux ≥ 6.3; it holds
 * across execve), then becomes the command. That is the guard systemd's MemoryDenyWriteExecute=yes
 * puts on the unit, so the agent's packaging test can run the bundle under it without systemd.
 * Node has no binding for prctl, hence the few lines of Python.
 */
const EXEC_UNDER_MDWE = [
  'import ctypes, os, sys',
  'libc = ctypes.CDLL(None, use_errno=True)',
  'PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1',
  'if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:',
  '    sys.exit("PR_SET_MDWE: " + os.strerror(ctypes.get_errno()))',
  'os.execvp(sys.argv[1], sys.argv[1:])',
].join('\n');

/** `[file, args]` that run `command args…` under memory-deny-write-execute. */
export function underDenyWriteExecute(command: string, args: readonly string[]): [string, string[]] {
  return ['python3', ['-c', EXEC_UNDER_MDWE, command, ...args]];
}

/** null when the guard can be set here, otherwise why not (no python3, a kernel older than 6.3). */
export async function denyWriteExecuteUnavailable(): Promise<string | null> {
  try {
    await run(...underDenyWriteExecute('true', []));
    return null;
  } catch (error) {
    const { code, stderr } = error as { code?: string | number; stderr?: string };
    return code === 'ENOENT' ? 'python3 is not installed' : (stderr?.trim() ?? String(error));
  }
}
