-- A member's vote on a queued paper; pressing again takes it back.
-- KEYS: 1 paper hash, 2 its voters. ARGV: 1 member id.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return cjson.encode({outcome = 'missing'}) end
if status ~= 'queued' then return cjson.encode({outcome = status}) end
local outcome = 'added'
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
  outcome = 'removed'
end
local votes = redis.call('SCARD', KEYS[2])
redis.call('HSET', KEYS[1], 'votes', votes)
return cjson.encode({outcome = outcome, votes = votes})
