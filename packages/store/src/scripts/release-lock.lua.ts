// The Lua source of release-lock, a module rather than a .lua file read beside it, so that bundles carry it.
// String.raw: a Lua escape such as \n must reach Redis as written, not as JavaScript reads it.
// biome-ignore lint/complexity/noUselessStringRaw: see the line above
export const RELEASE_LOCK_LUA = String.raw`-- Releases a lock only when it still holds our token: a lock that expired and was taken by another
-- process is not ours to delete (the pattern from the Redis SET documentation).
-- KEYS[1]: lock key; ARGV[1]: our token. Returns 1 when released.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
