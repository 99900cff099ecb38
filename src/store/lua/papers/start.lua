-- KEYS: 1 queue, 2 current paper id, 3 paper to start, 4 current paper hash (KEYS[3] when none).
-- ARGV: 1 paper id, 2 current paper id as the caller read it (''), 3 now.
-- 'stale': another paper became current since the caller read it.
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return cjson.encode({outcome = 'stale'}) end
local status = redis.call('HGET', KEYS[3], 'status')
if not status or redis.call('LPOS', KEYS[1], ARGV[1]) == false then return cjson.encode({outcome = 'missing'}) end
if status == 'current' then return cjson.encode({outcome = 'already-current'}) end
if status == 'covered' then return cjson.encode({outcome = 'covered'}) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[4], 'status', 'covered', 'coveredAt', ARGV[3]) end
redis.call('HSET', KEYS[3], 'status', 'current', 'startedAt', ARGV[3])
redis.call('SET', KEYS[2], ARGV[1])
return cjson.encode({outcome = 'started', previousId = ARGV[2] ~= '' and ARGV[2] or nil})
