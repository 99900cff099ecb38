-- Writes only if the paper still exists: a metadata job may finish after it was removed.
-- KEYS: 1 paper hash. ARGV: field/value pairs.
if redis.call('EXISTS', KEYS[1]) == 0 then return cjson.encode({}) end
redis.call('HSET', KEYS[1], unpack(ARGV))
local flat = redis.call('HGETALL', KEYS[1])
local paper = {}
for i = 1, #flat, 2 do paper[flat[i]] = flat[i + 1] end
return cjson.encode({paper = paper})
