-- Migration 1: a stage kept as a plain set becomes a sorted set (every score 0).
-- KEYS: 1 the stage. Reply: {migrated = true | false}
if redis.call('TYPE', KEYS[1]).ok ~= 'set' then return cjson.encode({migrated = false}) end
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
for _, member in ipairs(members) do redis.call('ZADD', KEYS[1], 0, member) end
return cjson.encode({migrated = true})
