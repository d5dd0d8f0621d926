import { join } from 'node:path';

/** The directory systemd's `StateDirectory=reachmap-agent` creates for a system service. */
export const SYSTEM_STATE_DIR = '/var/lib/reachmap-agent';

/**
 * Where the agent keeps its key, configuration and spool: `--state-dir`, then `REACHMAP_AGENT_DIR`,
 * then `/var/lib/reachmap-agent` for root, else the XDG state home (XDG Base Directory spec 0.8).
 */
export function resolveStateDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1,
): string {
  if (flag !== undefined && flag !== '') return flag;
  if (env.REACHMAP_AGENT_DIR) return env.REACHMAP_AGENT_DIR;
  if (uid === 0) return SYSTEM_STATE_DIR;
  const stateHome = env.XDG_STATE_HOME || join(env.HOME ?? '.', '.local', 'state');
  return join(stateHome, 'reachmap-agent');
}
