-- Releases the lock only if this holder still has it (it may have lapsed and been taken by another).
-- KEYS: 1 the lock. ARGV: 1 the holder's token. Reply: {released = true | false}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return cjson.encode({released = false}) end
redis.call('DEL', KEYS[1])
return cjson.encode({released = true})
