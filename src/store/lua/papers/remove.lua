-- KEYS: 1 queue, 2 paper hash, 3 dedup key → queued id, 4 its voters, 5 its questions asked before the session,
--   6 thread id → paper id. ARGV: 1 paper id.
local status = redis.call('HGET', KEYS[2], 'status')
if not status or redis.call('LPOS', KEYS[1], ARGV[1]) == false then return cjson.encode({outcome = 'missing'}) end
if status == 'current' then return cjson.encode({outcome = 'current'}) end
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('HDEL', KEYS[3], redis.call('HGET', KEYS[2], 'dedupKey'))
local thread = redis.call('HGET', KEYS[2], 'threadId')
if thread then redis.call('HDEL', KEYS[6], thread) end
redis.call('DEL', KEYS[2], KEYS[4], KEYS[5])
return cjson.encode({outcome = 'removed'})
