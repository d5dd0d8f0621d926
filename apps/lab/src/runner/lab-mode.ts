import { spawnSync } from 'node:child_process';
import type { LabMode } from './run-scenario.ts';

/** The kernel lab needs root and working `ip netns` and `nft`; anything less runs in user space. */
export function detectLabMode(): LabMode {
  if (process.getuid?.() !== 0) return 'userspace';
  const works = (argv: string[]) => spawnSync(argv[0] ?? '', argv.slice(1), { stdio: 'ignore' }).status === 0;
  return works(['ip', 'netns', 'list']) && works(['nft', 'list', 'tables']) ? 'kernel' : 'userspace';
}
