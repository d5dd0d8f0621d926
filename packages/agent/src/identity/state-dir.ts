import { join } from 'node:path';
import { filePath, loadConfig } from '@reachmap/config';
import { z } from 'zod';

/** The directory systemd's `StateDirectory=reachmap-agent` creates for a system service. */
export const SYSTEM_STATE_DIR = '/var/lib/reachmap-agent';

/** Read by the loader every reachmap process uses, so a `REACHMAP_CONFIG` file may set it too. */
const StateDirSetting = z.object({ REACHMAP_AGENT_DIR: filePath().optional() });

/**
 * Where the agent keeps its key, configuration and spool: `--state-dir`, then `REACHMAP_AGENT_DIR`
 * (made absolute, like every path setting), then `/var/lib/reachmap-agent` for root, else the XDG
 * state home (XDG Base Directory spec 0.8). A bad configuration throws the loader's ConfigError.
 */
export function resolveStateDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1,
): string {
  if (flag !== undefined && flag !== '') return flag;
  const { REACHMAP_AGENT_DIR } = loadConfig(StateDirSetting, { env });
  if (REACHMAP_AGENT_DIR !== undefined) return REACHMAP_AGENT_DIR;
  if (uid === 0) return SYSTEM_STATE_DIR;
  const stateHome = env.XDG_STATE_HOME || join(env.HOME ?? '.', '.local', 'state');
  return join(stateHome, 'reachmap-agent');
}
