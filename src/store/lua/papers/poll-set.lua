-- Notes the posted poll's message, if the open poll is still `ARGV[1]` (a closed one is not brought back).
-- KEYS: 1 open poll. ARGV: 1 poll id, 2 message id.
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return cjson.encode({set = false}) end
redis.call('HSET', KEYS[1], 'messageId', ARGV[2])
return cjson.encode({set = true})
