-- Counts one request in a fixed window. KEYS[1] = counter, ARGV[1] = window in milliseconds.
-- Returns { count in this window, milliseconds until the window ends }. INCR and PEXPIRE run
-- together so a crash between them can never leave a counter without expiry.
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
