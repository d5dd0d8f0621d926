import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectLabMode } from './lab-mode.ts';

const PATH = process.env.PATH;
const dirs: string[] = [];
afterEach(() => {
  process.env.PATH = PATH;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A PATH holding only these tools, as on a machine where the others are not installed. */
function pathWith(tools: string[]): string {
  const bin = join(mkdtempSync(join(tmpdir(), 'lab-mode-')), 'bin');
  dirs.push(join(bin, '..'));
  mkdirSync(bin);
  for (const tool of tools) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  return bin;
}

describe.runIf(process.getuid?.() === 0)('detectLabMode as root', () => {
  it('runs the kernel lab when ip and nft work', () => {
    expect(detectLabMode()).toEqual({ mode: 'kernel', fallback: null });
  });

  it('says why it falls back to user space when nftables is missing, instead of doing so silently', () => {
    process.env.PATH = pathWith(['ip']);
    const choice = detectLabMode();
    expect(choice.mode).toBe('userspace');
    expect(choice.fallback).toBe(
      'root, but `nft` (nftables) did not work: the user-space censor runs instead of the kernel lab (Debian/Ubuntu: apt-get install nftables iproute2)',
    );
  });
});
