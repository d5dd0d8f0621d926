import { spawnSync } from 'node:child_process';
import type { LabMode } from './run-scenario.ts';

export interface LabModeChoice {
  mode: LabMode;
  /** Why a root run falls back to user space (a missing tool), so the operator can fix it; else null. */
  fallback: string | null;
}

/** The kernel lab needs root and working `ip netns` and `nft`; anything less runs in user space. */
export function detectLabMode(): LabModeChoice {
  if (process.getuid?.() !== 0) return { mode: 'userspace', fallback: null };
  const works = (argv: string[]) => spawnSync(argv[0] ?? '', argv.slice(1), { stdio: 'ignore' }).status === 0;
  const missing = [
    works(['ip', 'netns', 'list']) ? null : '`ip netns` (iproute2)',
    works(['nft', 'list', 'tables']) ? null : '`nft` (nftables)',
  ].filter((tool) => tool !== null);
  return missing.length === 0
    ? { mode: 'kernel', fallback: null }
    : {
        mode: 'userspace',
        fallback: `root, but ${missing.join(' and ')} did not work: the user-space censor runs instead of the kernel lab (Debian/Ubuntu: apt-get install nftables iproute2)`,
      };
}
