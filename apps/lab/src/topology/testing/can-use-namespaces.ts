import { execFileSync } from 'node:child_process';

/** Whether this process can build kernel lab topologies: root, with `ip` and `nft` installed. */
export const canUseNamespaces = process.getuid?.() === 0 && runs('ip') && runs('nft');

function runs(command: string): boolean {
  try {
    execFileSync(command, ['-V']);
    return true;
  } catch {
    return false;
  }
}
