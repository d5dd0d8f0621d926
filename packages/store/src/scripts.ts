import { readFileSync } from 'node:fs';
import type { RedisClient } from '@reachmap/queue';

/**
 * The store's Lua scripts, read from their `.lua` files once and registered on each client with
 * `defineCommand`, which runs them by SHA (EVALSHA) and falls back to EVAL after a SCRIPT FLUSH.
 */
const SCRIPT_FILES = {
  rmApplyOnce: 'apply-once.lua',
  rmCompareAndSetState: 'compare-and-set-state.lua',
  rmReleaseLock: 'release-lock.lua',
} as const;
export type ScriptName = keyof typeof SCRIPT_FILES;

const sources = new Map<ScriptName, string>();
const registered = new WeakSet<RedisClient>();

function sourceOf(name: ScriptName): string {
  let source = sources.get(name);
  if (source === undefined) {
    source = readFileSync(new URL(`./scripts/${SCRIPT_FILES[name]}`, import.meta.url), 'utf8');
    sources.set(name, source);
  }
  return source;
}

type ScriptCommand = (numberOfKeys: number, ...keysAndArgs: string[]) => Promise<unknown>;

/** Runs a store script: the keys (all of one partition) then the arguments. */
export async function runScript(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  if (!registered.has(redis)) {
    for (const script of Object.keys(SCRIPT_FILES) as ScriptName[]) {
      redis.defineCommand(script, { lua: sourceOf(script) });
    }
    registered.add(redis);
  }
  const command = Reflect.get(redis, name) as ScriptCommand;
  return await command.call(redis, keys.length, ...keys, ...args);
}
