-- Counts a job's measurements into one partition, each exactly once (docs/redis-keys.md, "Exactly once").
-- KEYS: every key the call touches, all of one partition ("counted" markers included).
-- ARGV[1]: marker TTL in ms.
-- ARGV[2]: JSON array of distinct additive operations {name, key index, args...} (args are strings).
-- ARGV[3]: JSON array of measurements {marker key index, operation index...}.
-- ARGV[4]: JSON array of upkeep operations {name, key index, args...}, run once per key written.
-- Returns one 1 (counted now) or 0 (counted before) per measurement, in order.
local operations = cjson.decode(ARGV[2])
local measurements = cjson.decode(ARGV[3])
local upkeep = cjson.decode(ARGV[4])
local additive = { ['hincrby'] = 2, ['pfadd'] = 1, ['zadd'] = 2, ['zadd-gt'] = 2, ['lpush'] = 1, ['sadd'] = 1, ['set-px'] = 2 }
local maintaining = { ['pexpireat'] = 1, ['pexpire'] = 1, ['zrem-below'] = 1, ['zcap'] = 1, ['ltrim-cap'] = 1 }

local function malformed(op, arity)
  local expected = arity[op[1]]
  if expected == nil then return 'apply-once: unknown operation ' .. tostring(op[1]) end
  if #op ~= expected + 2 or KEYS[op[2]] == nil then return 'apply-once: malformed operation ' .. op[1] end
  if op[1] == 'hincrby' and tonumber(op[4]) == nil then return 'apply-once: malformed operation hincrby' end
  return nil
end

-- Redis does not roll a script back on error: refuse a malformed plan before writing anything.
for _, op in ipairs(operations) do
  local problem = malformed(op, additive)
  if problem then return redis.error_reply(problem) end
end
for _, op in ipairs(upkeep) do
  local problem = malformed(op, maintaining)
  if problem then return redis.error_reply(problem) end
end
for _, measurement in ipairs(measurements) do
  if KEYS[measurement[1]] == nil then return redis.error_reply('apply-once: malformed marker') end
  for i = 2, #measurement do
    if operations[measurement[i]] == nil then return redis.error_reply('apply-once: unknown operation index') end
  end
end

-- Only measurements whose marker is new contribute: count how many of them add each operation.
local counted = {}
local uses = {}
for position, measurement in ipairs(measurements) do
  counted[position] = 0
  if redis.call('SET', KEYS[measurement[1]], '1', 'NX', 'PX', ARGV[1]) then
    counted[position] = 1
    for i = 2, #measurement do
      local index = measurement[i]
      uses[index] = (uses[index] or 0) + 1
    end
  end
end

-- Apply each used operation once, leaving what one write per measurement would: an increment times
-- its uses; members of one key merged into one command, in plan (= measurement) order. Set-like
-- members (PFADD, SADD, ZADD) are idempotent, so a shared one is sent once; a list member is pushed
-- per use. Members per command stay far below Lua's unpack limit (LUAI_MAXCSTACK, 8000): the caller
-- sends at most 100 measurements per call, each adding a few members per key.
local written = {}
local members, memberOrder = {}, {}
for index, op in ipairs(operations) do
  local times = uses[index]
  if times then
    local name, key = op[1], op[2]
    written[key] = true
    if name == 'hincrby' then redis.call('HINCRBY', KEYS[key], op[3], tonumber(op[4]) * times)
    elseif name == 'set-px' then redis.call('SET', KEYS[key], op[3], 'PX', op[4])
    else
      local slot = name .. '|' .. key
      local list = members[slot]
      if list == nil then
        list = { name = name, key = key }
        members[slot] = list
        memberOrder[#memberOrder + 1] = slot
      end
      for _ = 1, (name == 'lpush' and times or 1) do
        for i = 3, #op do list[#list + 1] = op[i] end
      end
    end
  end
end
for _, slot in ipairs(memberOrder) do
  local list = members[slot]
  local key = KEYS[list.key]
  if list.name == 'pfadd' then redis.call('PFADD', key, unpack(list))
  elseif list.name == 'zadd' then redis.call('ZADD', key, unpack(list))
  elseif list.name == 'zadd-gt' then redis.call('ZADD', key, 'GT', unpack(list))
  elseif list.name == 'lpush' then redis.call('LPUSH', key, unpack(list))
  elseif list.name == 'sadd' then redis.call('SADD', key, unpack(list))
  end
end
for _, op in ipairs(upkeep) do
  if written[op[2]] then
    local name, key = op[1], KEYS[op[2]]
    if name == 'pexpireat' then redis.call('PEXPIREAT', key, op[3])
    elseif name == 'pexpire' then redis.call('PEXPIRE', key, op[3])
    elseif name == 'zrem-below' then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. op[3])
    elseif name == 'zcap' then redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(op[3]) + 1))
    elseif name == 'ltrim-cap' then redis.call('LTRIM', key, 0, tonumber(op[3]) - 1)
    end
  end
end
return counted
