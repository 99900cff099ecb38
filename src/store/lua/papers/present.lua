-- A member signs up to present a queued paper that has no presenter, or a host assigns one (`ARGV[3]` = 'assign').
-- KEYS: 1 paper hash. ARGV: 1 member id, 2 their display name, 3 'volunteer' or 'assign'.
local paper = redis.call('HMGET', KEYS[1], 'status', 'presenterId')
if not paper[1] then return cjson.encode({outcome = 'missing'}) end
if paper[1] ~= 'queued' then return cjson.encode({outcome = paper[1]}) end
if paper[2] and ARGV[3] ~= 'assign' then return cjson.encode({outcome = 'taken', presenterId = paper[2]}) end
redis.call('HSET', KEYS[1], 'presenterId', ARGV[1], 'presenterName', ARGV[2])
if paper[2] ~= ARGV[1] then redis.call('HDEL', KEYS[1], 'confirmedFor') end
return cjson.encode({outcome = 'set', previousId = paper[2] or nil})
