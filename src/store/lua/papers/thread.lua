-- Notes a paper's discussion thread (`ARGV[1]`), or that it has none (''): refused, or deleted by a moderator.
-- KEYS: 1 paper hash, 2 thread id → paper id. ARGV: 1 thread id or '', 2 paper id.
local before = redis.call('HGET', KEYS[1], 'threadId')
if before then redis.call('HDEL', KEYS[2], before) end
if redis.call('EXISTS', KEYS[1]) == 0 then return cjson.encode({outcome = 'missing'}) end
if ARGV[1] == '' then
  redis.call('HDEL', KEYS[1], 'threadId')
  redis.call('HSET', KEYS[1], 'noThread', 'true')
else
  redis.call('HSET', KEYS[1], 'threadId', ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
end
return cjson.encode({outcome = 'set', before = before or nil})
