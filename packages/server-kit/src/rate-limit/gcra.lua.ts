// The Lua source of gcra, a module rather than a .lua file read beside it, so that bundles carry it.
// String.raw: a Lua escape such as \n must reach Redis as written, not as JavaScript reads it.
// biome-ignore lint/complexity/noUselessStringRaw: see the line above
export const GCRA_LUA = String.raw`-- GCRA (generic cell rate algorithm): a token bucket kept as one timestamp, the "theoretical arrival
-- time" (TAT) of the next request. Unlike a fixed window it never lets 2x the budget through around a
-- window edge: a client that spent its burst gets one request per emission interval, no more.
-- KEYS[1] = TAT key; ARGV[1] = emission interval (ms per request), ARGV[2] = burst (requests).
-- Returns { allowed (1/0), milliseconds until the next request would be allowed }.
-- Redis's own clock, so every server process shares one notion of now.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local newTat = tat + interval
-- A full bucket is TAT = now; each request moves TAT one interval on; at most 'burst' intervals ahead.
if newTat - now > interval * burst then
  return { 0, math.ceil(newTat - now - interval * burst) }
end
redis.call('SET', KEYS[1], newTat, 'PX', math.ceil(newTat - now))
return { 1, 0 }
`;
