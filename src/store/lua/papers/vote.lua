-- A member's vote on a queued paper; pressing again takes it back. With ARGV[2] = 'forget' (/privacy delete) the
-- vote is only taken back, whatever the paper's status ('not-voted' when there was none).
-- KEYS: 1 paper hash, 2 its voters. ARGV: 1 member id, 2 'press' or 'forget'.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return cjson.encode({outcome = 'missing'}) end
local outcome = 'added'
if ARGV[2] == 'forget' then
  if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return cjson.encode({outcome = 'not-voted'}) end
  outcome = 'removed'
else
  if status ~= 'queued' then return cjson.encode({outcome = status}) end
  if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
    redis.call('SREM', KEYS[2], ARGV[1])
    outcome = 'removed'
  end
end
local votes = redis.call('SCARD', KEYS[2])
redis.call('HSET', KEYS[1], 'votes', votes)
return cjson.encode({outcome = outcome, votes = votes})
