-- KEYS: 1 queue, 2 new paper hash, 3 dedup key → queued id, 4 dedup key → last read at.
-- ARGV: 1 dedup key, 2 queue size limit, 3 new id, 4.. field/value pairs.
local existing = redis.call('HGET', KEYS[3], ARGV[1])
if existing then
  local pos = redis.call('LPOS', KEYS[1], existing)
  return cjson.encode({outcome = 'duplicate', paperId = existing, position = (pos or -1) + 1})
end
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then return cjson.encode({outcome = 'full'}) end
redis.call('HSET', KEYS[2], 'id', ARGV[3], unpack(ARGV, 4))
local position = redis.call('RPUSH', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
local readAt = redis.call('HGET', KEYS[4], ARGV[1])
return cjson.encode({outcome = 'added', paperId = ARGV[3], position = position, lastReadAt = readAt or nil})
