import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

/**
 * Where each kernel-lab run leaves the pid of the process that owns it, beside `ip netns`'s own
 * /run/netns: tmpfs, emptied at boot exactly when the namespaces are.
 */
export const LAB_RUNS_DIR = '/run/reachmap-lab';

/** Every name a run's topology creates starts with `rl<run id>` (topology.ts). */
const RUN_NAME = /^rl([0-9a-f]{6})(?:-|h$)/;

export function claimRun(runId: string, dir = LAB_RUNS_DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${runId}.pid`), `${process.pid}\n`);
}

export function releaseRun(runId: string, dir = LAB_RUNS_DIR): void {
  rmSync(join(dir, `${runId}.pid`), { force: true });
}

function ownerAlive(runId: string, dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, `${runId}.pid`), 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runIdOf(name: string): string | null {
  return RUN_NAME.exec(name)?.[1] ?? null;
}

/**
 * Removes what kernel-lab runs killed without teardown (SIGKILL, a crash of the machine's OOM killer)
 * left behind: their namespaces, host-side links and resolv.conf directories. A run counts as dead when
 * its pid file is gone or names no live process; runs of live processes, this one's included, are kept.
 * Returns the run ids swept.
 */
export function sweepStaleRuns(options: { dir?: string; only?: ReadonlySet<string> } = {}): string[] {
  const dir = options.dir ?? LAB_RUNS_DIR;
  const considered = (name: string) => {
    const id = runIdOf(name);
    return id !== null && (options.only === undefined || options.only.has(id));
  };
  const namespaces = runCommand(['ip', 'netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(considered);
  const links = runCommand(['ip', '-o', 'link', 'show'])
    .split('\n')
    .map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '')
    .filter(considered);
  const stale = new Set(
    [...namespaces, ...links].map((name) => runIdOf(name) as string).filter((id) => !ownerAlive(id, dir)),
  );
  for (const link of links) {
    if (stale.has(runIdOf(link) as string)) runCommand(['ip', 'link', 'del', link]);
  }
  for (const namespace of namespaces) {
    if (!stale.has(runIdOf(namespace) as string)) continue;
    runCommand(['ip', 'netns', 'del', namespace]);
    rmSync(`/etc/netns/${namespace}`, { recursive: true, force: true });
  }
  for (const id of stale) releaseRun(id, dir);
  // Pid files of runs whose namespaces are already gone.
  for (const file of safeReaddir(dir)) {
    const id = /^([0-9a-f]{6})\.pid$/.exec(file)?.[1];
    if (id !== undefined && (options.only?.has(id) ?? true) && !ownerAlive(id, dir)) releaseRun(id, dir);
  }
  return [...stale];
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
