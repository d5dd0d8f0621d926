// The Lua source of compare-and-set-state, a module rather than a .lua file read beside it, so that bundles carry it.
// String.raw: a Lua escape such as \n must reach Redis as written, not as JavaScript reads it.
// biome-ignore lint/complexity/noUselessStringRaw: see the line above
export const COMPARE_AND_SET_STATE_LUA = String.raw`-- Writes a state machine's next state only if nobody wrote since it was read, together with the
-- events of that transition: one event per transition however many aggregators race.
-- KEYS[1]: state key (JSON with a top-level "version"); KEYS[2]: the partition's event stream;
-- KEYS[3] (optional): list that receives ARGV[5] on success, trimmed to the newest ARGV[6] entries.
-- ARGV[1]: expected version (0 when the key is missing); ARGV[2]: next state JSON;
-- ARGV[3]: stream MAXLEN (approximate); ARGV[4]: JSON array of {id, type, scope, target, json, trace}.
-- Returns 1 when written, 0 when the version moved on (the caller re-reads and recomputes).
local current = redis.call('GET', KEYS[1])
local version = '0'
if current then version = tostring(cjson.decode(current).version) end
if version ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
for _, event in ipairs(cjson.decode(ARGV[4])) do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
    'id', event.id, 'type', event.type, 'scope', event.scope, 'target', event.target, 'event', event.json,
    'trace', event.trace)
end
if KEYS[3] then
  redis.call('RPUSH', KEYS[3], ARGV[5])
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[6]), -1)
end
return 1
`;
