-- Takes a paper off the queue, unless it is being presented.
-- KEYS: 1 the queue, 2 the paper's hash, 3 dedup key → queued id. ARGV: 1 the paper id.
-- Reply: {outcome = 'removed' | 'missing' | 'current'}
local status = redis.call('HGET', KEYS[2], 'status')
if not status or redis.call('LPOS', KEYS[1], ARGV[1]) == false then return cjson.encode({outcome = 'missing'}) end
if status == 'current' then return cjson.encode({outcome = 'current'}) end
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('HDEL', KEYS[3], redis.call('HGET', KEYS[2], 'dedupKey'))
redis.call('DEL', KEYS[2])
return cjson.encode({outcome = 'removed'})
