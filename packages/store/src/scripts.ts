import type { RedisClient } from '@reachmap/queue';
import { APPLY_ONCE_LUA } from './scripts/apply-once.lua.ts';
import { COMPARE_AND_SET_STATE_LUA } from './scripts/compare-and-set-state.lua.ts';
import { RELEASE_LOCK_LUA } from './scripts/release-lock.lua.ts';

/**
 * The store's Lua scripts, registered on each client with `defineCommand`, which runs them by SHA
 * (EVALSHA) and falls back to EVAL after a SCRIPT FLUSH.
 */
const SCRIPTS = {
  rmApplyOnce: APPLY_ONCE_LUA,
  rmCompareAndSetState: COMPARE_AND_SET_STATE_LUA,
  rmReleaseLock: RELEASE_LOCK_LUA,
} as const;
export type ScriptName = keyof typeof SCRIPTS;

const registered = new WeakSet<RedisClient>();

type ScriptCommand = (numberOfKeys: number, ...keysAndArgs: string[]) => Promise<unknown>;

/** Runs a store script: the keys (all of one partition) then the arguments. */
export async function runScript(
  redis: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  if (!registered.has(redis)) {
    for (const [script, lua] of Object.entries(SCRIPTS)) redis.defineCommand(script, { lua });
    registered.add(redis);
  }
  const command = Reflect.get(redis, name) as ScriptCommand;
  return await command.call(redis, keys.length, ...keys, ...args);
}
