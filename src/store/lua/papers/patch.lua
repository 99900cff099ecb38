-- Writes fields of a paper only if it still exists (a metadata job may finish after the paper was removed).
-- KEYS: 1 the paper's hash. ARGV: field/value pairs.
-- Reply: {paper = its fields as they are now} or {} when it is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then return cjson.encode({}) end
redis.call('HSET', KEYS[1], unpack(ARGV))
local flat = redis.call('HGETALL', KEYS[1])
local paper = {}
for i = 1, #flat, 2 do paper[flat[i]] = flat[i + 1] end
return cjson.encode({paper = paper})
