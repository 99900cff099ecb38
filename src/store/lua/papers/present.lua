-- A member signs up to present a queued paper that has no presenter.
-- KEYS: 1 paper hash. ARGV: 1 member id, 2 their display name.
local paper = redis.call('HMGET', KEYS[1], 'status', 'presenterId')
if not paper[1] then return cjson.encode({outcome = 'missing'}) end
if paper[1] ~= 'queued' then return cjson.encode({outcome = paper[1]}) end
if paper[2] then return cjson.encode({outcome = 'taken', presenterId = paper[2]}) end
redis.call('HSET', KEYS[1], 'presenterId', ARGV[1], 'presenterName', ARGV[2])
return cjson.encode({outcome = 'set'})
