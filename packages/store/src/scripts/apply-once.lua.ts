// The Lua source of apply-once, a module rather than a .lua file read beside it, so that bundles carry it.
// String.raw: a Lua escape such as \n must reach Redis as written, not as JavaScript reads it.
// biome-ignore lint/complexity/noUselessStringRaw: see the line above
export const APPLY_ONCE_LUA = String.raw`-- Counts measurements into one partition, all or nothing, each at most once (docs/redis-keys.md,
-- "Exactly once"). The caller merged their writes in memory; this call checks that none of them was
-- counted before and then applies the merged writes and records the ids, in one atomic step.
-- KEYS: every key the call touches, all of one partition (the "counted" sets included).
-- ARGV[1]: TTL in ms of the "counted" sets, renewed on every write.
-- ARGV[2]: JSON array of markers {counted set key index, measurement id...}.
-- ARGV[3]: JSON array of merged additive operations {name, key index, args...} (args are strings).
-- ARGV[4]: JSON array of upkeep operations {name, key index, args...}. 'pexpireat-new' {key, time,
--   key index of the guard} sets an absolute expiry only when this call created the guard key (its
--   'runs' counter started here).
-- Returns an empty array when applied; otherwise the ids already counted, and nothing is written
-- (the caller plans again without them).
local markers = cjson.decode(ARGV[2])
local operations = cjson.decode(ARGV[3])
local upkeep = cjson.decode(ARGV[4])
local minimum = { ['hincrby'] = 2, ['pfadd'] = 1, ['zadd'] = 2, ['zadd-gt'] = 2, ['sadd'] = 1, ['set-px'] = 2 }
local maintaining = { ['pexpireat'] = 1, ['pexpireat-new'] = 2, ['pexpire'] = 1, ['zrem-below'] = 1 }

local function malformed(op, arity, exact)
  local expected = arity[op[1]]
  if expected == nil then return 'apply-once: unknown operation ' .. tostring(op[1]) end
  local given = #op - 2
  if KEYS[op[2]] == nil or given < expected or (exact and given ~= expected) then
    return 'apply-once: malformed operation ' .. op[1]
  end
  if op[1] == 'hincrby' and (given ~= 2 or tonumber(op[4]) == nil) then return 'apply-once: malformed operation hincrby' end
  if op[1] == 'set-px' and given ~= 2 then return 'apply-once: malformed operation set-px' end
  if (op[1] == 'zadd' or op[1] == 'zadd-gt') and given % 2 ~= 0 then return 'apply-once: malformed operation ' .. op[1] end
  return nil
end

-- Redis does not roll a script back on error: refuse a malformed plan before writing anything.
for _, op in ipairs(operations) do
  local problem = malformed(op, minimum, false)
  if problem then return redis.error_reply(problem) end
end
for _, op in ipairs(upkeep) do
  local problem = malformed(op, maintaining, true)
  if problem then return redis.error_reply(problem) end
end
for _, marker in ipairs(markers) do
  if KEYS[marker[1]] == nil or #marker < 2 then return redis.error_reply('apply-once: malformed marker') end
end
for _, op in ipairs(upkeep) do
  if op[1] == 'pexpireat-new' and KEYS[tonumber(op[4])] == nil then return redis.error_reply('apply-once: malformed operation pexpireat-new') end
end

-- One SMISMEMBER per counted set: any id seen before means the plan is stale.
local seen = {}
for _, marker in ipairs(markers) do
  local flags = redis.call('SMISMEMBER', KEYS[marker[1]], unpack(marker, 2))
  for i, flag in ipairs(flags) do
    if flag == 1 then seen[#seen + 1] = marker[i + 1] end
  end
end
if #seen > 0 then return seen end

for _, marker in ipairs(markers) do
  redis.call('SADD', KEYS[marker[1]], unpack(marker, 2))
  redis.call('PEXPIRE', KEYS[marker[1]], ARGV[1])
end
-- Members per command stay far below Lua's unpack limit (LUAI_MAXCSTACK, 8000): the caller bounds
-- the measurements per call, each adding a few members per key. 'created' (the counters this call
-- started) lets upkeep set a bucket's expiry once, not on every write.
local created = {}
for _, op in ipairs(operations) do
  local name, key = op[1], KEYS[op[2]]
  if name == 'hincrby' then
    local value = redis.call('HINCRBY', key, op[3], op[4])
    if op[3] == 'runs' and value == tonumber(op[4]) then created[op[2]] = true end
  elseif name == 'set-px' then redis.call('SET', key, op[3], 'PX', op[4])
  elseif name == 'pfadd' then redis.call('PFADD', key, unpack(op, 3))
  elseif name == 'zadd' then redis.call('ZADD', key, unpack(op, 3))
  elseif name == 'zadd-gt' then redis.call('ZADD', key, 'GT', unpack(op, 3))
  elseif name == 'sadd' then redis.call('SADD', key, unpack(op, 3))
  end
end
for _, op in ipairs(upkeep) do
  local name, key = op[1], KEYS[op[2]]
  if name == 'pexpireat' then redis.call('PEXPIREAT', key, op[3])
  elseif name == 'pexpireat-new' then
    if created[tonumber(op[4])] then redis.call('PEXPIREAT', key, op[3]) end
  elseif name == 'pexpire' then redis.call('PEXPIRE', key, op[3])
  elseif name == 'zrem-below' then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. op[3])
  end
end
return {}
`;
