-- Applies a measurement's writes to one partition exactly once (docs/redis-keys.md, "Exactly once").
-- KEYS[1]: the partition's "counted" marker for the measurement; KEYS[2..]: the keys written.
-- ARGV[1]: marker TTL in ms; ARGV[2]: JSON array of operations {name, key index, args...}, all strings.
-- Returns 1 when applied, 0 when this partition had already counted the measurement.
local operations = cjson.decode(ARGV[2])
local arity = {
  ['hincrby'] = 2, ['pfadd'] = 1, ['zadd'] = 2, ['zadd-gt'] = 2, ['lpush-capped'] = 2, ['sadd'] = 1,
  ['set-px'] = 2, ['pexpireat'] = 1, ['pexpire'] = 1, ['zrem-below'] = 1, ['zcap'] = 1,
}
-- Redis does not roll a script back on error: refuse a malformed plan before writing anything.
for _, op in ipairs(operations) do
  local expected = arity[op[1]]
  if expected == nil then return redis.error_reply('apply-once: unknown operation ' .. tostring(op[1])) end
  if #op ~= expected + 2 or KEYS[tonumber(op[2])] == nil then
    return redis.error_reply('apply-once: malformed operation ' .. op[1])
  end
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
for _, op in ipairs(operations) do
  local name, key = op[1], KEYS[tonumber(op[2])]
  if name == 'hincrby' then redis.call('HINCRBY', key, op[3], op[4])
  elseif name == 'pfadd' then redis.call('PFADD', key, op[3])
  elseif name == 'zadd' then redis.call('ZADD', key, op[3], op[4])
  elseif name == 'zadd-gt' then redis.call('ZADD', key, 'GT', op[3], op[4])
  elseif name == 'lpush-capped' then
    redis.call('LPUSH', key, op[3])
    redis.call('LTRIM', key, 0, tonumber(op[4]) - 1)
  elseif name == 'sadd' then redis.call('SADD', key, op[3])
  elseif name == 'set-px' then redis.call('SET', key, op[3], 'PX', op[4])
  elseif name == 'pexpireat' then redis.call('PEXPIREAT', key, op[3])
  elseif name == 'pexpire' then redis.call('PEXPIRE', key, op[3])
  elseif name == 'zrem-below' then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. op[3])
  elseif name == 'zcap' then redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(op[3]) + 1))
  end
end
return 1
