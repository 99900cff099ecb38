-- KEYS: 1 queue, 2 paper hash, 3 queue order. ARGV: 1 paper id, 2 1-based position.
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local from = nil
for i, id in ipairs(ids) do if id == ARGV[1] then from = i end end
if not from then return cjson.encode({}) end
table.remove(ids, from)
local to = math.max(1, math.min(tonumber(ARGV[2]), #ids + 1))
table.insert(ids, to, ARGV[1])
redis.call('DEL', KEYS[1])
redis.call('RPUSH', KEYS[1], unpack(ids))
-- Ordered by votes, a host's placing holds against the votes.
if redis.call('GET', KEYS[3]) == 'votes' then redis.call('HSET', KEYS[2], 'pinned', 'true') end
return cjson.encode({position = to})
